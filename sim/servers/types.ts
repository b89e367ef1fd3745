/** A local server of the simulated world, speaking one cloud's wire protocol. */
export interface SimServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (any free port); `close()` also drops kept-alive connections so tests end promptly. */
export async function serveLocal(server: import('node:http').Server): Promise<SimServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

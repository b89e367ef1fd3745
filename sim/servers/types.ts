/** A local server of the simulated world, speaking one cloud's wire protocol. */
export interface SimServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  close(): Promise<void>;
}

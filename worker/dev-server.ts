/**
 * Runs the Temporal dev server (with its Web UI) from the project's own binary, persisting to a SQLite
 * file so investigations survive a server restart. Used by the demo and the crash-survival tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createConnection } from 'node:net';
import { devServerPath } from './servers';

export interface DevServerOptions {
  dbFile: string;
  port: number;
  uiPort?: number;
  /** Search attributes to register at start, name → type (Keyword, Text, Int, …). */
  searchAttributes?: Record<string, string>;
  namespace?: string;
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  /** SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
  /** SIGKILL now, as a crash would. */
  kill(): Promise<void>;
}

function waitForPort(port: number, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`the dev server exited with code ${child.exitCode} before listening on ${port}`));
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`the dev server did not listen on port ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 200);
      });
    };
    attempt();
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

export async function startDevServer(o: DevServerOptions): Promise<DevServer> {
  mkdirSync(dirname(o.dbFile), { recursive: true });
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(o.port), '--db-filename', o.dbFile, '--log-level', 'error'];
  args.push(...(o.uiPort ? ['--ui-port', String(o.uiPort)] : ['--headless']));
  if (o.namespace) args.push('--namespace', o.namespace);
  for (const [name, type] of Object.entries(o.searchAttributes ?? {})) args.push('--search-attribute', `${name}=${type}`);
  const child = spawn(devServerPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = o.log ?? (() => undefined);
  child.stdout?.on('data', (d) => log(String(d).trimEnd()));
  child.stderr?.on('data', (d) => log(String(d).trimEnd()));
  await waitForPort(o.port, 60_000, child);
  if (o.uiPort) await waitForPort(o.uiPort, 30_000, child);
  return {
    address: `127.0.0.1:${o.port}`,
    uiUrl: o.uiPort ? `http://127.0.0.1:${o.uiPort}` : undefined,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(timer);
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

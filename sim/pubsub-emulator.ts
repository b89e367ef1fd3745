/**
 * The real Pub/Sub emulator that gcloud ships (`gcloud beta emulators pubsub start`, a Java server),
 * started on a free local port for one simulated world. The Pub/Sub adapter talks to it through
 * `config.endpoints.pubsub`, exactly as it would talk to Google through the default endpoint.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../worker/dev-server';

export interface PubsubEmulator {
  /** `127.0.0.1:<port>`, the form `config.endpoints.pubsub` and `PUBSUB_EMULATOR_HOST` take. */
  host: string;
  /** Stops the emulator and every process it started (gcloud runs java as a child). */
  close(): Promise<void>;
}

export class PubsubEmulatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PubsubEmulatorError';
  }
}

/** A cold JVM start takes a few seconds; on a loaded 2-core machine, far more. */
const START_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL = 2_000;

/** The emulator answers `GET /` with `Ok` once it serves. */
async function answers(host: string): Promise<boolean> {
  try {
    const res = await fetch(`http://${host}/`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** Resolves when the process has exited, or after `ms` (if given), whichever is first. */
function exited(child: ChildProcess, ms?: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = ms === undefined ? undefined : setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      child.removeListener('exit', done);
      resolve();
    }
    child.once('exit', done);
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function groupAlive(child: ChildProcess): boolean {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 0);
    return child.pid !== undefined;
  } catch {
    return false;
  }
}

/** Signals the whole process group: gcloud (python) and the java it spawned. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Starts the emulator and resolves once it answers. Fails with a message naming what is missing when
 * gcloud, its `pubsub-emulator` component or Java is not installed.
 */
export async function startPubsubEmulator(): Promise<PubsubEmulator> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  // A data dir of its own, so emulators of parallel tests never share state.
  const dataDir = await mkdtemp(join(tmpdir(), 'pubsub-emulator-'));
  let output = '';
  let spawnError: Error | undefined;
  const child = spawn(
    'gcloud',
    ['beta', 'emulators', 'pubsub', 'start', `--host-port=${host}`, `--data-dir=${dataDir}`, '--quiet'],
    {
      // Its own process group, so close() can stop java too and not only the gcloud wrapper.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' },
    },
  );
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_TAIL);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  child.on('error', (err) => (spawnError = err));

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      killGroup(child, 'SIGTERM');
      await exited(child, STOP_GRACE_MS);
      // gcloud does not always pass the signal on to java; whatever is left of the group goes now.
      killGroup(child, 'SIGKILL');
      await exited(child);
      for (let i = 0; i < 40 && groupAlive(child); i++) await sleep(50);
      await rm(dataDir, { recursive: true, force: true });
    })());

  const started = Date.now();
  while (!(await answers(host))) {
    const failure =
      (spawnError as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
        ? 'gcloud is not on PATH: install the Google Cloud SDK with the pubsub-emulator component (and a Java runtime)'
        : spawnError
          ? `gcloud could not be started: ${spawnError.message}`
          : child.exitCode !== null
            ? `gcloud exited with code ${child.exitCode} (is the pubsub-emulator component installed, \`gcloud components install pubsub-emulator\`, and Java on PATH?)`
            : Date.now() - started > START_TIMEOUT_MS
              ? `no answer on ${host} within ${START_TIMEOUT_MS} ms`
              : undefined;
    if (failure) {
      await close();
      throw new PubsubEmulatorError(`Pub/Sub emulator: ${failure}${output ? `\n--- emulator output ---\n${output.trim()}` : ''}`);
    }
    await sleep(250);
  }
  // Its output is no longer needed; drain it so a full pipe never blocks the emulator.
  child.stdout?.removeListener('data', collect);
  child.stderr?.removeListener('data', collect);
  child.stdout?.resume();
  child.stderr?.resume();
  return { host, close };
}

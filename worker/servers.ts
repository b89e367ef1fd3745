/**
 * Where the project's Temporal servers are. scripts/setup-tools.sh provides both in .tools/bin; an
 * environment variable overrides each. A missing server is an error that says how to get it.
 */
import { accessSync, constants } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', __dirname.includes(`${'/'}dist${'/'}`) ? '..' : '.');

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function locate(envVar: string, file: string, what: string): string {
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    if (!executable(fromEnv)) throw new Error(`${envVar}=${fromEnv} is not an executable file (${what})`);
    return fromEnv;
  }
  const local = join(ROOT, '.tools', 'bin', file);
  if (executable(local)) return local;
  throw new Error(
    `${what} not found at ${local}. Run \`npm run setup\` (needs Go for the dev server, Java 11+ and Maven for the test server), or set ${envVar}.`,
  );
}

/** The Temporal CLI whose `server start-dev` is the dev server with its Web UI. */
export function devServerPath(): string {
  return locate('TEMPORAL_CLI_PATH', 'temporal', 'the Temporal CLI (dev server)');
}

/** The time-skipping test server wrapper (execs java … io.temporal.testserver.TestServer). */
export function testServerPath(): string {
  return locate('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server', 'the Temporal time-skipping test server');
}

export const PROJECT_ROOT = ROOT;

/**
 * docker-compose.yml is validated, not run: no Docker engine runs on this machine kind. Debian's
 * docker-compose checks the file's schema and interpolation without one.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const run = (env: Record<string, string>) =>
  execFileSync('docker-compose', ['-f', join(root, 'docker-compose.yml'), 'config'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

test('docker-compose.yml is a valid compose file with the whole stack', () => {
  const out = run({ AXIOM_TOKEN: 'x', RECEIVER_SECRET: 'y' });
  for (const service of ['postgresql:', 'temporal:', 'temporal-setup:', 'temporal-ui:', 'worker:', 'receiver:']) {
    expect(out).toContain(service);
  }
  expect(out).toContain('temporalio/auto-setup:1.29.1');
  expect(out).toContain('LivenessRegion');
});

test('the stack refuses to start without its secrets, naming them', () => {
  expect(() => run({ RECEIVER_SECRET: 'y' })).toThrow(/set AXIOM_TOKEN/);
});

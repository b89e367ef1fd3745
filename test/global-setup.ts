/** Bundles the workflows once for the whole run; every test worker loads this bundle instead of rebuilding it. */
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export default async function globalSetup(): Promise<void> {
  const dir = join(__dirname, '..', '.data', 'test');
  mkdirSync(dir, { recursive: true });
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: quiet });
  const path = join(dir, 'workflow-bundle.js');
  writeFileSync(path, code);
  process.env.LIVENESS_TEST_WORKFLOW_BUNDLE = path;
}

const noop = () => undefined;
const quiet = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

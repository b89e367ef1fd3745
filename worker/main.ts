/**
 * The production worker process: config from $LIVENESS_CONFIG, Temporal from the standard environment,
 * real Axiom/AWS/GCP clients from their standard credential chains. Stops cleanly on SIGINT/SIGTERM.
 */
import { createCloudPorts } from '../activities/adapters';
import { configPath, loadConfig } from '../config';
import { connectWorker } from '../client/connection';
import { createInvestigationWorker } from '.';

export async function runWorker(): Promise<void> {
  const file = configPath();
  const config = loadConfig(file);
  const { connection, namespace } = await connectWorker();
  try {
    // A prebuilt bundle (LIVENESS_WORKFLOW_BUNDLE) skips bundling at start-up.
    const bundle = process.env.LIVENESS_WORKFLOW_BUNDLE;
    const ports = createCloudPorts(config);
    const worker = await createInvestigationWorker({
      connection,
      namespace,
      config,
      ports,
      workflowBundle: bundle ? { codePath: bundle } : undefined,
    });
    console.log(
      `[worker] task queue ${config.taskQueue}, namespace ${namespace}, regions ${Object.keys(config.regions).join(', ')} (config ${file})`,
    );
    await worker.run().finally(() => ports.close());
  } finally {
    await connection.close();
  }
}

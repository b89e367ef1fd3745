/**
 * Builds the investigation worker: the same function serves the production worker process, the demo,
 * `simulate` and the tests; only the connection and the ports differ.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Ports } from '../activities/ports';
import type { AppConfig } from '../config/schema';

export interface InvestigationWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  config: AppConfig;
  ports: Ports;
  /** Overrides config.taskQueue (tests use one queue per test). */
  taskQueue?: string;
  /** A prebuilt workflow bundle; by default the workflows are bundled from source. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  identity?: string;
}

export async function createInvestigationWorker(o: InvestigationWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace ?? 'default',
    taskQueue: o.taskQueue ?? o.config.taskQueue,
    activities: createActivities(o.config, o.ports),
    ...(o.identity ? { identity: o.identity } : {}),
    ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
  });
}

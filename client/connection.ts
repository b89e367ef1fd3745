/** Temporal connections from the standard environment config (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, profiles). */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';

export class TemporalUnreachableError extends Error {
  constructor(address: string, cause: unknown) {
    super(
      `cannot reach the Temporal server at ${address} (${cause instanceof Error ? cause.message : String(cause)}); ` +
        'start one (npm start runs a local dev server) or set TEMPORAL_ADDRESS',
    );
    this.name = 'TemporalUnreachableError';
  }
}

function connectConfig() {
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const address = connectionOptions.address ?? 'localhost:7233';
  return { connectionOptions: { ...connectionOptions, address }, namespace: namespace ?? 'default', address };
}

export async function connectClient(): Promise<{ client: Client; connection: Connection; namespace: string }> {
  const { connectionOptions, namespace, address } = connectConfig();
  try {
    const connection = await Connection.connect({ ...connectionOptions, connectTimeout: '5s' } as Parameters<typeof Connection.connect>[0]);
    return { client: new Client({ connection, namespace }), connection, namespace };
  } catch (err) {
    throw new TemporalUnreachableError(address, err);
  }
}

/**
 * A client that connects on first use, for long-running services (the receiver) that must start, and
 * answer 503, while Temporal is down.
 */
export function lazyClient(): { client: Client; connection: Connection; namespace: string; address: string } {
  const { connectionOptions, namespace, address } = connectConfig();
  const connection = Connection.lazy({ ...connectionOptions, connectTimeout: '5s' } as Parameters<typeof Connection.lazy>[0]);
  return { client: new Client({ connection, namespace }), connection, namespace, address };
}

export async function connectWorker(): Promise<{ connection: NativeConnection; namespace: string }> {
  const { connectionOptions, namespace, address } = connectConfig();
  try {
    return { connection: await NativeConnection.connect(connectionOptions), namespace };
  } catch (err) {
    throw new TemporalUnreachableError(address, err);
  }
}

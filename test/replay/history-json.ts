/**
 * History ⇄ the JSON that `temporal workflow show --output json` writes (protojson).
 *
 * Why not `historyToJSON`/`historyFromJSON` from @temporalio/common: in this dependency tree the root
 * `protobufjs` is 7.x (for the Google Cloud clients), so @temporalio/common and @temporalio/proto each get
 * their own nested protobufjs 8 copy, and common's protojson rejects proto's message types with
 * "type must be a Type" (an `instanceof` across the two copies). The same conversion with the protojson
 * of @temporalio/proto's own copy works; the files are the same format either way.
 */
import { dirname } from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

type History = proto.temporal.api.history.v1.IHistory;

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const protojson: ProtoJson = require(require.resolve('protobufjs/ext/protojson', { paths: [dirname(require.resolve('@temporalio/proto'))] }));
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');

/** A fetched history as pretty-printed protojson text. */
export function historyToJsonText(history: History): string {
  const message = proto.temporal.api.history.v1.History.fromObject(history as Record<string, unknown>);
  return JSON.stringify(protojson.toJson(historyType, message), null, 2) + '\n';
}

/** A protojson history (parsed) as the History message the replayer takes as is. */
export function historyFromJson(json: unknown): History {
  const loaded = protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
  if (!loaded) throw new TypeError('not a protojson workflow history');
  return loaded as History;
}

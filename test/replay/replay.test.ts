/**
 * Replays the committed histories of finished investigations against the current workflow code: a
 * change that would break investigations already running in production fails here first.
 * To re-record after a deliberate change: RECORD_HISTORIES=1 npx jest test/replay (see record-histories.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { quietRuntime, workflowBundle } from '../support/temporal';
import { historyFromJson } from './history-json';
import { HISTORY_DIR, recordHistories, RECORDED_WORKFLOW_ID } from './record-histories';

const recording = process.env.RECORD_HISTORIES === '1';

beforeAll(async () => {
  quietRuntime();
  if (recording) await recordHistories();
}, 300_000);

function histories(): string[] {
  return readdirSync(HISTORY_DIR).filter((f) => f.endsWith('.json')).sort();
}

function load(file: string) {
  return historyFromJson(JSON.parse(readFileSync(join(HISTORY_DIR, file), 'utf8')));
}

const current = () => {
  const bundle = workflowBundle();
  return bundle ? { workflowBundle: bundle } : { workflowsPath: require.resolve('../../workflows') };
};

test('there are committed histories to replay, covering several paths', () => {
  expect(histories()).toEqual(
    expect.arrayContaining([
      'transient-blip.json',
      'heartbeat-path-failure-with-repeat-alert.json',
      'service-down-refused-then-approved-recovered.json',
      'service-down-approval-timed-out.json',
    ]),
  );
});

test('every committed history replays against the current workflow code', async () => {
  const failures: string[] = [];
  for (const file of histories()) {
    const history = load(file);
    // Only finished investigations: a replay of a history cut short proves less.
    expect(history.events?.some((e) => e.workflowExecutionCompletedEventAttributes)).toBe(true);
    try {
      await Worker.runReplayHistory({ ...current(), replayName: file }, history, RECORDED_WORKFLOW_ID);
    } catch (err) {
      failures.push(`${file}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    }
  }
  expect(failures).toEqual([]);
});

test('a workflow that calls its activities in a different order fails replay with a determinism violation', async () => {
  const history = load('transient-blip.json');
  await expect(
    Worker.runReplayHistory({ workflowsPath: require.resolve('./changed-workflow'), replayName: 'changed' }, history, RECORDED_WORKFLOW_ID),
  ).rejects.toThrow(DeterminismViolationError);
}, 60_000);

#!/usr/bin/env node
// Figures, not assertions: runs every shipped scenario through `simulate` (time-skipping server, real
// worker and adapters, simulated world) and prints wall time, API calls, history events and memory.
// Usage: npm run bench [-- scenario-name …]
const { readdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const { simulate, readScenario } = require(join(root, 'dist', 'client', 'simulate.js'));
const { TestWorkflowEnvironment } = require('@temporalio/testing');
const { bundleWorkflowCode } = require('@temporalio/worker');
const { testServerPath } = require(join(root, 'dist', 'worker', 'servers.js'));
const { startPubsubEmulator } = require(join(root, 'dist', 'sim', 'pubsub-emulator.js'));

async function main() {
  // Before any Temporal object exists: logs to stderr, so stdout holds only the figures.
  require(join(root, 'dist', 'worker', 'runtime.js')).installStderrRuntime('WARN');
  const dir = join(root, 'test', 'scenarios');
  const wanted = process.argv.slice(2);
  const names = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).filter((n) => !wanted.length || wanted.includes(n));
  const t0 = Date.now();
  const { code } = await bundleWorkflowCode({ workflowsPath: join(root, 'dist', 'workflows'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } });
  const bundleMs = Date.now() - t0;
  const t1 = Date.now();
  const [env, emulator] = await Promise.all([
    TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServerPath() } } }),
    startPubsubEmulator(),
  ]);
  const startMs = Date.now() - t1;
  const rows = [];
  try {
    for (const name of names) {
      const scenario = readScenario(join(dir, `${name}.json`));
      const started = Date.now();
      const out = await simulate(scenario, { answer: scenario.expect?.answer ?? 'none', env, workflowBundle: { code }, pubsubEmulatorHost: emulator.host });
      rows.push({
        scenario: name,
        verdict: out.verdict,
        outcome: out.outcome,
        restarts: out.restarts,
        rootCause: out.rootCause.category,
        wallMs: Date.now() - started,
        apiCalls: out.apiCallsTotal,
        historyEvents: out.historyEvents,
        rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
        calls: Object.entries(out.apiCalls).map(([op, n]) => `${op}×${n}`).join(' '),
      });
    }
  } finally {
    await emulator.close();
    await env.teardown();
  }
  console.log(`workflow bundle: ${bundleMs} ms; time-skipping server + Pub/Sub emulator start: ${startMs} ms`);
  console.table(rows.map(({ calls, ...r }) => r));
  for (const r of rows) console.log(`${r.scenario}: ${r.calls}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

#!/usr/bin/env node
// The CLI entry point: runs the compiled TypeScript in dist/ (built by `npm install` / `npm run build`).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'client', 'cli.js');
if (!existsSync(entry)) {
  process.stderr.write('liveness-runbook: not built yet; run `npm run build` (npm install runs it too)\n');
  process.exit(1);
}
const { main, explain } = require(entry);
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    const { code, message } = explain(e);
    process.stderr.write(`liveness-runbook: ${message}\n`);
    process.exit(code);
  },
);

/**
 * The engineer's approval, in a real browser: the demo (dev server with Web UI 2.42, simulated cloud,
 * worker, receiver, an Axiom-style alert) runs until the investigation waits at the approval gate; headless
 * chromium then finds the investigation in the Web UI's list and sends `approveRestart` through the
 * workflow page's "Send a Signal" dialog with a typed approver. The restart must then happen exactly once
 * and the result must carry that approver.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Browser, Page } from 'playwright-core';
import { runDemo } from '../../client/demo';
import { freePort } from '../../worker/dev-server';
import { investigationId, rejectRestartSignal } from '../../workflows/messages';
import type { InvestigationResult } from '../../workflows/types';
import { artifactPath, launchBrowser, uiStep } from '../support/browser';

// Budget: ~15 s start-up and bundling, the demo's 30 s blip wait, a few seconds in the browser, and the
// simulated service's 60 s recovery after the restart. The margin is for a loaded two-core machine.
jest.setTimeout(180_000);

const REGION = 'eu-west-1';
const WORKFLOW_ID = investigationId(REGION);
/** Typed as an engineer would, into the dialog's JSON editor. */
const APPROVAL_JSON = '{"approver": "bob", "reason": "approved from the Web UI"}';
const APPROVAL = JSON.parse(APPROVAL_JSON) as { approver: string; reason: string };
const UI_TIMEOUT_MS = 20_000;

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveness-web-ui-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves when the demo prints that the investigation waits for approval; rejects if the demo ends first. */
function gateOpened(lines: string[], demo: Promise<InvestigationResult>, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the investigation did not reach the approval gate within ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs);
    const poll = setInterval(() => {
      if (lines.some((l) => l.includes('[demo] step: awaiting-approval'))) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }
    }, 200);
    demo.then(
      (r) => reject(new Error(`the investigation ended (${r.verdict}/${r.outcome}) before the approval gate:\n${lines.join('\n')}`)),
      (err: Error) => reject(new Error(`the demo failed before the approval gate: ${err.message}\n${lines.join('\n')}`)),
    );
    const stop = () => {
      clearInterval(poll);
      clearTimeout(timer);
    };
    demo.then(stop, stop);
  });
}

/** The engineer's path: the workflows list, filtered to running investigations of the region, then the workflow. */
async function openInvestigation(page: Page, uiUrl: string): Promise<void> {
  const query = `WorkflowId="${WORKFLOW_ID}" AND ExecutionStatus="Running"`;
  await uiStep(page, 'find the investigation in the workflows list', async () => {
    await page.goto(`${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
    const link = page.getByRole('link', { name: WORKFLOW_ID, exact: true }).filter({ visible: true }).first();
    // Visibility can trail the start by a moment; the list does not refresh by itself, so reload until it shows.
    const deadline = Date.now() + UI_TIMEOUT_MS;
    while (!(await link.isVisible())) {
      if (Date.now() > deadline) throw new Error(`no running ${WORKFLOW_ID} in the list`);
      await link.waitFor({ state: 'visible', timeout: 3_000 }).catch(() => page.reload());
    }
    await link.click();
    await page.waitForURL(new RegExp(`/namespaces/default/workflows/${WORKFLOW_ID}/[^/]+/`), { timeout: UI_TIMEOUT_MS });
  });
}

/** "More Actions" → "Send a Signal", fill the name and the JSON input, keep a screenshot, submit. */
async function sendApprovalSignal(page: Page): Promise<string> {
  // The workflow header is rendered twice (a sticky copy for scrolling), so every lookup takes the visible one.
  const visible = (testId: string) => page.getByTestId(testId).filter({ visible: true }).first();
  await uiStep(page, 'open the Send a Signal dialog', async () => {
    await page.getByRole('button', { name: 'More Actions' }).filter({ visible: true }).first().click();
    await visible('signal-button').click();
  });
  const dialog = visible('signal-confirmation-modal');
  await uiStep(page, 'choose the signal approveRestart', async () => {
    // With a worker running, the UI asks the workflow for its registered signals (the SDK's metadata query)
    // and offers them in a select; without an answer it shows a free-text field instead.
    const select = dialog.getByTestId('signal-select-button');
    const freeText = dialog.getByTestId('signal-name');
    await select.or(freeText).waitFor({ state: 'visible' });
    if (await select.isVisible()) {
      await select.click();
      await dialog.getByRole('option', { name: 'approveRestart', exact: true }).click();
      expect(await dialog.getByTestId('signal-select').inputValue()).toBe('approveRestart');
    } else {
      await freeText.fill('approveRestart');
    }
  });
  await uiStep(page, 'type the approval as JSON input', async () => {
    const editor = dialog.locator('.cm-content');
    await editor.click();
    // insertText, not key presses: CodeMirror would auto-close the braces and quotes typed one by one.
    await page.keyboard.insertText(APPROVAL_JSON);
    const typed = JSON.parse(await editor.innerText()) as unknown;
    expect(typed).toEqual(APPROVAL);
  });
  const screenshot = artifactPath('approval-dialog.png');
  await uiStep(page, 'submit the signal', async () => {
    await page.screenshot({ path: screenshot });
    // click() waits for the button to be enabled, which it is once the name and valid JSON are in.
    await dialog.getByTestId('confirm-modal-button').click();
    await dialog.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  });
  return screenshot;
}

/** Whether the promise settles within the time, without keeping a timer alive afterwards. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([p.then(() => true, () => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]);
  clearTimeout(timer);
  return settled;
}

/**
 * When the test fails before approving, answer the gate so runDemo finishes and stops what it started;
 * if that is not enough (the gate was never reached), end the workflow outright. Never throws, so the
 * test's own failure is the one reported.
 */
async function unblockDemo(port: number, demo: Promise<InvestigationResult>): Promise<void> {
  if (await settlesWithin(demo, 0)) return;
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: `127.0.0.1:${port}` });
    const handle = new Client({ connection }).workflow.getHandle(WORKFLOW_ID);
    await handle.signal(rejectRestartSignal, { approver: 'alice', reason: 'web-ui test failed before approving' }).catch(() => undefined);
    if (!(await settlesWithin(demo, 30_000))) {
      await handle.terminate('web-ui test failed before approving');
      await settlesWithin(demo, 30_000);
    }
  } catch (err) {
    console.warn(`could not stop the demo after the failure: ${(err as Error).message}`);
  } finally {
    await connection?.close();
  }
}

test('an engineer approves the restart through the Web UI; it happens once and the result names them', async () => {
  const port = await freePort();
  let uiPort = await freePort();
  while (uiPort === port) uiPort = await freePort();
  const uiUrl = `http://127.0.0.1:${uiPort}`;
  const lines: string[] = [];
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const demo = runDemo({ port, uiPort, exitWhenDone: true, dbFile: join(dir, 'temporal.sqlite'), out: (l) => lines.push(l) });
  demo.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"

  let approved = false;
  let browser: Browser | undefined;
  try {
    await gateOpened(lines, demo, 90_000);
    timings.gate = Date.now() - t0;
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    await openInvestigation(page, uiUrl);
    timings.found = Date.now() - t0;
    await sendApprovalSignal(page);
    approved = true;
    timings.signalled = Date.now() - t0;
  } finally {
    await browser?.close();
    if (!approved) await unblockDemo(port, demo);
  }

  const result = await demo;
  timings.done = Date.now() - t0;
  console.info(`web-ui timings (ms since start): ${JSON.stringify(timings)}`);
  expect(result.approvedBy).toBe('bob');
  expect(result.restarts).toBe(1);
  expect(result.outcome).toBe('restarted-and-recovered');
  expect(lines).toContain('[demo] restarts seen by the simulated cloud: 1');
  expect(result.decisions).toContainEqual(
    expect.objectContaining({ signal: 'approveRestart', approver: 'bob', reason: APPROVAL.reason, accepted: true }),
  );
});

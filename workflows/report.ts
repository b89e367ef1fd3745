import type {
  Assessed,
  DecisionRecord,
  Evidence,
  HeartbeatEvidence,
  InvestigationResult,
  RecheckSummary,
} from './types';

type ReportInput = Omit<InvestigationResult, 'reportMarkdown'>;

function na(e: { status: string; reason?: string; type?: string } | undefined): string | undefined {
  if (!e) return 'not checked';
  if (e.status === 'could-not-assess') return `could not assess (${e.type}): ${e.reason}`;
  return undefined;
}

function heartbeatLine(e: Assessed<HeartbeatEvidence> | undefined): string {
  return (
    na(e) ??
    (() => {
      const h = e as HeartbeatEvidence;
      return `${h.count} heartbeat(s) between ${h.windowStart} and ${h.asOf}; last seen ${h.lastSeenAt ?? 'never in window'}`;
    })()
  );
}

function recheckLine(r: RecheckSummary | undefined): string {
  if (!r) return 'not run';
  return r.recovered
    ? `heartbeats back after ${r.checks} recheck(s), last seen ${r.recoveredAt}`
    : `still missing after ${r.checks} recheck(s)${r.last ? ` (${heartbeatLine(r.last)})` : ''}`;
}

/** The evidence so far, step by step; shared by the report and the Web UI's current details. */
export function evidenceSection(ev: Evidence): string[] {
  const out: string[] = ['## Evidence', ''];
  out.push(`**Step 1 — heartbeats.** ${heartbeatLine(ev.heartbeats)}.`);
  if (ev.blipWait) out.push(`Wait-and-recheck: ${recheckLine(ev.blipWait)}.`);
  if (ev.pollers) {
    out.push(
      `**Step 2a — pollers (run_job traces).** ${
        na(ev.pollers) ?? (ev.pollers.status === 'ok' ? `${ev.pollers.count} trace(s) since ${ev.pollers.windowStart}; last ${ev.pollers.lastSeenAt ?? 'none'}` : '')
      }.`,
    );
  }
  if (ev.queues) {
    const q = ev.queues;
    if (q.status !== 'ok') out.push(`**Step 2b — queues.** ${na(q)}.`);
    else {
      out.push('**Step 2b — queues.**', '', '| queue | backlog | in flight | oldest (s) | consumed | Δ backlog | flagged |', '|---|---|---|---|---|---|---|');
      for (const x of q.queues) {
        out.push(`| ${x.name} | ${x.backlog} | ${x.inFlight ?? '–'} | ${x.oldestAgeSec ?? '–'} | ${x.consumed ?? '–'} | ${x.backlogDelta ?? '–'} | ${x.flagged ? '⚠ ' + (x.note ?? '') : 'no'} |`);
      }
      if (!q.queues.length) out.push('| (no queues configured) | | | | | | |');
    }
    out.push('');
  }
  if (ev.service) {
    const s = ev.service;
    if (s.status !== 'ok') out.push(`**Step 4 — service health.** ${na(s)}.`);
    else {
      out.push(`**Step 4 — service health: ${s.classification}.** ${s.reasons.join('; ')}.`);
      const d = s.details;
      if (d.platform === 'ecs') {
        out.push(`ECS: running ${d.running}/${d.desired}, pending ${d.pending}, rollout ${d.rolloutState ?? 'unknown'}, CPU ${d.cpuPercent ?? '–'}%, memory ${d.memoryPercent ?? '–'}%.`);
        for (const t of d.stoppedTasks.slice(0, 5)) {
          out.push(`- stopped task ${t.taskId}: ${t.stoppedReason ?? ''} ${t.exitCode !== undefined ? `(exit ${t.exitCode})` : ''}${t.oom ? ' **OOM**' : ''}`);
        }
        for (const e of d.recentEvents.slice(0, 5)) out.push(`- event: ${e}`);
      } else {
        out.push(`Cloud Run: ready ${d.ready}${d.readyMessage ? ` (${d.readyMessage})` : ''}, latest ready ${d.latestReadyRevision ?? '–'}, latest created ${d.latestCreatedRevision ?? '–'}, instances ${d.instanceCount ?? '–'}.`);
        for (const e of d.recentErrors.slice(0, 5)) out.push(`- error: ${e}`);
      }
    }
    out.push('');
  }
  if (ev.restart) out.push(`**Restart.** ${na(ev.restart) ?? (ev.restart.status === 'ok' ? `${ev.restart.action} → ${ev.restart.reference}${ev.restart.alreadyApplied ? ' (found already applied on retry)' : ''}` : '')}.`);
  if (ev.recovery) out.push(`**Recovery check.** ${recheckLine(ev.recovery)}.`);
  if (ev.logs) {
    const l = ev.logs;
    if (l.status !== 'ok') out.push(`**Step 5 — logs.** ${na(l)}.`);
    else {
      out.push(`**Step 5 — logs** (${l.scanned} lines, ${l.from} → ${l.to}): ${l.oomKills} OOM kill line(s), ${l.crashLoops} crash/restart line(s).`);
      for (const c of l.connectivityErrors) out.push(`- connectivity ×${c.count}: \`${c.signature}\``);
      for (const x of l.exceptions) out.push(`- exception ×${x.count}: \`${x.signature}\``);
    }
  }
  return out;
}

function decisionLine(d: DecisionRecord): string {
  return `- ${d.at} — \`${d.signal}\` from **${d.approver}**${d.reason ? ` ("${d.reason}")` : ''}: ${d.accepted ? 'accepted' : d.note}`;
}

/** The Markdown incident report: what happened, what was found, who decided what, and what to do next. */
export function buildReport(r: ReportInput): string {
  const lines: string[] = [
    `# Liveness incident — backend-background, ${r.region}${r.cloud ? ` (${r.cloud.toUpperCase()})` : ''}`,
    '',
    `- **Verdict:** ${r.verdict}`,
    `- **Outcome:** ${r.outcome}`,
    `- **Restarts:** ${r.restarts}${r.approvedBy ? `, approved by ${r.approvedBy}` : ''}${r.rejectedBy ? `; rejected by ${r.rejectedBy}` : ''}`,
    `- **Root cause:** ${r.rootCause.category} — ${r.rootCause.summary}`,
    `- **Alert:** fired ${r.alert.firedAt} by ${r.alert.source}${r.alert.monitorId ? `, monitor ${r.alert.monitorId}` : ''}${r.repeatAlerts ? `; ${r.repeatAlerts} repeat alert(s) joined` : ''}`,
    `- **Workflow:** ${r.workflowId}`,
    '',
    '## Timeline',
    '',
    ...r.timeline.map((t) => `- ${t.at} [${t.step}] ${t.text}`),
    '',
    ...evidenceSection(r.evidence),
    '',
    '## Decisions',
    '',
    ...(r.decisions.length ? r.decisions.map(decisionLine) : ['- none: no approval or rejection was received']),
    '',
    '## Actions',
    '',
    r.restarts > 0 && r.evidence.restart?.status === 'ok'
      ? `- ${r.evidence.restart.action} (${r.evidence.restart.reference}) at ${r.evidence.restart.at}, approved by ${r.approvedBy}`
      : '- no restart was performed',
    '',
    '## Root cause',
    '',
    `**${r.rootCause.category}.** ${r.rootCause.summary}`,
    '',
    '## Follow-up',
    '',
    `- ${r.rootCause.followUp}`,
  ];
  return lines.join('\n') + '\n';
}

import { evidenceSection } from './report';
import type { Alert, DecisionRecord, Evidence, RestartProposal, Step, TimelineEntry } from './types';

export interface DetailsInput {
  alert: Alert;
  cloud?: string;
  step: Step;
  last?: TimelineEntry;
  evidence: Evidence;
  proposal?: RestartProposal;
  decisions: DecisionRecord[];
  repeatAlerts: number;
}

/**
 * The Web UI's "current details" of an investigation: where it is, what it found so far, and — at the
 * gate — exactly which signal to send with which JSON input.
 */
export function buildCurrentDetails(d: DetailsInput): string {
  const lines = [
    `**Step:** \`${d.step}\`${d.last ? ` — ${d.last.text}` : ''}`,
    '',
    `**Region:** ${d.alert.region}${d.cloud ? ` (${d.cloud.toUpperCase()})` : ''} · alert fired ${d.alert.firedAt} by ${d.alert.source}` +
      (d.repeatAlerts ? ` · ${d.repeatAlerts} repeat alert(s) joined` : ''),
    '',
  ];
  if (d.proposal && d.step === 'awaiting-approval') {
    lines.push(
      '### Restart proposed — awaiting approval',
      '',
      `- **Target:** ${d.proposal.target}`,
      `- **How:** ${d.proposal.method}`,
      `- **Approve:** Send a Signal → name \`approveRestart\`, input \`{"approver": "<your name>", "reason": "<why>"}\``,
      `- **Reject:** Send a Signal → name \`rejectRestart\`, same input`,
      `- **Allowed approvers:** ${d.proposal.approvers.join(', ')} · **deadline** ${d.proposal.deadline}`,
      '',
    );
  }
  lines.push(...evidenceSection(d.evidence).map((l) => (l === '## Evidence' ? '### Evidence so far' : l)));
  if (d.decisions.length) {
    lines.push('', '### Signals received', '');
    for (const x of d.decisions) lines.push(`- ${x.at} \`${x.signal}\` from ${x.approver}: ${x.accepted ? 'accepted' : x.note}`);
  }
  return lines.join('\n');
}

/**
 * Search attributes that let the Web UI's list filter investigations. They must be registered on the
 * server first (the demo's dev server and docker-compose do it); config `searchAttributes: true` turns
 * them on, because upserting an unregistered attribute fails the workflow task.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const RegionKey = defineSearchAttributeKey('LivenessRegion', SearchAttributeType.KEYWORD);
export const CloudKey = defineSearchAttributeKey('LivenessCloud', SearchAttributeType.KEYWORD);
export const StepKey = defineSearchAttributeKey('LivenessStep', SearchAttributeType.KEYWORD);
export const VerdictKey = defineSearchAttributeKey('LivenessVerdict', SearchAttributeType.KEYWORD);
export const OutcomeKey = defineSearchAttributeKey('LivenessOutcome', SearchAttributeType.KEYWORD);

/** Name → type, for `temporal server start-dev --search-attribute` and `operator search-attribute create`. */
export const SEARCH_ATTRIBUTE_TYPES: Record<string, string> = Object.fromEntries(
  [RegionKey, CloudKey, StepKey, VerdictKey, OutcomeKey].map((k) => [k.name, 'Keyword']),
);

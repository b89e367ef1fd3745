import { ActivityFailure, ApplicationFailure, isCancellation } from '@temporalio/workflow';
import type { Assessed, CouldNotAssess } from './types';

/** Why a failed check failed, without stack traces or anything secret. */
export function couldNotAssess(check: string, err: unknown): CouldNotAssess {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  // Only a permanent fault keeps its own type (AccessDenied, NotFound, …). A retryable failure that got
  // here outlived its retry policy, whatever the adapter called it (a plain Error arrives as type "Error").
  const permanent = cause instanceof ApplicationFailure && (cause.nonRetryable || (err instanceof ActivityFailure && err.retryState === 'NON_RETRYABLE_FAILURE'));
  if (permanent) {
    return { status: 'could-not-assess', check, type: cause.type ?? 'Error', reason: cause.message };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return { status: 'could-not-assess', check, type: 'RetriesExhausted', reason: message };
}

/**
 * Runs one check. A permanent fault, or a transient one that outlived its retries, becomes evidence
 * "could not assess" so the investigation carries on instead of getting stuck.
 */
export async function assess<T>(check: string, run: () => Promise<T>): Promise<Assessed<T>> {
  try {
    return await run();
  } catch (err) {
    if (isCancellation(err)) throw err;
    return couldNotAssess(check, err);
  }
}

export function isOk<T extends { status: 'ok' }>(e: Assessed<T> | undefined): e is T {
  return e !== undefined && e.status === 'ok';
}

/**
 * Failure types shared by activities and the workflow. Permanent faults are non-retryable: retrying a
 * denied, missing or misconfigured call only delays the investigation, so the workflow records
 * "could not assess" instead.
 */
import { ApplicationFailure } from '@temporalio/common';

import { FailureType } from '../workflows/failure-types';

export { FailureType, NON_RETRYABLE_TYPES } from '../workflows/failure-types';

/** Thrown by adapters for a fault that no retry will fix. Activities turn it into a non-retryable failure. */
export class PermanentFault extends Error {
  constructor(
    readonly type: FailureType,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentFault';
  }
}

export function isPermanentFault(err: unknown): err is PermanentFault {
  return err instanceof PermanentFault;
}

/** Rethrows adapter errors so Temporal sees permanent faults as non-retryable; others stay retryable. */
export function asActivityFailure(check: string, err: unknown): never {
  if (isPermanentFault(err)) {
    throw ApplicationFailure.create({ type: err.type, message: `${check}: ${err.message}`, nonRetryable: true });
  }
  throw err;
}

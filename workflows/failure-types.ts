/** Failure type names, kept in one place: activities throw them, the workflow's retry policies read them. */
export const FailureType = {
  AccessDenied: 'AccessDenied',
  NotFound: 'NotFound',
  BadConfig: 'BadConfig',
  UnknownRegion: 'UnknownRegion',
  BadAlert: 'BadAlert',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

export const NON_RETRYABLE_TYPES: string[] = Object.values(FailureType);

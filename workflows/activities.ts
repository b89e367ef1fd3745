/**
 * Activity option profiles, declared once. Reads retry a few times with backoff and then become
 * "could not assess"; the restart retries little (it is idempotent, but a storm of restarts is never
 * wanted); notifications are bounded so a broken webhook cannot hold the investigation up.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { NON_RETRYABLE_TYPES } from './failure-types';

const reads = proxyActivities<Activities>({
  startToCloseTimeout: '45 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '20 seconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes: NON_RETRYABLE_TYPES,
  },
});

const longQuery = proxyActivities<Activities>({
  startToCloseTimeout: '3 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE_TYPES },
});

const restart = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE_TYPES },
});

const notifications = proxyActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

export const { describeRegion, checkHeartbeats, checkPollers, checkQueues, checkServiceHealth } = reads;
export const { examineLogs } = longQuery;
export const { restartService } = restart;
export const { notify } = notifications;

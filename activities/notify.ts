import type { Notification, NotifierPort } from './ports';

export function createNotifyActivities(notifier: NotifierPort) {
  return {
    /** Tells the on-call channel; the workflow never lets a failing notifier block the investigation. */
    async notify(notification: Notification): Promise<void> {
      await notifier.send(notification);
    },
  };
}

/** A notifier for when no webhook is configured: writes to the worker's log. */
export function logNotifier(log: (line: string) => void = console.log): NotifierPort {
  return {
    async send(n) {
      log(`[notify] ${n.kind} ${n.region}: ${n.title}`);
    },
  };
}

/**
 * The activities of an investigation, built from the app config and the ports (real SDK adapters in the
 * worker, the scripted world in tests). Workflows import only the type `Activities`.
 */
import type { AppConfig } from '../config/schema';
import { createLogActivities } from './logs';
import { createNotifyActivities } from './notify';
import type { Ports } from './ports';
import { createQueueActivities } from './queues';
import { createRegionActivities } from './region';
import { createServiceActivities } from './service';
import { createTelemetryActivities } from './telemetry';

export function createActivities(config: AppConfig, ports: Ports) {
  return {
    ...createRegionActivities(config),
    ...createTelemetryActivities(config, ports.telemetry),
    ...createQueueActivities(config, ports.queues),
    ...createServiceActivities(config, ports.service),
    ...createLogActivities(config, ports.logs),
    ...createNotifyActivities(ports.notifier),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { Ports } from './ports';

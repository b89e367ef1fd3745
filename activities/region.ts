import { ApplicationFailure } from '@temporalio/common';
import type { AppConfig, RegionProfile } from '../config/schema';
import type { RegionPlan } from '../workflows/types';
import { FailureType } from './errors';

/** Looks a region up in the config; an unknown region is a permanent fault. */
export function profileOf(config: AppConfig, region: string): RegionProfile {
  const profile = config.regions[region];
  if (!profile) {
    throw ApplicationFailure.create({
      type: FailureType.UnknownRegion,
      message: `region ${JSON.stringify(region)} is not configured (known: ${Object.keys(config.regions).join(', ')})`,
      nonRetryable: true,
    });
  }
  return profile;
}

export function describeTarget(profile: RegionProfile): Pick<RegionPlan, 'serviceTarget' | 'restartMethod'> {
  if (profile.cloud === 'aws') {
    return {
      serviceTarget: `ECS service ${profile.ecs.service} in cluster ${profile.ecs.cluster} (${profile.awsRegion})`,
      restartMethod: 'ECS UpdateService with forceNewDeployment (rolling replacement of every task)',
    };
  }
  return {
    serviceTarget: `Cloud Run service ${profile.cloudRun.service} (${profile.project}/${profile.location})`,
    restartMethod: 'Cloud Run new revision (template annotation liveness-runbook/restart-token changed)',
  };
}

export function createRegionActivities(config: AppConfig) {
  return {
    /** What the workflow needs to know about a region: cloud, target, approvers, thresholds. */
    async describeRegion(region: string): Promise<RegionPlan> {
      const profile = profileOf(config, region);
      return {
        region,
        cloud: profile.cloud,
        ...describeTarget(profile),
        approvers: profile.approvers,
        thresholds: profile.thresholds,
        searchAttributes: config.searchAttributes,
      };
    },
  };
}

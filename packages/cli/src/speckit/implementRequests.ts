import { createHash } from 'node:crypto';
import {
  buildTaskPrompt,
  type AgentsCreateSessionRequest,
  type SpeckitWavePlan,
} from '@backstage-agents/plugin-agents-common';
import type { LocalSpec } from './readLocalSpec';

/** What `implement` starts on an entity, and with which harness and template. */
export type ImplementTarget = {
  entityRef: string;
  harness?: AgentsCreateSessionRequest['harness'];
  templateRef?: string;
  branchPattern: string;
  integrationBranch: string;
};

/** `{feature}` and `{taskId}` of a branch pattern replaced. */
export function branchName(
  pattern: string,
  feature: string,
  taskId = '',
): string {
  return pattern
    .replace(/\{feature\}/g, feature)
    .replace(/\{taskId\}/g, taskId);
}

/**
 * The idempotency key of the fan-out: the same feature, tasks.md and entity give the same key, so
 * running implement again after a crash finds the fan-out (and its tasks) it started.
 */
export function fanOutKey(spec: LocalSpec, entityRef: string): string {
  const hash = createHash('sha256')
    .update(`${entityRef}\n${spec.tasks}`)
    .digest('hex')
    .slice(0, 16);
  return `speckit:${spec.feature.slice(0, 100)}:${hash}`;
}

/** The request that creates the fan-out, in waves on the integration branch. */
export function fanOutRequest(
  spec: LocalSpec,
  plan: SpeckitWavePlan,
  target: ImplementTarget,
): AgentsCreateSessionRequest {
  const ids = plan.waves.flatMap(w => w.tasks.map(t => t.id));
  return {
    entityRef: target.entityRef,
    prompt: `Implement the spec-kit feature "${spec.feature}" of ${
      target.entityRef
    }: ${ids.length} task(s) in ${plan.waves.length} wave(s) (${ids.join(
      ', ',
    )}), merged wave by wave into ${target.integrationBranch}.`,
    kind: 'fanout',
    origin: 'speckit',
    integrationBranch: target.integrationBranch,
    idempotencyKey: fanOutKey(spec, target.entityRef),
    ...(target.harness ? { harness: target.harness } : {}),
    ...(target.templateRef ? { templateRef: target.templateRef } : {}),
  };
}

/**
 * The requests that create the tasks, last wave first (so that no wave can end before the next one
 * exists), in file order within a wave.
 */
export function taskRequests(
  spec: LocalSpec,
  plan: SpeckitWavePlan,
  target: ImplementTarget,
  fanOutId: string,
): Array<{
  taskId: string;
  wave: number;
  request: AgentsCreateSessionRequest;
}> {
  return [...plan.waves].reverse().flatMap(({ wave, tasks }) =>
    tasks.map(task => ({
      taskId: task.id,
      wave,
      request: {
        entityRef: target.entityRef,
        prompt: buildTaskPrompt({
          feature: spec.feature,
          task,
          spec: spec.spec,
          plan: spec.plan,
          upstream: plan.upstream[task.id],
          wave,
          integrationBranch: target.integrationBranch,
        }),
        parentSessionId: fanOutId,
        wave,
        workBranch: branchName(target.branchPattern, spec.feature, task.id),
        origin: 'speckit' as const,
        taskId: task.id,
        idempotencyKey: `${fanOutKey(spec, target.entityRef)}:${task.id}`,
        ...(target.harness ? { harness: target.harness } : {}),
        ...(target.templateRef ? { templateRef: target.templateRef } : {}),
      },
    })),
  );
}

import type { Entity } from '@backstage/catalog-model';

/**
 * The annotation by which an entity's owners choose, among the policies the platform team has opened
 * to entities (`selectableByEntities: true`), the one its sessions run under when no template binding
 * applies.
 */
export const ANNOTATION_AGENTS_POLICY = 'agents.backstage.io/policy';

/** The policy an entity asks for, if any. */
export function entityPolicyName(entity: Entity): string | undefined {
  return entity.metadata.annotations?.[ANNOTATION_AGENTS_POLICY]?.trim() || undefined;
}

/** The entity as if it chose no policy: what applies when its choice cannot be honoured. */
export function withoutPolicyAnnotation(entity: Entity): Entity {
  const { [ANNOTATION_AGENTS_POLICY]: _ignored, ...annotations } = entity.metadata.annotations ?? {};
  return { ...entity, metadata: { ...entity.metadata, annotations } };
}

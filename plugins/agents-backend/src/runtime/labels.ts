/** Labels and annotations on everything the suite creates in the cluster (design section 5). */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'backstage-agents';
export const SESSION_LABEL = 'agents.backstage.io/session';
export const RUN_LABEL = 'agents.backstage.io/run';
export const EGRESS_LABEL = 'agents.backstage.io/egress';
export const ENTITY_LABEL = 'agents.backstage.io/entity';
export const ENTITY_REF_ANNOTATION = 'agents.backstage.io/entity-ref';
/** The session's page in Backstage, for whoever finds the pod in kubectl or the Kubernetes tab. */
export const SESSION_URL_ANNOTATION = 'agents.backstage.io/session-url';
/**
 * Backstage's Kubernetes plugin lists, for an entity, the objects labelled with its name (unless
 * the entity says otherwise with `backstage.io/kubernetes-label-selector`), so harness pods appear
 * in the component's Kubernetes tab.
 */
export const KUBERNETES_ID_LABEL = 'backstage.io/kubernetes-id';

/** Selects every pod and secret the suite manages. */
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;

/** The one container of a harness pod. */
export const HARNESS_CONTAINER = 'harness';

/** The prefix of the harness's final, machine-readable line. */
export const RESULT_PREFIX = 'AGENTS_RESULT';

/** A label value from an entity ref: `component:default/payments` → `component.default.payments`. */
export function entityLabelValue(entityRef: string): string {
  const value = entityRef.toLocaleLowerCase('en-US').replace(/[^a-z0-9._-]+/g, '.');
  // Label values are at most 63 characters and start and end alphanumeric.
  return value.slice(0, 63).replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
}

const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/**
 * The `backstage.io/kubernetes-id` value of an entity ref: the entity's name as it is (the plugin
 * matches it exactly), or undefined when it cannot be a label value.
 */
export function kubernetesIdOf(entityRef: string): string | undefined {
  // Names hold neither ':' nor '/': what follows the last of them is the name.
  const name = entityRef.replace(/^.*[:/]/, '');
  return name && LABEL_VALUE.test(name) ? name : undefined;
}

/** The pod (and secret) name of a run. */
export function runObjectName(runId: string): string {
  return `agents-run-${runId}`;
}

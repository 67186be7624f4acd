import { Deployment } from 'kubernetes-models/apps/v1';
import { Service, ServiceAccount } from 'kubernetes-models/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  Role,
  RoleBinding,
} from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import type { ResourceType } from './resourceType';

/**
 * The kinds a Backstage installation ships beside what the runtime uses (deploy/): Deployments,
 * Services, Ingresses and PodDisruptionBudgets. They are stored, validated and defaulted like the
 * real server does it, with no controller behind them: a Deployment creates no ReplicaSet or pods, a
 * Service gets a cluster IP but routes nothing.
 */
export const WORKLOAD_RESOURCE_TYPES: ResourceType[] = [
  {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    singular: 'deployment',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status'],
  },
  {
    group: '',
    version: 'v1',
    kind: 'Service',
    plural: 'services',
    singular: 'service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    subresources: ['status'],
    returnsDeletedObject: true,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'Ingress',
    plural: 'ingresses',
    singular: 'ingress',
    namespaced: true,
    shortNames: ['ing'],
    subresources: ['status'],
  },
  {
    group: 'policy',
    version: 'v1',
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    singular: 'poddisruptionbudget',
    namespaced: true,
    shortNames: ['pdb'],
    subresources: ['status'],
  },
];

/** Schema classes (kubernetes-models) for these kinds and for stored-only kinds that had none. */
export const WORKLOAD_SCHEMAS: Record<
  string,
  new (data: any) => { validate(): void }
> = {
  Deployment,
  Service,
  Ingress,
  PodDisruptionBudget,
  ServiceAccount,
  Role,
  RoleBinding,
};

type Cause = { field?: string; message: string };

/** Whether every matchLabels / matchExpressions term of a selector matches the labels. */
function selectorMatches(
  selector: any,
  labels: Record<string, string>,
): boolean {
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const expr of selector?.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, expr.key);
    const values: string[] = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
        if (!has || !values.includes(labels[expr.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[expr.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Checks the real server makes beyond the schema, for the kinds above. */
export function workloadCauses(kind: string, obj: any): Cause[] {
  const causes: Cause[] = [];
  if (kind === 'Deployment') {
    const selector = obj.spec?.selector;
    const labels = obj.spec?.template?.metadata?.labels ?? {};
    const empty =
      !selector ||
      (Object.keys(selector.matchLabels ?? {}).length === 0 &&
        (selector.matchExpressions ?? []).length === 0);
    if (empty) {
      causes.push({ field: 'spec.selector', message: 'Required value' });
    } else if (!selectorMatches(selector, labels)) {
      causes.push({
        field: 'spec.template.metadata.labels',
        message: `Invalid value: ${JSON.stringify(
          labels,
        )}: \`selector\` does not match template \`labels\``,
      });
    }
    const restartPolicy = obj.spec?.template?.spec?.restartPolicy;
    if (restartPolicy && restartPolicy !== 'Always') {
      causes.push({
        field: 'spec.template.spec.restartPolicy',
        message: `Unsupported value: "${restartPolicy}": supported values: "Always"`,
      });
    }
  }
  if (kind === 'Service') {
    const ports: any[] = obj.spec?.ports ?? [];
    const type = obj.spec?.type ?? 'ClusterIP';
    if (
      ports.length === 0 &&
      type !== 'ExternalName' &&
      obj.spec?.clusterIP !== 'None'
    ) {
      causes.push({ field: 'spec.ports', message: 'Required value' });
    }
    if (ports.length > 1) {
      ports.forEach((p, i) => {
        if (!p?.name)
          causes.push({
            field: `spec.ports[${i}].name`,
            message: 'Required value',
          });
      });
    }
  }
  if (kind === 'RoleBinding' && obj.roleRef) {
    if (!['Role', 'ClusterRole'].includes(obj.roleRef.kind)) {
      causes.push({
        field: 'roleRef.kind',
        message: `Unsupported value: "${obj.roleRef.kind}": supported values: "Role", "ClusterRole"`,
      });
    }
  }
  return causes;
}

/** The first cluster IP handed out; later Services get the next free address. */
const SERVICE_CIDR_BASE = [10, 96, 0, 0];
let nextServiceOffset = 10;

function allocateClusterIp(): string {
  const offset = nextServiceOffset++;
  const [a, b] = SERVICE_CIDR_BASE;
  return `${a}.${b}.${Math.floor(offset / 256) % 256}.${offset % 256}`;
}

function applyPodTemplateDefaults(template: any): void {
  const spec = (template.spec ??= {});
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  for (const container of [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
  ]) {
    container.terminationMessagePath ??= '/dev/termination-log';
    container.terminationMessagePolicy ??= 'File';
    container.resources ??= {};
    container.imagePullPolicy ??=
      typeof container.image === 'string' &&
      /:[^/]+$/.test(container.image) &&
      !container.image.endsWith(':latest')
        ? 'IfNotPresent'
        : 'Always';
    for (const port of container.ports ?? []) port.protocol ??= 'TCP';
  }
}

/** Defaulting on create, as the real server's defaulters and registry strategies apply it. */
export function admitWorkloadCreate(kind: string, obj: any): void {
  if (kind === 'Deployment') {
    const spec = (obj.spec ??= {});
    spec.replicas ??= 1;
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    spec.strategy ??= {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
    };
    applyPodTemplateDefaults((spec.template ??= {}));
    obj.status = {};
  }
  if (kind === 'Service') {
    const spec = (obj.spec ??= {});
    spec.type ??= 'ClusterIP';
    spec.sessionAffinity ??= 'None';
    if (spec.type !== 'ExternalName') {
      spec.clusterIP ??= allocateClusterIp();
      spec.clusterIPs ??= [spec.clusterIP];
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
      spec.internalTrafficPolicy ??= 'Cluster';
    }
    for (const port of spec.ports ?? []) {
      port.protocol ??= 'TCP';
      port.targetPort ??= port.port;
    }
    obj.status = { loadBalancer: {} };
  }
  if (kind === 'Ingress' || kind === 'PodDisruptionBudget') {
    obj.status =
      kind === 'Ingress'
        ? { loadBalancer: {} }
        : {
            disruptionsAllowed: 0,
            currentHealthy: 0,
            desiredHealthy: 0,
            expectedPods: 0,
          };
  }
}

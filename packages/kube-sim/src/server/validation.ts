import { Pod, Secret, ConfigMap, Namespace } from 'kubernetes-models/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { ResourceType } from './resourceType';
import { invalid } from './statusErrors';
import { CONTROLLER_SCHEMAS } from './controllerResources';
import { WORKLOAD_SCHEMAS, workloadCauses } from './workloadResources';

type Cause = { field?: string; message: string };

/** Schema classes from kubernetes-models; types without one are only checked for metadata. */
const SCHEMAS: Record<string, new (data: any) => { validate(): void }> = {
  Pod,
  Secret,
  ConfigMap,
  Namespace,
  NetworkPolicy,
  ...WORKLOAD_SCHEMAS,
  ...CONTROLLER_SCHEMAS,
};

const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** `/spec/containers/0/image` → `spec.containers[0].image`, the way the real server names fields. */
function fieldOf(instancePath: string): string {
  let field = '';
  for (const part of instancePath.split('/').filter(p => p)) {
    if (/^\d+$/.test(part)) field += `[${part}]`;
    else field += field ? `.${part}` : part;
  }
  return field;
}

function schemaCauses(type: ResourceType, obj: any): Cause[] {
  const Schema = SCHEMAS[type.kind];
  if (!Schema) return [];
  try {
    new Schema(obj).validate();
    return [];
  } catch (e: any) {
    const errors: any[] = Array.isArray(e?.errors) ? e.errors : [];
    if (errors.length === 0) return [{ message: String(e?.message ?? e) }];
    return errors.map(err => ({
      field: fieldOf(err.instancePath ?? '') || undefined,
      message: String(err.message),
    }));
  }
}

function nameCauses(type: ResourceType, obj: any): Cause[] {
  const name: string = obj.metadata?.name ?? '';
  const pattern = type.kind === 'Namespace' ? DNS_LABEL : DNS_SUBDOMAIN;
  if (!name)
    return [
      {
        field: 'metadata.name',
        message: 'Required value: name or generateName is required',
      },
    ];
  if (name.length > 253 || !pattern.test(name)) {
    return [
      {
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 ${
          type.kind === 'Namespace' ? 'label' : 'subdomain'
        } must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      },
    ];
  }
  return [];
}

function kindSpecificCauses(type: ResourceType, obj: any): Cause[] {
  const causes: Cause[] = [];
  if (type.kind === 'Pod') {
    const containers: any[] = obj.spec?.containers ?? [];
    if (Array.isArray(containers) && containers.length === 0) {
      causes.push({ field: 'spec.containers', message: 'Required value' });
    }
    containers.forEach((c, i) => {
      if (typeof c?.name === 'string' && !DNS_LABEL.test(c.name)) {
        causes.push({
          field: `spec.containers[${i}].name`,
          message: `Invalid value: "${c.name}": must be a DNS label`,
        });
      }
      if (c && !c.image) {
        causes.push({
          field: `spec.containers[${i}].image`,
          message: 'Required value',
        });
      }
      const volumes = new Set(
        (obj.spec?.volumes ?? []).map((v: any) => v?.name),
      );
      (c?.volumeMounts ?? []).forEach((m: any, j: number) => {
        if (!volumes.has(m?.name)) {
          causes.push({
            field: `spec.containers[${i}].volumeMounts[${j}].name`,
            message: `Not found: "${m?.name}"`,
          });
        }
      });
    });
  }
  if (type.kind === 'Secret') {
    for (const [key, value] of Object.entries(obj.data ?? {})) {
      if (typeof value === 'string' && !BASE64.test(value)) {
        causes.push({
          field: `data[${key}]`,
          message: 'Invalid value: illegal base64 data',
        });
      }
    }
  }
  return causes;
}

/** Throws a 422 Invalid `ApiError` listing every problem, like the real server's admission. */
export function validateObject(type: ResourceType, obj: any): void {
  const causes = [
    ...nameCauses(type, obj),
    ...schemaCauses(type, obj),
    ...kindSpecificCauses(type, obj),
    ...workloadCauses(type.kind, obj),
  ];
  if (causes.length > 0) {
    throw invalid(
      {
        group: type.group,
        plural: type.plural,
        kind: type.kind,
        name: obj.metadata?.name ?? '',
      },
      causes,
    );
  }
}

/** Paths of the pod spec that may change after creation, as in the real API. */
const MUTABLE_POD_SPEC = ['activeDeadlineSeconds', 'tolerations'];

/** Rejects pod spec updates the real server forbids (all but images, deadline, tolerations). */
export function validatePodSpecUpdate(oldPod: any, newPod: any): void {
  const strip = (spec: any) => {
    const copy = JSON.parse(JSON.stringify(spec ?? {}));
    for (const key of MUTABLE_POD_SPEC) delete copy[key];
    for (const c of copy.containers ?? []) delete c.image;
    for (const c of copy.initContainers ?? []) delete c.image;
    return canonicalJson(copy);
  };
  if (strip(oldPod.spec) !== strip(newPod.spec)) {
    throw invalid(
      {
        group: '',
        plural: 'pods',
        kind: 'Pod',
        name: newPod.metadata?.name ?? '',
      },
      [
        {
          field: 'spec',
          message:
            'Forbidden: pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations)',
        },
      ],
    );
  }
}

/** JSON with sorted keys, so key order does not affect the comparison above. */
function canonicalJson(value: any): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map(k => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

import { resolve } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import {
  ConfigMap,
  Namespace,
  Pod,
  Secret,
  Service,
  ServiceAccount,
} from 'kubernetes-models/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
} from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { DEPLOY_DIR } from './paths';
import { K8sObject, run } from './render';

/** The official schemas (kubernetes-models) of every built-in kind the manifests may contain. */
const BUILT_IN: Record<string, new (data: any) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/Pod': Pod,
  'apps/v1/Deployment': Deployment,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'networking.k8s.io/v1/Ingress': Ingress,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
};

/** Custom resources, validated by scripts/validate-crds.mjs against their published schemas. */
export const CUSTOM_KINDS = new Set([
  'external-secrets.io/v1/ExternalSecret',
  'cilium.io/v2/CiliumNetworkPolicy',
  'argoproj.io/v1alpha1/Application',
  'argoproj.io/v1alpha1/AppProject',
]);

export const typeKey = (o: K8sObject) => `${o.apiVersion}/${o.kind}`;
export const isCustomResource = (o: K8sObject) => CUSTOM_KINDS.has(typeKey(o));

export interface SchemaProblem {
  object: string;
  error: string;
}

/** Every object checked against its schema; an object of a kind without one is a problem too. */
export function schemaProblems(objects: K8sObject[]): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const custom: K8sObject[] = [];
  for (const object of objects) {
    const key = typeKey(object);
    const name = `${key} ${object.metadata?.namespace ?? ''}/${
      object.metadata?.name
    }`;
    if (CUSTOM_KINDS.has(key)) {
      custom.push(object);
      continue;
    }
    const Model = BUILT_IN[key];
    if (!Model) {
      problems.push({ object: name, error: `no schema for ${key}` });
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error: any) {
      problems.push({ object: name, error: String(error?.message ?? error) });
    }
  }
  if (custom.length > 0) {
    const results: Array<{ kind: string; name: string; error: string | null }> =
      JSON.parse(
        run(
          process.execPath,
          [resolve(DEPLOY_DIR, 'scripts/validate-crds.mjs')],
          {
            input: JSON.stringify(custom),
          },
        ),
      );
    for (const result of results) {
      if (result.error)
        problems.push({
          object: `${result.kind} ${result.name}`,
          error: result.error,
        });
    }
  }
  return problems;
}

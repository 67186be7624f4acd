import { parse } from 'yaml';
import { K8sObject, find } from './render';

/** Backstage's merge of config layers: objects merge key by key, anything else is replaced. */
export function mergeConfig(base: any, layer: any): any {
  if (
    base &&
    layer &&
    typeof base === 'object' &&
    typeof layer === 'object' &&
    !Array.isArray(base) &&
    !Array.isArray(layer)
  ) {
    const merged: any = { ...base };
    for (const [key, value] of Object.entries(layer))
      merged[key] = mergeConfig(base[key], value);
    return merged;
  }
  return layer === undefined ? base : layer;
}

/** The installation's configuration: the ConfigMap's two layers, merged in load order. */
export function effectiveAppConfig(objects: K8sObject[]): any {
  const configMap =
    objects.find(
      o =>
        o.kind === 'ConfigMap' &&
        o.metadata.name.startsWith('backstage-app-config'),
    ) ?? find(objects, 'ConfigMap', 'backstage-app-config');
  const data = configMap.data ?? {};
  return mergeConfig(
    parse(data['app-config.kubernetes.yaml'] ?? '{}'),
    parse(data['app-config.env.yaml'] ?? '{}'),
  );
}

/** The egress profile of every configured policy (a policy without one inherits default's). */
export function configuredEgressProfiles(config: any): Map<string, string> {
  const policies: Record<string, any> = config?.agents?.policies ?? {};
  const fallback = policies.default?.egressProfile ?? 'github-only';
  const profiles = new Map<string, string>();
  for (const [name, policy] of Object.entries(policies)) {
    profiles.set(name, policy?.egressProfile ?? fallback);
  }
  if (profiles.size === 0) profiles.set('default', fallback);
  return profiles;
}

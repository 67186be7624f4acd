import { RESOURCE_TYPES, verbsOf } from './resources';
import type { ResourceType } from './resourceType';

/** What `/version` reports; kubectl only warns on skew, so a recent minor is enough. */
export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-kube-sim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function groups(): Map<string, string[]> {
  const byGroup = new Map<string, string[]>();
  for (const t of RESOURCE_TYPES) {
    if (!t.group) continue;
    const versions = byGroup.get(t.group) ?? [];
    if (!versions.includes(t.version)) versions.push(t.version);
    byGroup.set(t.group, versions);
  }
  return byGroup;
}

export function apiVersions() {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [
      { clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' },
    ],
  };
}

function groupEntry(name: string, versions: string[]) {
  const list = versions.map(version => ({
    groupVersion: `${name}/${version}`,
    version,
  }));
  return { name, versions: list, preferredVersion: list[0] };
}

export function apiGroupList() {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups()].map(([name, versions]) => groupEntry(name, versions)),
  };
}

export function apiGroup(name: string) {
  const versions = groups().get(name);
  return versions
    ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(name, versions) }
    : undefined;
}

/** Subresources whose kind and verbs differ from the status-like default. */
const SUBRESOURCE_SHAPES: Record<string, { kind: string; verbs: string[] }> = {
  log: { kind: 'Pod', verbs: ['get'] },
  binding: { kind: 'Binding', verbs: ['create'] },
};

function resourceEntries(type: ResourceType) {
  const main = {
    name: type.plural,
    singularName: type.singular,
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: verbsOf(type),
    ...(type.shortNames ? { shortNames: type.shortNames } : {}),
    ...(type.categories ? { categories: type.categories } : {}),
  };
  const subresources = (type.subresources ?? []).map(sub => ({
    name: `${type.plural}/${sub}`,
    singularName: '',
    namespaced: type.namespaced,
    ...(SUBRESOURCE_SHAPES[sub] ?? {
      kind: type.kind,
      verbs: ['get', 'patch', 'update'],
    }),
  }));
  return [main, ...subresources];
}

/** The APIResourceList for one group/version, or undefined if this server does not serve it. */
export function apiResourceList(group: string, version: string) {
  const types = RESOURCE_TYPES.filter(
    t => t.group === group && t.version === version,
  );
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: types.flatMap(resourceEntries),
  };
}

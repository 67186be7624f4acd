import type { Column } from './column';

/**
 * `kubectl get` columns for the kinds of workloadResources.ts, as the real server prints them. Takes
 * the shared NAME and AGE columns so this module needs nothing from tables.ts at load time.
 */
export function workloadColumns(
  name: Column,
  age: Column,
): Record<string, Column[]> {
  const ports = (s: any) =>
    (s.spec?.ports ?? [])
      .map(
        (p: any) =>
          `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${
            p.protocol ?? 'TCP'
          }`,
      )
      .join(',') || '<none>';
  return {
    Deployment: [
      name,
      {
        name: 'Ready',
        type: 'string',
        cell: d => `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
      },
      {
        name: 'Up-to-date',
        type: 'integer',
        cell: d => d.status?.updatedReplicas ?? 0,
      },
      {
        name: 'Available',
        type: 'integer',
        cell: d => d.status?.availableReplicas ?? 0,
      },
      age,
      {
        name: 'Containers',
        type: 'string',
        priority: 1,
        cell: d =>
          (d.spec?.template?.spec?.containers ?? [])
            .map((c: any) => c.name)
            .join(','),
      },
      {
        name: 'Images',
        type: 'string',
        priority: 1,
        cell: d =>
          (d.spec?.template?.spec?.containers ?? [])
            .map((c: any) => c.image)
            .join(','),
      },
    ],
    Service: [
      name,
      { name: 'Type', type: 'string', cell: s => s.spec?.type ?? 'ClusterIP' },
      {
        name: 'Cluster-IP',
        type: 'string',
        cell: s => s.spec?.clusterIP ?? '<none>',
      },
      {
        name: 'External-IP',
        type: 'string',
        cell: s =>
          (s.spec?.externalIPs ?? []).join(',') ||
          (s.spec?.type === 'ExternalName' ? s.spec.externalName : '<none>'),
      },
      { name: 'Port(s)', type: 'string', cell: ports },
      age,
    ],
    Ingress: [
      name,
      {
        name: 'Class',
        type: 'string',
        cell: i => i.spec?.ingressClassName ?? '<none>',
      },
      {
        name: 'Hosts',
        type: 'string',
        cell: i =>
          (i.spec?.rules ?? []).map((r: any) => r.host ?? '*').join(',') || '*',
      },
      { name: 'Address', type: 'string', cell: () => '' },
      {
        name: 'Ports',
        type: 'string',
        cell: i => ((i.spec?.tls ?? []).length > 0 ? '80, 443' : '80'),
      },
      age,
    ],
    PodDisruptionBudget: [
      name,
      {
        name: 'Min Available',
        type: 'string',
        cell: p => String(p.spec?.minAvailable ?? 'N/A'),
      },
      {
        name: 'Max Unavailable',
        type: 'string',
        cell: p => String(p.spec?.maxUnavailable ?? 'N/A'),
      },
      {
        name: 'Allowed Disruptions',
        type: 'integer',
        cell: p => p.status?.disruptionsAllowed ?? 0,
      },
      age,
    ],
  };
}

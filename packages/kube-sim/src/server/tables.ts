import type { Column } from './column';
import type { ResourceType } from './resourceType';
import { workloadColumns } from './workloadTables';

/**
 * Server-side printing: kubectl asks for `Table` objects (Accept `as=Table`)
 * and prints their rows, so `kubectl get` shows the columns it would show
 * against a real cluster (STATUS, READY, ...) instead of only NAME and AGE.
 */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept);
}

/** Ages the way kubectl prints them: 42s, 3m5s, 47m, 5h3m, 20h, 3d. */
export function humanAge(
  timestamp: string | undefined,
  now = Date.now(),
): string {
  if (!timestamp) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  if (seconds < 120) return `${seconds}s`;
  if (minutes < 10)
    return seconds % 60 ? `${minutes}m${seconds % 60}s` : `${minutes}m`;
  if (hours < 3) return `${minutes}m`;
  if (hours < 8)
    return minutes % 60 ? `${hours}h${minutes % 60}m` : `${hours}h`;
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

const name: Column = {
  name: 'Name',
  type: 'string',
  format: 'name',
  cell: o => o.metadata.name,
};
const age: Column = {
  name: 'Age',
  type: 'string',
  cell: o => humanAge(o.metadata.creationTimestamp),
};

/** The STATUS column of `kubectl get pods`: the most telling container state or pod reason. */
function podStatus(pod: any): string {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  if (pod.status?.reason) return pod.status.reason;
  for (const status of pod.status?.containerStatuses ?? []) {
    const state = status.state ?? {};
    if (state.waiting?.reason) return state.waiting.reason;
    if (state.terminated && pod.status?.phase !== 'Running')
      return state.terminated.reason ?? `ExitCode:${state.terminated.exitCode}`;
  }
  return pod.status?.phase ?? 'Unknown';
}

const COLUMNS: Record<string, Column[]> = {
  Pod: [
    name,
    {
      name: 'Ready',
      type: 'string',
      cell: p =>
        `${
          (p.status?.containerStatuses ?? []).filter((s: any) => s.ready).length
        }/${p.spec?.containers?.length ?? 0}`,
    },
    { name: 'Status', type: 'string', cell: podStatus },
    {
      name: 'Restarts',
      type: 'string',
      cell: p =>
        String(
          (p.status?.containerStatuses ?? []).reduce(
            (n: number, s: any) => n + (s.restartCount ?? 0),
            0,
          ),
        ),
    },
    age,
    {
      name: 'IP',
      type: 'string',
      priority: 1,
      cell: p => p.status?.podIP ?? '<none>',
    },
    {
      name: 'Node',
      type: 'string',
      priority: 1,
      cell: p => p.spec?.nodeName ?? '<none>',
    },
  ],
  Namespace: [
    name,
    { name: 'Status', type: 'string', cell: n => n.status?.phase ?? 'Active' },
    age,
  ],
  Node: [
    name,
    {
      name: 'Status',
      type: 'string',
      cell: n =>
        (n.status?.conditions ?? []).some(
          (c: any) => c.type === 'Ready' && c.status === 'True',
        )
          ? 'Ready'
          : 'NotReady',
    },
    { name: 'Roles', type: 'string', cell: () => '<none>' },
    age,
    {
      name: 'Version',
      type: 'string',
      cell: n => n.status?.nodeInfo?.kubeletVersion ?? '',
    },
    {
      name: 'Internal-IP',
      type: 'string',
      priority: 1,
      cell: n =>
        (n.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')
          ?.address ?? '<none>',
    },
  ],
  Secret: [
    name,
    { name: 'Type', type: 'string', cell: s => s.type ?? 'Opaque' },
    {
      name: 'Data',
      type: 'integer',
      cell: s => Object.keys(s.data ?? {}).length,
    },
    age,
  ],
  ConfigMap: [
    name,
    {
      name: 'Data',
      type: 'integer',
      cell: c => Object.keys({ ...c.data, ...c.binaryData }).length,
    },
    age,
  ],
  Event: [
    {
      name: 'Last Seen',
      type: 'string',
      cell: e =>
        humanAge(
          e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp,
        ),
    },
    { name: 'Type', type: 'string', cell: e => e.type ?? '' },
    { name: 'Reason', type: 'string', cell: e => e.reason ?? '' },
    {
      name: 'Object',
      type: 'string',
      cell: e =>
        `${(e.involvedObject?.kind ?? '').toLowerCase()}/${
          e.involvedObject?.name ?? ''
        }`,
    },
    { name: 'Message', type: 'string', cell: e => e.message ?? '' },
  ],
  ...workloadColumns(name, age),
};

function columnsOf(type: ResourceType): Column[] {
  return COLUMNS[type.kind] ?? [name, age];
}

export function toTable(
  type: ResourceType,
  objects: any[],
  resourceVersion: string,
) {
  const columns = columnsOf(type);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: columns.map(c => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: '',
      priority: c.priority ?? 0,
    })),
    rows: objects.map(obj => ({
      cells: columns.map(c => c.cell(obj)),
      object: obj,
    })),
  };
}

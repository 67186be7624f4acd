import {
  EmptyState,
  Link,
  Progress,
  StatusError,
  StatusOK,
  StatusPending,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  Cluster,
  DetectedErrorsContext,
  ErrorPanel,
  ErrorReporting,
  useKubernetesObjects,
} from '@backstage/plugin-kubernetes';
import { detectErrors } from '@backstage/plugin-kubernetes-common';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { sessionPodsOf, type SessionPod } from './sessionPods';

/** How often the tab re-reads the clusters, as the stock tab does. */
const REFRESH_MS = 10_000;

const phase = (value: string) => {
  if (value === 'Running' || value === 'Succeeded') return <StatusOK>{value}</StatusOK>;
  if (value === 'Failed' || value === 'Unknown') return <StatusError>{value}</StatusError>;
  return <StatusPending>{value}</StatusPending>;
};

const columns: TableColumn<SessionPod>[] = [
  {
    title: 'Session',
    field: 'sessionId',
    render: pod => <Link to={pod.sessionPath}>{pod.sessionId.slice(0, 8)}</Link>,
  },
  { title: 'Pod', field: 'name' },
  { title: 'Phase', field: 'phase', render: pod => phase(pod.phase) },
  { title: 'Cluster', field: 'cluster' },
  { title: 'Namespace', field: 'namespace' },
  {
    title: 'Started',
    field: 'startedAt',
    render: pod => (pod.startedAt ? new Date(pod.startedAt).toLocaleString() : '—'),
  },
];

/**
 * The entity's Kubernetes tab: its agent sessions' pods (which no workload owns, so the stock
 * cluster view only counts them), then the plugin's own view of every cluster, from one read.
 */
export function KubernetesContentWithSessions() {
  const { entity } = useEntity();
  const { kubernetesObjects, error } = useKubernetesObjects(entity, REFRESH_MS);
  const name = entity.metadata.name;
  if (error !== undefined) return <ErrorPanel entityName={name} errorMessage={error} />;
  if (kubernetesObjects === undefined) return <Progress />;

  const detectedErrors = detectErrors(kubernetesObjects);
  const clustersWithErrors = kubernetesObjects.items.filter(item => item.errors.length > 0);
  const sessionPods = sessionPodsOf(kubernetesObjects);
  return (
    <DetectedErrorsContext.Provider value={[...detectedErrors.values()].flat()}>
      <Grid container spacing={3} direction="column">
        {clustersWithErrors.length > 0 && (
          <Grid item>
            <ErrorPanel entityName={name} clustersWithErrors={clustersWithErrors} />
          </Grid>
        )}
        <Grid item>
          <ErrorReporting
            detectedErrors={detectedErrors}
            clusters={kubernetesObjects.items.map(item => item.cluster)}
          />
        </Grid>
        {sessionPods.length > 0 && (
          <Grid item>
            <Table<SessionPod>
              title="Agent session pods"
              options={{ paging: false, search: false, padding: 'dense' }}
              columns={columns}
              data={sessionPods}
            />
          </Grid>
        )}
        <Grid item>
          <Typography variant="h3">Your Clusters</Typography>
        </Grid>
        {kubernetesObjects.items.length === 0 ? (
          <Grid item>
            <EmptyState
              missing="data"
              title="No Kubernetes resources"
              description={`No resources on any known clusters for ${name}`}
            />
          </Grid>
        ) : (
          kubernetesObjects.items.map(item => (
            <Grid item xs={12} key={item.cluster.name}>
              <Cluster
                clusterObjects={item}
                podsWithErrors={
                  new Set(
                    detectedErrors
                      .get(item.cluster.name)
                      ?.filter(e => e.sourceRef.kind === 'Pod')
                      .map(e => e.sourceRef.name),
                  )
                }
              />
            </Grid>
          ))
        )}
      </Grid>
    </DetectedErrorsContext.Provider>
  );
}

import {
  CoreV1Api,
  NetworkingV1Api,
  type KubeConfig,
  type V1Namespace,
  type V1NetworkPolicy,
} from '@kubernetes/client-node';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * The agents namespace as deploy/ ships it (restricted Pod Security labels) and its NetworkPolicies
 * (default deny, DNS, backend, the egress profiles), read from the real manifests: `baseDir` is
 * `deploy/kustomize/base` of this repository.
 */
export async function applyAgentsNamespace(kubeConfig: KubeConfig, baseDir: string): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const networking = kubeConfig.makeApiClient(NetworkingV1Api);
  const docs = (file: string) =>
    parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => d.toJSON()).filter(Boolean);
  const namespace = docs(path.join(baseDir, 'namespaces.yaml')).find(
    (d: V1Namespace) => d.metadata?.name === 'agents',
  );
  await core.createNamespace({ body: namespace });
  const dir = path.join(baseDir, 'networkpolicies');
  for (const file of fs.readdirSync(dir).filter(f => f.endsWith('.yaml') && !f.includes('example'))) {
    for (const policy of docs(path.join(dir, file)) as V1NetworkPolicy[]) {
      await networking.createNamespacedNetworkPolicy({ namespace: 'agents', body: policy });
    }
  }
}

import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

const CONTEXT = 'kube-sim';

/** A kubeconfig document for the simulator: one cluster, one context, a token user (not checked). */
export function kubeconfigDocument(serverUrl: string, namespace = 'default') {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    // @kubernetes/client-node refuses plain HTTP unless TLS verification is explicitly skipped.
    clusters: [
      {
        name: CONTEXT,
        cluster: { server: serverUrl, ...(serverUrl.startsWith('http:') ? { 'insecure-skip-tls-verify': true } : {}) },
      },
    ],
    users: [{ name: CONTEXT, user: { token: 'kube-sim' } }],
    contexts: [{ name: CONTEXT, context: { cluster: CONTEXT, user: CONTEXT, namespace } }],
    'current-context': CONTEXT,
    preferences: {},
  };
}

export function kubeConfigFor(serverUrl: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(JSON.stringify(kubeconfigDocument(serverUrl)));
  return kc;
}

export function writeKubeconfig(path: string, serverUrl: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, stringify(kubeconfigDocument(serverUrl)), { mode: 0o600 });
}

import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

const CONTEXT = 'kube-sim';

/** A kubeconfig document for the simulator: one cluster, one context, a token user (not checked). */
export function kubeconfigDocument(
  serverUrl: string,
  caCert?: string,
  namespace = 'default',
) {
  const trust = caCert
    ? { 'certificate-authority-data': Buffer.from(caCert).toString('base64') }
    : // @kubernetes/client-node refuses plain HTTP unless TLS verification is explicitly skipped.
      { 'insecure-skip-tls-verify': true };
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT, cluster: { server: serverUrl, ...trust } }],
    users: [{ name: CONTEXT, user: { token: 'kube-sim' } }],
    contexts: [
      {
        name: CONTEXT,
        context: { cluster: CONTEXT, user: CONTEXT, namespace },
      },
    ],
    'current-context': CONTEXT,
    preferences: {},
  };
}

export function kubeConfigFor(serverUrl: string, caCert?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(JSON.stringify(kubeconfigDocument(serverUrl, caCert)));
  return kc;
}

export function writeKubeconfig(
  path: string,
  serverUrl: string,
  caCert?: string,
): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, stringify(kubeconfigDocument(serverUrl, caCert)), {
    mode: 0o600,
  });
}

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { freePort } from './freePort';
import { startGroup, type GroupProcess } from './processGroup';
import { waitFor } from './waitFor';

export const ROOT = path.resolve(__dirname, '../..');
export const NAMESPACE = 'agents';

/** What sessions run against: the cluster simulator with its process kubelet, and the fake GitHub. */
export interface ChaosCluster {
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  githubPort: number;
  githubAppKey: string;
  /** The simulator's URL, CA and token, as Backstage's Kubernetes plugin takes them (app-config.yaml). */
  kubeEnv: Record<string, string>;
  /** `POST /__kube-sim/faults` of the simulator's admin endpoint; answers its JSON. */
  injectFault(body: object): Promise<Record<string, unknown>>;
  processes: GroupProcess[];
}

/**
 * Starts what `scripts/start.sh` starts for sessions, on free ports under `dir`: the example
 * repositories served by the fake GitHub, and the cluster simulator (in its own process) mapping the
 * harness image to the real harness entrypoint, with the agents namespace and its NetworkPolicies.
 */
export async function startCluster(dir: string): Promise<ChaosCluster> {
  fs.mkdirSync(path.join(dir, 'kube'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'github'), { recursive: true });
  execFileSync('bash', [path.join(ROOT, 'scripts/dev-repos.sh')], {
    env: { ...process.env, AGENTS_DATA_DIR: dir },
    stdio: 'ignore',
  });

  const githubPort = await freePort();
  const appKeyPath = path.join(dir, 'github/app.pem');
  const github = startGroup(
    'fake-github',
    process.execPath,
    [
      path.join(ROOT, 'packages/fake-github/bin/fake-github'),
      '--port', String(githubPort),
      '--repos-dir', path.join(dir, 'git'),
      '--app-id', '1',
      '--installation', 'example-org=all',
      '--private-key-out', appKeyPath,
    ],
    { cwd: ROOT, logFile: path.join(dir, 'github/fake-github.log') },
  );

  // PWD unset as a container runtime leaves it; the demo harness needs no agent CLI.
  const imagesPath = path.join(dir, 'kube/images.yaml');
  fs.writeFileSync(
    imagesPath,
    stringify({
      'ghcr.io/backstage-agents/harness:*': [
        '/usr/bin/env', '-u', 'PWD', process.execPath, path.join(ROOT, 'images/harness/entrypoint/main.js'),
      ],
    }),
  );
  const kubeconfigPath = path.join(dir, 'kube/config');
  const sim = startGroup(
    'kube-sim',
    process.execPath,
    [
      path.join(ROOT, 'packages/kube-sim/bin/kube-sim'),
      '--kubeconfig', kubeconfigPath,
      '--images', imagesPath,
      '--work-dir', path.join(dir, 'kube/pods'),
    ],
    { cwd: ROOT, logFile: path.join(dir, 'kube/kube-sim.log') },
  );
  await waitFor(
    'the cluster simulator',
    async () => (fs.readFileSync(sim.logFile, 'utf8').includes('kubeconfig written') ? true : undefined),
    { timeoutMs: 60_000 },
  );
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/dev-cluster.js'), kubeconfigPath], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const githubAppKey = await waitFor(
    'the fake GitHub',
    async () => (fs.existsSync(appKeyPath) && fs.statSync(appKeyPath).size > 0 ? fs.readFileSync(appKeyPath, 'utf8') : undefined),
    { timeoutMs: 60_000 },
  );

  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const cluster = kubeConfig.getCurrentCluster()!;
  const user = kubeConfig.getCurrentUser();
  const ca = Buffer.from(cluster.caData ?? '', 'base64');
  const injectFault = (body: object) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const url = new URL('/__kube-sim/faults', cluster.server);
      const req = https.request(url, { method: 'POST', ca, headers: { 'content-type': 'application/json' } }, res => {
        let text = '';
        res.on('data', chunk => (text += chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`${res.statusCode} ${text}`))));
      });
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  return {
    kubeconfigPath,
    kubeConfig,
    githubPort,
    githubAppKey,
    kubeEnv: {
      AGENTS_KUBE_URL: cluster.server,
      AGENTS_KUBE_CA_DATA: cluster.caData ?? '',
      AGENTS_KUBE_TOKEN: user?.token ?? '',
    },
    injectFault,
    processes: [sim, github],
  };
}

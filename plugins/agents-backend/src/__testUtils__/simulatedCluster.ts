import {
  startKubeSim,
  startProcessKubelet,
  type KubeSim,
  type ProcessKubelet,
} from '@backstage-agents/kube-sim';
import { CoreV1Api } from '@kubernetes/client-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyAgentsNamespace } from '../testUtils/agentsNamespace';

export interface SimulatedCluster {
  sim: KubeSim;
  kubelet: ProcessKubelet;
  core: CoreV1Api;
  kubeconfigPath: string;
  dir: string;
  stop(): Promise<void>;
}

/**
 * The cluster simulator with its process kubelet and an `agents` namespace: `images` maps image
 * references to local commands, as the development setup does.
 */
export async function startSimulatedCluster(options: {
  images: Record<string, string[]>;
  hostEnv?: Record<string, string>;
}): Promise<SimulatedCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agents-cluster-'));
  const kubeconfigPath = path.join(dir, 'kubeconfig');
  const sim = await startKubeSim({ kubeconfigPath });
  const core = sim.kubeConfig.makeApiClient(CoreV1Api);
  await applyAgentsNamespace(sim.kubeConfig, path.resolve(__dirname, '../../../../deploy/kustomize/base'));
  const kubelet = await startProcessKubelet({
    kubeConfig: sim.kubeConfig,
    images: options.images,
    workDir: path.join(dir, 'kubelet'),
    hostEnv: options.hostEnv,
  });
  return {
    sim,
    kubelet,
    core,
    kubeconfigPath,
    dir,
    async stop() {
      await kubelet.stop();
      await sim.stop();
    },
  };
}

/** Polls `probe` until it returns a value. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

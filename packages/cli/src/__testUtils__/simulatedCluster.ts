import {
  startKubeSim,
  startProcessKubelet,
  type KubeSim,
} from '@backstage-agents/kube-sim';
import { applyAgentsNamespace } from '@backstage-agents/plugin-agents-backend/testUtils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type SimulatedCluster = {
  sim: KubeSim;
  /** The kubeconfig file of the simulator, for `agents.kubernetes.kubeconfig`. */
  kubeconfigPath: string;
  stop(): Promise<void>;
};

/**
 * The cluster simulator with a process kubelet and the `agents` namespace as deploy/ ships it;
 * `images` maps image references to local commands. (The backend's own tests assemble the same in
 * its src/__testUtils__, which other packages cannot import.)
 */
export async function startSimulatedCluster(options: {
  images: Record<string, string[]>;
  repoRoot: string;
}): Promise<SimulatedCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agents-cli-cluster-'));
  const kubeconfigPath = path.join(dir, 'kubeconfig');
  const sim = await startKubeSim({ kubeconfigPath });
  await applyAgentsNamespace(
    sim.kubeConfig,
    path.join(options.repoRoot, 'deploy/kustomize/base'),
  );
  const kubelet = await startProcessKubelet({
    kubeConfig: sim.kubeConfig,
    images: options.images,
    workDir: path.join(dir, 'kubelet'),
  });
  return {
    sim,
    kubeconfigPath,
    async stop() {
      await kubelet.stop();
      await sim.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { KubeConfig } from '@kubernetes/client-node';
import { kubeConfigFor, writeKubeconfig } from './kubeconfig';
import {
  ApiServer,
  ApiServerOptions,
  startApiServer,
} from './server/apiServer';
import { Faults } from './server/faults';

export interface KubeSimOptions extends ApiServerOptions {
  /** Where to write a kubeconfig for the simulator; none is written when omitted. */
  kubeconfigPath?: string;
}

export interface KubeSim {
  /** Base URL of the API server, e.g. http://127.0.0.1:43121. */
  url: string;
  kubeconfigPath?: string;
  /** A client configuration pointing at the simulator. */
  kubeConfig: KubeConfig;
  faults: Faults;
  /** In-process access to the server internals, for assertions in tests. */
  server: ApiServer;
  stop(): Promise<void>;
}

/** Starts the Kubernetes API simulator (without a kubelet; see startProcessKubelet). */
export async function startKubeSim(
  options: KubeSimOptions = {},
): Promise<KubeSim> {
  const server = await startApiServer(options);
  if (options.kubeconfigPath)
    writeKubeconfig(options.kubeconfigPath, server.url, server.caCert);
  return {
    url: server.url,
    kubeconfigPath: options.kubeconfigPath,
    kubeConfig: kubeConfigFor(server.url, server.caCert),
    faults: server.faults,
    server,
    stop: () => server.stop(),
  };
}

export { startProcessKubelet } from './kubelet/processKubelet';
export type {
  ProcessKubelet,
  ProcessKubeletOptions,
} from './kubelet/processKubelet';
export type { ImageMap } from './kubelet/imageMap';
export type { ApiServer, ApiServerOptions } from './server/apiServer';
export type { DelaySpec, Faults, FailureSpec } from './server/faults';
export type { TlsMaterial } from './server/tls';
export { ADMIN_FAULTS_PATH } from './server/routes';
export {
  kubeConfigFor,
  kubeconfigDocument,
  writeKubeconfig,
} from './kubeconfig';
export {
  LATEST_POLICY_MINOR,
  evaluatePodSecurity,
  namespacePolicy,
} from './server/podSecurity';
export type {
  PodSecurityLevel,
  PodSecurityMode,
  PodSecurityPolicy,
  PodSecurityResult,
} from './server/podSecurity';

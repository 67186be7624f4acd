import { CoreV1Api } from '@kubernetes/client-node';
import { kubeConfigFor, startKubeSim } from '../index';

describe('HTTPS', () => {
  it('serves HTTPS with a generated certificate that the kubeconfig trusts', async () => {
    const sim = await startKubeSim({ tls: true });
    try {
      expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const cluster = sim.kubeConfig.getCurrentCluster();
      expect(cluster?.caData).toBeDefined();
      expect(cluster?.skipTLSVerify).toBeFalsy();
      const namespaces = await sim.kubeConfig
        .makeApiClient(CoreV1Api)
        .listNamespace();
      expect(namespaces.items.map(n => n.metadata?.name)).toContain('default');

      // A client that does not trust the certificate is refused.
      const untrusted = kubeConfigFor(sim.url);
      untrusted.clusters[0] = {
        ...untrusted.clusters[0],
        skipTLSVerify: false,
      };
      await expect(
        untrusted.makeApiClient(CoreV1Api).listNamespace(),
      ).rejects.toThrow();
    } finally {
      await sim.stop();
    }
  });
});

import { startKubeSim, type KubeSim } from '@backstage-agents/kube-sim';
import { CoreV1Api } from '@kubernetes/client-node';
import tls from 'node:tls';
import { makeTimedApiClient } from './kubeClients';

describe('makeTimedApiClient', () => {
  let sim: KubeSim;

  beforeAll(async () => {
    sim = await startKubeSim();
  });
  afterAll(() => sim.stop());

  it('answers like the client kubeConfig makes, and aborts a call the API server does not answer in time', async () => {
    const core = makeTimedApiClient(sim.kubeConfig, CoreV1Api, 500);
    const created = await core.createNamespace({ body: { metadata: { name: 'timed' } } });
    expect(created.metadata?.uid).toBeTruthy();

    sim.faults.delayNext({ count: 1, method: 'POST', pathIncludes: '/pods', delayMs: 3_000 });
    const pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] } };
    await expect(core.createNamespacedPod({ namespace: 'timed', body: pod })).rejects.toThrow(/abort/i);
    // The next call goes through.
    expect((await core.readNamespace({ name: 'timed' })).metadata?.name).toBe('timed');
  });

  it('sends consecutive calls over one kept TLS connection', async () => {
    const secure = await startKubeSim({ tls: true });
    const connect = jest.spyOn(tls, 'connect');
    try {
      const core = makeTimedApiClient(secure.kubeConfig, CoreV1Api);
      for (let i = 0; i < 5; i++) await core.listNamespace();
      expect(connect).toHaveBeenCalledTimes(1);
    } finally {
      connect.mockRestore();
      await secure.stop();
    }
  });
});

import { ConfigReader } from '@backstage/config';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readClusterSettings } from './clusterConfig';

const kubernetesPlugin = {
  clusterLocatorMethods: [
    { type: 'localKubectlProxy' },
    {
      type: 'config',
      clusters: [
        {
          name: 'east',
          url: 'https://east.example.com:6443',
          authProvider: 'serviceAccount',
          serviceAccountToken: 'east-token',
          caData: Buffer.from('east-ca').toString('base64'),
        },
        { name: 'west', url: 'https://west.example.com', authProvider: 'serviceAccount', skipTLSVerify: true },
        { name: 'gke', url: 'https://gke.example.com', authProvider: 'google' },
      ],
    },
  ],
};

const read = (data: object) => readClusterSettings(new ConfigReader(data));

describe('readClusterSettings', () => {
  it('runs nothing without agents.kubernetes', () => {
    expect(read({ kubernetes: kubernetesPlugin })).toBeUndefined();
  });

  it('keeps the explicit form: a kubeconfig file, its cluster named default', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-config-'));
    const file = path.join(dir, 'config');
    fs.writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: 'https://file.example.com' } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    const settings = read({ agents: { kubernetes: { kubeconfig: file, namespace: 'runs' } } })!;
    expect(settings.clusterName).toBe('default');
    expect(settings.namespace).toBe('runs');
    expect(settings.kubeConfig.getCurrentCluster()?.server).toBe('https://file.example.com');
    expect(settings.otherClusters).toEqual([]);
  });

  it("names a cluster of the Kubernetes plugin instead of repeating its URL and credentials", () => {
    const settings = read({
      app: { baseUrl: 'http://backstage.test' },
      kubernetes: kubernetesPlugin,
      agents: { kubernetes: { cluster: 'east' } },
    })!;
    expect(settings.clusterName).toBe('east');
    expect(settings.appBaseUrl).toBe('http://backstage.test');
    expect(settings.kubeConfig.getCurrentCluster()).toMatchObject({
      server: 'https://east.example.com:6443',
      caData: Buffer.from('east-ca').toString('base64'),
      skipTLSVerify: false,
    });
    expect(settings.kubeConfig.getCurrentUser()).toMatchObject({ token: 'east-token' });
  });

  it("uses the pod's service account for a named cluster without a token", () => {
    const settings = read({ kubernetes: kubernetesPlugin, agents: { kubernetes: { cluster: 'west' } } })!;
    expect(settings.kubeConfig.getCurrentCluster()).toMatchObject({ skipTLSVerify: true });
    expect(settings.kubeConfig.getCurrentUser()?.authProvider).toEqual({
      name: 'tokenFile',
      config: { tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token' },
    });
  });

  it('gives each policy its cluster, others inheriting default', () => {
    const settings = read({
      kubernetes: kubernetesPlugin,
      agents: {
        kubernetes: { cluster: 'east' },
        policies: { default: { cluster: 'east' }, batch: { cluster: 'west' }, docs: {} },
      },
    })!;
    expect([...settings.policyClusters!]).toEqual([
      ['default', 'east'],
      ['batch', 'west'],
      ['docs', 'east'],
    ]);
    expect(settings.otherClusters!.map(c => c.name)).toEqual(['west']);
    expect(settings.otherClusters![0].kubeConfig.getCurrentCluster()?.server).toBe('https://west.example.com');
  });

  it('stops at start-up on a cluster name nothing configures, naming the key', () => {
    expect(() =>
      read({ kubernetes: kubernetesPlugin, agents: { kubernetes: { cluster: 'north' } } }),
    ).toThrow(
      "agents.kubernetes.cluster names the cluster 'north', which is not one of kubernetes.clusterLocatorMethods[].clusters (type config); configured: east, west, gke",
    );
    expect(() =>
      read({
        kubernetes: kubernetesPlugin,
        agents: { kubernetes: { cluster: 'east' }, policies: { default: {}, batch: { cluster: 'south' } } },
      }),
    ).toThrow(/^agents\.policies\.batch\.cluster names the cluster 'south'/);
    expect(() => read({ agents: { kubernetes: { cluster: 'east' } } })).toThrow(/none is configured$/);
  });

  it('refuses clusters harness pods cannot use and ambiguous settings', () => {
    expect(() =>
      read({ kubernetes: kubernetesPlugin, agents: { kubernetes: { cluster: 'gke' } } }),
    ).toThrow(/authProvider is google/);
    expect(() =>
      read({ kubernetes: kubernetesPlugin, agents: { kubernetes: { cluster: 'east', inCluster: true } } }),
    ).toThrow(/leave out inCluster, kubeconfig and context/);
  });
});

#!/usr/bin/env node
// Waits for the cluster simulator started by scripts/start.sh and creates the agents namespace as
// deploy/ ships it (restricted Pod Security) with its NetworkPolicies: the backend refuses to launch
// under an egress profile whose policies are missing, in development as in production. Then the
// harnesses' credentials Secret (named by AGENTS_LLM_CREDENTIALS; app-config.yaml's
// agents.harnesses.<name>.credentialsSecret), as a platform team creates the real one: dummy API keys
// for the model simulator, which accepts any.
// Usage: AGENTS_LLM_CREDENTIALS=<secret> node scripts/dev-cluster.js <kubeconfig>
const fs = require('node:fs');
const path = require('node:path');
const { parseAllDocuments } = require('yaml');

const BASE = path.join(__dirname, '../deploy/kustomize/base');
/** Not a secret: the model simulator (packages/fake-llm) takes any key and never records one. */
const DUMMY_KEY = 'fake-llm-development-key';
const docs = file =>
  parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => d.toJSON()).filter(Boolean);

(async () => {
  const { KubeConfig, CoreV1Api, NetworkingV1Api } = await import('@kubernetes/client-node');
  const file = process.argv[2];
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if (fs.existsSync(file)) {
        const config = new KubeConfig();
        config.loadFromFile(file);
        const core = config.makeApiClient(CoreV1Api);
        await core.readNamespace({ name: 'agents' }).catch(async error => {
          if (error.code !== 404) throw error;
          const namespace = docs(path.join(BASE, 'namespaces.yaml')).find(d => d.metadata.name === 'agents');
          await core.createNamespace({ body: namespace });
        });
        const networking = config.makeApiClient(NetworkingV1Api);
        const dir = path.join(BASE, 'networkpolicies');
        for (const file of fs.readdirSync(dir).filter(f => f.endsWith('.yaml') && !f.includes('example'))) {
          for (const policy of docs(path.join(dir, file))) {
            await networking
              .createNamespacedNetworkPolicy({ namespace: 'agents', body: policy })
              .catch(error => {
                if (error.code !== 409) throw error;
              });
          }
        }
        const credentials = process.env.AGENTS_LLM_CREDENTIALS;
        if (credentials) {
          const secret = {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: credentials, namespace: 'agents' },
            type: 'Opaque',
            // The variables the CLIs read their keys from: OpenCode and Codex OPENAI_API_KEY, Claude
            // Code ANTHROPIC_API_KEY.
            stringData: { OPENAI_API_KEY: DUMMY_KEY, ANTHROPIC_API_KEY: DUMMY_KEY },
          };
          await core.createNamespacedSecret({ namespace: 'agents', body: secret }).catch(error => {
            if (error.code !== 409) throw error;
            return core.replaceNamespacedSecret({ name: credentials, namespace: 'agents', body: secret });
          });
        }
        return;
      }
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`The cluster simulator did not write ${file}`);
    await new Promise(resolve => setTimeout(resolve, 300));
  }
})().catch(error => {
  console.error(`The cluster simulator is not answering: ${error}`);
  process.exit(1);
});

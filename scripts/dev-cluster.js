#!/usr/bin/env node
// Waits for the cluster simulator started by scripts/start.sh and creates the agents namespace.
// Usage: node scripts/dev-cluster.js <kubeconfig>
const fs = require('node:fs');

(async () => {
  const { KubeConfig, CoreV1Api } = await import('@kubernetes/client-node');
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
          await core.createNamespace({ body: { metadata: { name: 'agents' } } });
        });
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

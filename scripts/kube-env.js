#!/usr/bin/env node
// Prints `export AGENTS_KUBE_URL=… AGENTS_KUBE_CA_DATA=… AGENTS_KUBE_TOKEN=…` from a kubeconfig's first
// cluster and user, for `eval` in scripts/start.sh: Backstage's Kubernetes plugin takes a cluster's URL,
// CA and token from config (app-config.yaml's kubernetes section), not from a kubeconfig.
const fs = require('node:fs');
const { parse } = require('yaml');

const config = parse(fs.readFileSync(process.argv[2], 'utf8'));
const cluster = config.clusters[0].cluster;
const user = config.users[0].user;
// Single-quoted for the shell; none of these values holds a quote.
const quote = value => `'${String(value ?? '').replace(/'/g, '')}'`;
console.log(
  `export AGENTS_KUBE_URL=${quote(cluster.server)} AGENTS_KUBE_CA_DATA=${quote(
    cluster['certificate-authority-data'],
  )} AGENTS_KUBE_TOKEN=${quote(user.token)}`,
);

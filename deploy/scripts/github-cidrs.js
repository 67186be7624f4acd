#!/usr/bin/env node
/*
 * Generates the `github-only` egress NetworkPolicy from a saved copy of GitHub's meta document
 * (https://api.github.com/meta, saved as deploy/data/github-meta.json): the published CIDRs of the
 * `git`, `api` and `web` services, deduplicated, with ranges inside a larger listed range dropped,
 * IPv4 first. Writes
 *   deploy/kustomize/base/networkpolicies/egress-github-only.yaml   (the Kustomize base)
 *   deploy/helm/agents-for-backstage/files/github-cidrs.yaml        (the same list for the Helm chart)
 * Both are committed; a test fails when they differ from what this script generates.
 *
 *   node deploy/scripts/github-cidrs.js           # regenerate from the saved document
 *   node deploy/scripts/github-cidrs.js --check   # exit 1 when a generated file is stale
 *   node deploy/scripts/github-cidrs.js --fetch   # save the current document first (needs network)
 *
 * No dependencies: Node 18+ only.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const DEPLOY_DIR = path.resolve(__dirname, '..');
const META_FILE = path.join(DEPLOY_DIR, 'data', 'github-meta.json');
const POLICY_FILE = path.join(
  DEPLOY_DIR,
  'kustomize',
  'base',
  'networkpolicies',
  'egress-github-only.yaml',
);
const HELM_FILE = path.join(
  DEPLOY_DIR,
  'helm',
  'agents-for-backstage',
  'files',
  'github-cidrs.yaml',
);

/** The services of the meta document a harness needs: git over HTTPS, the REST API, github.com. */
const SERVICES = ['git', 'api', 'web'];
/** The only port the profile opens to those ranges: HTTPS (git, API, codeload, objects). */
const PORTS = [443];
const META_URL = 'https://api.github.com/meta';

/** Parses an IPv4 or IPv6 CIDR into { family, bits (BigInt network address), prefix }. */
function parseCidr(text) {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(String(text).trim());
  if (!match) throw new Error(`not a CIDR: ${text}`);
  const [, address, prefixText] = match;
  const prefix = Number(prefixText);
  let family;
  let value;
  if (address.includes(':')) {
    family = 6;
    value = parseIpv6(address, text);
  } else {
    family = 4;
    value = parseIpv4(address, text);
  }
  const width = family === 4 ? 32 : 128;
  if (prefix > width) throw new Error(`prefix too long in ${text}`);
  const hostBits = BigInt(width - prefix);
  const network = (value >> hostBits) << hostBits;
  return { family, bits: network, prefix };
}

function parseIpv4(address, text) {
  const parts = address.split('.');
  if (parts.length !== 4) throw new Error(`bad IPv4 address in ${text}`);
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255)
      throw new Error(`bad IPv4 address in ${text}`);
    value = (value << 8n) | BigInt(Number(part));
  }
  return value;
}

function parseIpv6(address, text) {
  const halves = address.split('::');
  if (halves.length > 2) throw new Error(`bad IPv6 address in ${text}`);
  const groups = halves.map(h => (h === '' ? [] : h.split(':')));
  const missing = 8 - groups.reduce((n, g) => n + g.length, 0);
  if ((halves.length === 1 && missing !== 0) || missing < 0)
    throw new Error(`bad IPv6 address in ${text}`);
  const all =
    halves.length === 2
      ? [...groups[0], ...Array(missing).fill('0'), ...groups[1]]
      : groups[0];
  let value = 0n;
  for (const group of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group))
      throw new Error(`bad IPv6 address in ${text}`);
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  return value;
}

/** A CIDR in canonical text: dotted quad, or RFC 5952 IPv6 (longest zero run as ::, lower case). */
function formatCidr({ family, bits, prefix }) {
  if (family === 4) {
    const octets = [24n, 16n, 8n, 0n].map(shift =>
      String((bits >> shift) & 255n),
    );
    return `${octets.join('.')}/${prefix}`;
  }
  const groups = [];
  for (let i = 7; i >= 0; i--)
    groups.push(Number((bits >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map(g => g.toString(16));
  const text =
    bestStart < 0
      ? hex.join(':')
      : `${hex.slice(0, bestStart).join(':')}::${hex
          .slice(bestStart + bestLength)
          .join(':')}`;
  return `${text}/${prefix}`;
}

/** Whether range `outer` contains range `inner`. */
function contains(outer, inner) {
  if (outer.family !== inner.family || outer.prefix > inner.prefix)
    return false;
  const width = outer.family === 4 ? 32 : 128;
  const hostBits = BigInt(width - outer.prefix);
  return inner.bits >> hostBits === outer.bits >> hostBits;
}

/** Sorts (IPv4 first, by address, then by prefix), removes duplicates and ranges inside others. */
function collapse(cidrs) {
  const parsed = cidrs.map(parseCidr);
  parsed.sort((a, b) => {
    if (a.family !== b.family) return a.family - b.family;
    if (a.bits !== b.bits) return a.bits < b.bits ? -1 : 1;
    return a.prefix - b.prefix;
  });
  const kept = [];
  for (const range of parsed) {
    if (kept.some(k => contains(k, range))) continue;
    kept.push(range);
  }
  return kept.map(formatCidr);
}

/** The CIDRs of the services the profile allows, from a meta document. */
function githubCidrs(meta) {
  const all = [];
  for (const service of SERVICES) {
    const list = meta[service];
    if (!Array.isArray(list) || list.length === 0)
      throw new Error(`the meta document has no "${service}" list`);
    all.push(...list);
  }
  return collapse(all);
}

function snapshotDate(meta) {
  return (meta._snapshot && meta._snapshot.saved) || 'unknown';
}

/** The NetworkPolicy YAML of the github-only profile (no dependencies, so written by hand). */
function renderNetworkPolicy(meta) {
  const cidrs = githubCidrs(meta);
  const lines = [
    '# GENERATED by deploy/scripts/github-cidrs.js from deploy/data/github-meta.json — do not edit.',
    `# GitHub's published CIDRs for ${SERVICES.join(
      ', ',
    )} (meta document saved ${snapshotDate(meta)}).`,
    '# Refresh: node deploy/scripts/github-cidrs.js --fetch (or save the document by hand and run it).',
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata:',
    '  name: agents-egress-github-only',
    '  namespace: agents',
    '  labels:',
    '    agents.backstage.io/network-policy: egress-profile',
    '    agents.backstage.io/egress-profile: github-only',
    '  annotations:',
    `    agents.backstage.io/github-meta-saved: "${snapshotDate(meta)}"`,
    `    agents.backstage.io/github-meta-services: "${SERVICES.join(',')}"`,
    'spec:',
    '  podSelector:',
    '    matchLabels:',
    '      app.kubernetes.io/managed-by: backstage-agents',
    '      agents.backstage.io/egress: github-only',
    '  policyTypes:',
    '    - Ingress',
    '    - Egress',
    '  egress:',
    '    - to:',
    ...cidrs.map(cidr => `        - ipBlock:\n            cidr: ${cidr}`),
    '      ports:',
    ...PORTS.map(port => `        - protocol: TCP\n          port: ${port}`),
    '',
  ];
  return lines.join('\n');
}

/** The same CIDRs as a YAML list for the Helm chart's template. */
function renderHelmList(meta) {
  const cidrs = githubCidrs(meta);
  return [
    '# GENERATED by deploy/scripts/github-cidrs.js from deploy/data/github-meta.json — do not edit.',
    `# GitHub's published CIDRs for ${SERVICES.join(
      ', ',
    )} (meta document saved ${snapshotDate(meta)}).`,
    `saved: "${snapshotDate(meta)}"`,
    `services: "${SERVICES.join(',')}"`,
    'ports:',
    ...PORTS.map(port => `  - ${port}`),
    'cidrs:',
    ...cidrs.map(cidr => `  - ${cidr}`),
    '',
  ].join('\n');
}

/** What the generated files must contain for a meta document: { path: content }. */
function generate(meta) {
  return {
    [POLICY_FILE]: renderNetworkPolicy(meta),
    [HELM_FILE]: renderHelmList(meta),
  };
}

function readMeta(file = META_FILE) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

async function fetchMeta() {
  const response = await fetch(META_URL, {
    headers: {
      Accept: 'application/vnd.github+json',
      'User-Agent': 'agents-for-backstage-deploy',
    },
  });
  if (!response.ok)
    throw new Error(
      `GET ${META_URL}: ${response.status} ${response.statusText}`,
    );
  const body = await response.json();
  return {
    _snapshot: {
      saved: new Date().toISOString().slice(0, 10),
      source: META_URL,
      note: "A saved copy of GitHub's meta document. Refresh with: node deploy/scripts/github-cidrs.js --fetch",
    },
    ...body,
  };
}

async function main(argv) {
  const check = argv.includes('--check');
  if (argv.includes('--fetch')) {
    const meta = await fetchMeta();
    fs.writeFileSync(META_FILE, `${JSON.stringify(meta, null, 2)}\n`);
    console.log(`saved ${path.relative(process.cwd(), META_FILE)}`);
  }
  const files = generate(readMeta());
  let stale = 0;
  for (const [file, content] of Object.entries(files)) {
    const current = fs.existsSync(file)
      ? fs.readFileSync(file, 'utf8')
      : undefined;
    const name = path.relative(process.cwd(), file);
    if (current === content) {
      console.log(`${name} is up to date`);
      continue;
    }
    if (check) {
      console.error(
        `${name} is stale: run node deploy/scripts/github-cidrs.js`,
      );
      stale++;
      continue;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    console.log(`wrote ${name}`);
  }
  return stale === 0 ? 0 : 1;
}

module.exports = {
  META_FILE,
  POLICY_FILE,
  HELM_FILE,
  SERVICES,
  parseCidr,
  formatCidr,
  collapse,
  githubCidrs,
  renderNetworkPolicy,
  renderHelmList,
  generate,
  readMeta,
};

if (require.main === module) {
  main(process.argv.slice(2)).then(
    code => process.exit(code),
    error => {
      console.error(error.message);
      process.exit(1);
    },
  );
}

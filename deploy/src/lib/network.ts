/* eslint-disable @typescript-eslint/no-var-requires */
import { K8sObject } from './render';

/** The CIDR helpers of the generator script (plain Node, no dependencies). */
const cidrs: {
  parseCidr(text: string): { family: number; bits: bigint; prefix: number };
} = require('../../scripts/github-cidrs.js');

/** Whether an IP address lies in a CIDR. */
export function cidrContains(cidr: string, address: string): boolean {
  const range = cidrs.parseCidr(cidr);
  const host = cidrs.parseCidr(
    `${address}/${address.includes(':') ? 128 : 32}`,
  );
  if (range.family !== host.family) return false;
  const width = range.family === 4 ? 32 : 128;
  const shift = BigInt(width - range.prefix);
  return host.bits >> shift === range.bits >> shift;
}

/** Whether a NetworkPolicy ipBlock lets traffic to an address through. */
export function ipBlockAllows(
  block: { cidr: string; except?: string[] },
  address: string,
) {
  return (
    cidrContains(block.cidr, address) &&
    !(block.except ?? []).some(except => cidrContains(except, address))
  );
}

/** The labels every harness pod carries (runManifests.ts), with the values tests vary. */
export const HARNESS_POD_KEYS = new Set([
  'app.kubernetes.io/managed-by',
  'agents.backstage.io/session',
  'agents.backstage.io/run',
  'agents.backstage.io/entity',
  'agents.backstage.io/egress',
]);
export const MANAGED_BY = {
  'app.kubernetes.io/managed-by': 'backstage-agents',
};

/** Whether a label selector can select a harness pod (of any session, run, entity, profile). */
export function selectsHarnessPods(selector: any): boolean {
  const matchLabels: Record<string, string> = selector?.matchLabels ?? {};
  for (const [key, value] of Object.entries(matchLabels)) {
    if (!HARNESS_POD_KEYS.has(key)) return false;
    if (key === 'app.kubernetes.io/managed-by' && value !== 'backstage-agents')
      return false;
  }
  // matchExpressions are not used; treat any as possibly matching (the stricter reading).
  return true;
}

/** Whether a selector selects a harness pod of one egress profile. */
export function selectsProfile(selector: any, profile: string): boolean {
  if (!selectsHarnessPods(selector)) return false;
  const value = selector?.matchLabels?.['agents.backstage.io/egress'];
  return value === undefined || value === profile;
}

export const isNetworkPolicy = (o: K8sObject) =>
  o.apiVersion === 'networking.k8s.io/v1' && o.kind === 'NetworkPolicy';

/** NetworkPolicies that apply to harness pods. */
export const harnessPolicies = (objects: K8sObject[]) =>
  objects.filter(
    o => isNetworkPolicy(o) && selectsHarnessPods(o.spec?.podSelector),
  );

/** Every ipBlock an egress rule of these policies allows. */
export const egressIpBlocks = (policies: K8sObject[]) =>
  policies.flatMap(p =>
    (p.spec?.egress ?? []).flatMap((rule: any) =>
      (rule.to ?? [])
        .filter((peer: any) => peer.ipBlock)
        .map((peer: any) => peer.ipBlock),
    ),
  );

/** Addresses no harness pod may reach: private, shared and link-local ranges, cloud metadata. */
export const FORBIDDEN_ADDRESSES = [
  '10.0.0.1',
  '10.96.0.10',
  '10.255.255.254',
  '172.16.0.1',
  '172.31.255.254',
  '192.168.0.1',
  '192.168.255.254',
  '100.64.0.1',
  '100.100.100.200',
  '169.254.169.254',
  '169.254.0.1',
  'fd00:ec2::254',
  'fc00::1',
  'fe80::1',
];

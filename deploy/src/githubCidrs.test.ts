/* eslint-disable @typescript-eslint/no-var-requires */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { cidrContains } from './lib/network';
import { DEPLOY_DIR } from './lib/paths';
import { run } from './lib/render';
import { schemaProblems } from './lib/schemas';

const generator = require('../scripts/github-cidrs.js');
const SCRIPT = resolve(DEPLOY_DIR, 'scripts/github-cidrs.js');

describe('the github-only profile from GitHub meta', () => {
  const meta = generator.readMeta();

  it('is a saved, dated copy of the meta document in GitHub’s shape', () => {
    expect(meta._snapshot.saved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(meta._snapshot.source).toBe('https://api.github.com/meta');
    for (const key of [
      'hooks',
      'web',
      'api',
      'git',
      'packages',
      'pages',
      'importer',
      'actions',
    ]) {
      expect([key, Array.isArray(meta[key]) && meta[key].length > 0]).toEqual([
        key,
        true,
      ]);
      for (const cidr of meta[key])
        expect(() => generator.parseCidr(cidr)).not.toThrow();
    }
    expect(typeof meta.verifiable_password_authentication).toBe('boolean');
    expect(Object.keys(meta.ssh_key_fingerprints)).toEqual(
      expect.arrayContaining(['SHA256_ECDSA', 'SHA256_ED25519', 'SHA256_RSA']),
    );
    expect(Array.isArray(meta.domains.website)).toBe(true);
    // Both address families, as GitHub publishes them.
    expect(meta.git.some((c: string) => c.includes(':'))).toBe(true);
    expect(meta.git.some((c: string) => !c.includes(':'))).toBe(true);
  });

  it('regenerates exactly the committed files', () => {
    for (const [file, content] of Object.entries<string>(
      generator.generate(meta),
    )) {
      expect([file, readFileSync(file, 'utf8')]).toEqual([file, content]);
    }
    expect(run(process.execPath, [SCRIPT, '--check'])).toContain(
      'is up to date',
    );
  });

  it('covers every git, api and web CIDR and nothing else', () => {
    const policy = parse(readFileSync(generator.POLICY_FILE, 'utf8'));
    expect(schemaProblems([policy])).toEqual([]);
    const allowed: string[] = policy.spec.egress[0].to.map(
      (peer: any) => peer.ipBlock.cidr,
    );
    expect(policy.spec.egress[0].ports).toEqual([
      { protocol: 'TCP', port: 443 },
    ]);
    const published: string[] = [...meta.git, ...meta.api, ...meta.web];
    for (const cidr of published) {
      const [address] = cidr.split('/');
      expect([cidr, allowed.some(a => cidrContains(a, address))]).toEqual([
        cidr,
        true,
      ]);
    }
    for (const cidr of allowed) {
      expect([
        cidr,
        published.some(
          p => generator.formatCidr(generator.parseCidr(p)) === cidr,
        ),
      ]).toEqual([cidr, true]);
    }
    // IPv4 first, no duplicates.
    expect(new Set(allowed).size).toBe(allowed.length);
    const firstV6 = allowed.findIndex(c => c.includes(':'));
    expect(allowed.slice(firstV6).every(c => c.includes(':'))).toBe(true);
    const helm = parse(readFileSync(generator.HELM_FILE, 'utf8'));
    expect(helm.cidrs).toEqual(allowed);
    expect(helm.saved).toBe(meta._snapshot.saved);
  });

  it('parses, formats and collapses CIDRs', () => {
    const canonical = (c: string) =>
      generator.formatCidr(generator.parseCidr(c));
    expect(canonical('10.1.2.3/8')).toBe('10.0.0.0/8');
    expect(canonical('2001:DB8:0:0:1:0:0:1/128')).toBe('2001:db8::1:0:0:1/128');
    expect(canonical('::/0')).toBe('::/0');
    expect(canonical('2606:50c0:8000::153/128')).toBe(
      '2606:50c0:8000::153/128',
    );
    expect(
      generator.collapse([
        '140.82.112.0/20',
        '140.82.113.4/32',
        '192.30.252.0/22',
        '140.82.112.0/20',
        '2a0a:a440::/29',
        '2a0a:a440::1/128',
      ]),
    ).toEqual(['140.82.112.0/20', '192.30.252.0/22', '2a0a:a440::/29']);
    for (const bad of [
      '1.2.3/24',
      '1.2.3.4/33',
      '300.1.1.1/32',
      '1:2:3/64',
      'github.com',
    ]) {
      expect(() => generator.parseCidr(bad)).toThrow();
    }
    expect(() =>
      generator.githubCidrs({ git: [], api: ['1.2.3.4/32'], web: [] }),
    ).toThrow(/no "git" list/);
  });
});

import { mergeConfig, configuredEgressProfiles } from './lib/appConfig';
import {
  cidrContains,
  ipBlockAllows,
  selectsHarnessPods,
  selectsProfile,
} from './lib/network';
import { schemaProblems } from './lib/schemas';

/** The checks the other suites rely on must be able to fail. */
describe('the test helpers', () => {
  it('report schema violations of built-in kinds, custom resources and unknown kinds', () => {
    const problems = schemaProblems([
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'bad', namespace: 'agents' },
        spec: { podSelector: {}, policyTypes: 'Egress' },
      },
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: 'bad-es', namespace: 'agents' },
        spec: { data: [{ secretKey: 1 }] },
      },
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
    ] as any);
    expect(problems.map(p => p.object)).toEqual([
      'networking.k8s.io/v1/NetworkPolicy agents/bad',
      'example.com/v1/Widget /w',
      'external-secrets.io/v1/ExternalSecret bad-es',
    ]);
    expect(problems[1].error).toBe('no schema for example.com/v1/Widget');
  });

  it('match addresses against ipBlocks with exceptions', () => {
    expect(cidrContains('169.254.0.0/16', '169.254.169.254')).toBe(true);
    expect(cidrContains('fc00::/7', 'fd00:ec2::254')).toBe(true);
    expect(cidrContains('0.0.0.0/0', 'fe80::1')).toBe(false);
    const block = { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] };
    expect(ipBlockAllows(block, '10.1.2.3')).toBe(false);
    expect(ipBlockAllows(block, '11.1.2.3')).toBe(true);
  });

  it('decide which selectors reach harness pods', () => {
    expect(selectsHarnessPods({})).toBe(true);
    expect(
      selectsHarnessPods({
        matchLabels: { 'app.kubernetes.io/managed-by': 'backstage-agents' },
      }),
    ).toBe(true);
    expect(
      selectsHarnessPods({
        matchLabels: { 'app.kubernetes.io/managed-by': 'Helm' },
      }),
    ).toBe(false);
    expect(
      selectsHarnessPods({
        matchLabels: { 'app.kubernetes.io/name': 'agents-egress-proxy' },
      }),
    ).toBe(false);
    expect(
      selectsProfile(
        { matchLabels: { 'agents.backstage.io/egress': 'internet' } },
        'internet',
      ),
    ).toBe(true);
    expect(
      selectsProfile(
        { matchLabels: { 'agents.backstage.io/egress': 'internet' } },
        'github-only',
      ),
    ).toBe(false);
  });

  it("merge config layers like Backstage and find each policy's egress profile", () => {
    const merged = mergeConfig(
      {
        a: { list: [1, 2], keep: true },
        agents: { policies: { default: { egressProfile: 'github-only' } } },
      },
      {
        a: { list: [3] },
        agents: {
          policies: { open: { egressProfile: 'internet' }, other: {} },
        },
      },
    );
    expect(merged.a).toEqual({ list: [3], keep: true });
    expect([...configuredEgressProfiles(merged)]).toEqual([
      ['default', 'github-only'],
      ['open', 'internet'],
      ['other', 'github-only'],
    ]);
  });
});

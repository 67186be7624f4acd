import {
  evaluatePodSecurity,
  namespacePolicy,
} from '@backstage-agents/kube-sim';
import { configuredEgressProfiles, effectiveAppConfig } from './lib/appConfig';
import {
  FORBIDDEN_ADDRESSES,
  egressIpBlocks,
  harnessPolicies,
  ipBlockAllows,
  isNetworkPolicy,
  selectsProfile,
} from './lib/network';
import { COMPONENTS, ENVIRONMENTS, Environment } from './lib/paths';
import {
  K8sObject,
  componentCombinations,
  find,
  idOf,
  kustomize,
  overlayComponents,
  renderOverlay,
} from './lib/render';
import { schemaProblems } from './lib/schemas';
import { resolve } from 'node:path';
import { KUSTOMIZE_DIR } from './lib/paths';

jest.setTimeout(60_000);

/** The verbs the backend's runtime uses, and nothing else (runtime/*.ts; docs/security.md). */
const ALLOWED_RULES: Record<string, string[]> = {
  '/pods': ['create', 'get', 'list', 'watch', 'delete'],
  '/pods/log': ['get'],
  '/secrets': ['create', 'get', 'list', 'delete', 'patch'],
  '/events': ['get', 'list', 'watch'],
  'networking.k8s.io/networkpolicies': ['get', 'list'],
};

const PSA_LABELS = ['enforce', 'audit', 'warn'];

/** Every rendering the tests cover: each overlay with each component combination it ships. */
const RENDERINGS: Array<{
  env: Environment;
  components: string[];
  label: string;
}> = ENVIRONMENTS.flatMap(env =>
  componentCombinations(env).map(components => ({
    env,
    components,
    label: [env, ...components].join(' + '),
  })),
);

const cache = new Map<string, K8sObject[]>();
function rendered(env: Environment, components: string[] = []): K8sObject[] {
  const key = [env, ...components].join('+');
  if (!cache.has(key)) cache.set(key, renderOverlay(env, components as any));
  return cache.get(key)!;
}

describe('the Kustomize overlays', () => {
  it('ship the expected component combinations', () => {
    expect(overlayComponents('dev')).toEqual([]);
    expect(overlayComponents('stg')).toEqual([
      'external-secrets',
      'egress-proxy',
    ]);
    expect(overlayComponents('prod')).toEqual([
      'external-secrets',
      'egress-proxy',
    ]);
    expect(RENDERINGS.map(r => r.label)).toEqual([
      'dev',
      'dev + egress-proxy',
      'dev + cilium-fqdn',
      'dev + egress-proxy + cilium-fqdn',
      'stg',
      'stg + cilium-fqdn',
      'prod',
      'prod + cilium-fqdn',
    ]);
    // Every component is rendered in at least one combination.
    const used = new Set(
      RENDERINGS.flatMap(r => [...r.components, ...overlayComponents(r.env)]),
    );
    expect([...used].sort()).toEqual([...COMPONENTS].sort());
  });

  it('render the base on its own too', () => {
    expect(schemaProblems(kustomize(resolve(KUSTOMIZE_DIR, 'base')))).toEqual(
      [],
    );
  });

  describe.each(RENDERINGS)('$label', ({ env, components }) => {
    const objects = () => rendered(env, components);

    it('validates every object against its official schema', () => {
      expect(objects().length).toBeGreaterThan(10);
      expect(schemaProblems(objects())).toEqual([]);
    });

    it('renders each object once, in the backstage or agents namespace', () => {
      const ids = objects().map(idOf);
      expect(new Set(ids).size).toBe(ids.length);
      for (const o of objects()) {
        if (o.kind === 'Namespace') continue;
        expect([o.metadata.namespace, idOf(o)]).toEqual([
          expect.stringMatching(/^(backstage|agents)$/),
          idOf(o),
        ]);
      }
    });

    it('has no cluster-wide RBAC, and the Role grants exactly the runtime verbs in agents', () => {
      const kinds = objects().map(o => o.kind);
      expect(kinds).not.toContain('ClusterRole');
      expect(kinds).not.toContain('ClusterRoleBinding');
      const roles = objects().filter(o => o.kind === 'Role');
      expect(roles.map(idOf)).toEqual(['Role/agents/backstage-agents-runtime']);
      const granted: Record<string, string[]> = {};
      for (const rule of roles[0].rules) {
        expect(rule.resourceNames).toBeUndefined();
        expect(rule.nonResourceURLs).toBeUndefined();
        for (const group of rule.apiGroups) {
          for (const resource of rule.resources) {
            const key = `${group}/${resource}`;
            granted[key] = [...(granted[key] ?? []), ...rule.verbs];
          }
        }
      }
      for (const verbs of Object.values(granted))
        expect(verbs).not.toContain('*');
      expect(Object.keys(granted).sort()).toEqual(
        Object.keys(ALLOWED_RULES).sort(),
      );
      for (const [key, verbs] of Object.entries(granted)) {
        expect([key, [...verbs].sort()]).toEqual([
          key,
          [...ALLOWED_RULES[key]].sort(),
        ]);
      }
      const bindings = objects().filter(o => o.kind === 'RoleBinding');
      expect(bindings.map(idOf)).toEqual([
        'RoleBinding/agents/backstage-agents-runtime',
      ]);
      expect(bindings[0].roleRef).toEqual({
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: 'backstage-agents-runtime',
      });
      expect(bindings[0].subjects).toEqual([
        { kind: 'ServiceAccount', name: 'backstage', namespace: 'backstage' },
      ]);
    });

    it('enforces the restricted Pod Security Standard in both namespaces', () => {
      for (const name of ['agents', 'backstage']) {
        const labels = find(objects(), 'Namespace', name).metadata.labels ?? {};
        for (const mode of PSA_LABELS) {
          expect([
            name,
            mode,
            labels[`pod-security.kubernetes.io/${mode}`],
          ]).toEqual([name, mode, 'restricted']);
          expect(labels[`pod-security.kubernetes.io/${mode}-version`]).toMatch(
            /^(latest|v1\.\d+)$/,
          );
        }
      }
    });

    it('has a default-deny for harness pods, and every policy selecting them is part of it', () => {
      const policies = harnessPolicies(objects());
      const defaultDeny = policies.filter(
        p =>
          JSON.stringify(p.spec.podSelector) ===
            JSON.stringify({
              matchLabels: {
                'app.kubernetes.io/managed-by': 'backstage-agents',
              },
            }) &&
          !p.spec.ingress &&
          !p.spec.egress,
      );
      expect(defaultDeny.map(idOf)).toEqual([
        'NetworkPolicy/agents/agents-default-deny',
      ]);
      for (const policy of policies) {
        expect([idOf(policy), policy.metadata.namespace]).toEqual([
          idOf(policy),
          'agents',
        ]);
        expect([idOf(policy), [...policy.spec.policyTypes].sort()]).toEqual([
          idOf(policy),
          ['Egress', 'Ingress'],
        ]);
        // Nothing may connect to a harness pod.
        expect([idOf(policy), policy.spec.ingress ?? []]).toEqual([
          idOf(policy),
          [],
        ]);
      }
      // Cilium's policies of harness pods allow egress only, too.
      for (const cnp of objects().filter(
        o => o.kind === 'CiliumNetworkPolicy',
      )) {
        expect(cnp.spec.ingress).toBeUndefined();
        expect(
          cnp.spec.endpointSelector.matchLabels['app.kubernetes.io/managed-by'],
        ).toBe('backstage-agents');
      }
    });

    it('gives every egress profile a policy, and lets each reach DNS and the backend', () => {
      const config = effectiveAppConfig(objects());
      const profiles = new Set(configuredEgressProfiles(config).values());
      expect(profiles.has('github-only')).toBe(true);
      for (const profile of [...profiles, 'github-only', 'internet']) {
        const policy = find(
          objects(),
          'NetworkPolicy',
          `agents-egress-${profile}`,
          'agents',
        );
        expect(
          policy.metadata.labels?.['agents.backstage.io/egress-profile'],
        ).toBe(profile);
        expect(
          policy.spec.podSelector.matchLabels['agents.backstage.io/egress'],
        ).toBe(profile);
      }
      const dns = find(
        objects(),
        'NetworkPolicy',
        'agents-allow-dns',
        'agents',
      );
      expect(dns.spec.egress[0].ports).toEqual([
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ]);
      expect(dns.spec.egress[0].to[0].podSelector.matchLabels).toEqual({
        'k8s-app': 'kube-dns',
      });
      const backend = find(
        objects(),
        'NetworkPolicy',
        'agents-allow-backend',
        'agents',
      );
      const deployment = find(
        objects(),
        'Deployment',
        'backstage',
        'backstage',
      );
      expect(backend.spec.egress[0].to[0].podSelector.matchLabels).toEqual(
        deployment.spec.template.metadata.labels,
      );
      expect(backend.spec.egress[0].ports).toEqual([
        { protocol: 'TCP', port: 7007 },
      ]);
      expect(config.agents.kubernetes.backendUrl).toBe(
        'http://backstage.backstage.svc.cluster.local:7007/api/agents',
      );
    });

    it('keeps private ranges and the cloud metadata address closed to every profile', () => {
      for (const profile of ['internet', 'github-only']) {
        const blocks = egressIpBlocks(
          objects().filter(
            o =>
              isNetworkPolicy(o) && selectsProfile(o.spec.podSelector, profile),
          ),
        );
        for (const address of FORBIDDEN_ADDRESSES) {
          const allowing = blocks.filter((b: any) => ipBlockAllows(b, address));
          expect([profile, address, allowing]).toEqual([profile, address, []]);
        }
      }
      const internet = egressIpBlocks([
        find(objects(), 'NetworkPolicy', 'agents-egress-internet', 'agents'),
      ]);
      for (const address of ['8.8.8.8', '140.82.112.3', '2606:4700::1111']) {
        expect([
          address,
          internet.some((b: any) => ipBlockAllows(b, address)),
        ]).toEqual([address, true]);
      }
      const internetPolicy = find(
        objects(),
        'NetworkPolicy',
        'agents-egress-internet',
        'agents',
      );
      expect(internetPolicy.spec.egress[0].to[0].ipBlock.except).toEqual(
        expect.arrayContaining([
          '10.0.0.0/8',
          '172.16.0.0/12',
          '192.168.0.0/16',
          '100.64.0.0/10',
          '169.254.0.0/16',
        ]),
      );
      expect(internetPolicy.spec.egress[0].to[1].ipBlock.except).toEqual(
        expect.arrayContaining(['fc00::/7', 'fe80::/10']),
      );
    });

    it("runs Backstage's pods under the restricted profile, with health probes", () => {
      const namespaces = new Map(
        objects()
          .filter(o => o.kind === 'Namespace')
          .map(ns => [
            ns.metadata.name,
            namespacePolicy(ns.metadata.labels, 'enforce'),
          ]),
      );
      for (const deployment of objects().filter(o => o.kind === 'Deployment')) {
        const policy = namespaces.get(deployment.metadata.namespace!)!;
        expect(policy.level).toBe('restricted');
        const template = deployment.spec.template;
        const result = evaluatePodSecurity(
          policy,
          template.metadata,
          template.spec,
        );
        expect([idOf(deployment), result.detail]).toEqual([
          idOf(deployment),
          '',
        ]);
      }
      const backstage = find(objects(), 'Deployment', 'backstage', 'backstage')
        .spec.template.spec;
      expect(backstage.serviceAccountName).toBe('backstage');
      const container = backstage.containers[0];
      expect(container.readinessProbe.httpGet).toEqual({
        path: '/.backstage/health/v1/readiness',
        port: 'http',
      });
      expect(container.livenessProbe.httpGet).toEqual({
        path: '/.backstage/health/v1/liveness',
        port: 'http',
      });
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      });
      // Only the backend mounts a service-account token (it is what the Role is bound to).
      for (const deployment of objects().filter(o => o.kind === 'Deployment')) {
        expect([
          idOf(deployment),
          deployment.spec.template.spec.automountServiceAccountToken,
        ]).toEqual([
          idOf(deployment),
          deployment.metadata.name === 'backstage',
        ]);
      }
    });

    it('configures the backend for the cluster, with secrets only from Secrets', () => {
      const config = effectiveAppConfig(objects());
      expect(config.agents.kubernetes).toMatchObject({
        inCluster: true,
        namespace: 'agents',
      });
      expect(config.backend.database.client).toBe('pg');
      expect(config.backend.database.connection.password).toBe(
        '${POSTGRES_PASSWORD}',
      );
      expect(config.agents.git.rewrites).toEqual([]);
      const variables = find(objects(), 'Deployment', 'backstage', 'backstage')
        .spec.template.spec.containers[0].env;
      expect(variables.map((e: any) => e.name)).toEqual([
        'POSTGRES_PASSWORD',
        'BACKEND_SECRET',
        'GITHUB_APP_ID',
        'GITHUB_APP_CLIENT_ID',
        'GITHUB_APP_CLIENT_SECRET',
        'GITHUB_APP_WEBHOOK_SECRET',
      ]);
      for (const variable of variables)
        expect(variable.valueFrom.secretKeyRef).toBeDefined();
      // The demo harness is for development only.
      expect(config.agents.harnesses?.demo?.enabled ?? false).toBe(
        env === 'dev',
      );
    });

    it('has every Secret and ConfigMap a workload references, and no Secret claimed twice', () => {
      const secrets = new Set(
        objects()
          .filter(o => o.kind === 'Secret')
          .map(o => `${o.metadata.namespace}/${o.metadata.name}`),
      );
      const externalTargets = objects()
        .filter(o => o.kind === 'ExternalSecret')
        .map(o => `${o.metadata.namespace}/${o.spec.target.name}`);
      for (const target of externalTargets)
        expect([target, secrets.has(target)]).toEqual([target, false]);
      const available = new Set([...secrets, ...externalTargets]);
      const configMaps = new Set(
        objects()
          .filter(o => o.kind === 'ConfigMap')
          .map(o => `${o.metadata.namespace}/${o.metadata.name}`),
      );
      for (const deployment of objects().filter(o => o.kind === 'Deployment')) {
        const ns = deployment.metadata.namespace;
        const spec = deployment.spec.template.spec;
        const secretRefs = [
          ...spec.containers.flatMap((c: any) =>
            (c.env ?? [])
              .map((e: any) => e.valueFrom?.secretKeyRef?.name)
              .filter(Boolean),
          ),
          ...(spec.volumes ?? [])
            .map((v: any) => v.secret?.secretName)
            .filter(Boolean),
        ];
        for (const name of secretRefs) {
          expect([
            idOf(deployment),
            name,
            available.has(`${ns}/${name}`),
          ]).toEqual([idOf(deployment), name, true]);
        }
        for (const name of (spec.volumes ?? [])
          .map((v: any) => v.configMap?.name)
          .filter(Boolean)) {
          expect([
            idOf(deployment),
            name,
            configMaps.has(`${ns}/${name}`),
          ]).toEqual([idOf(deployment), name, true]);
        }
      }
      // The harness credentials every harness pod references (agents.harnesses.*.credentialsSecret).
      const config = effectiveAppConfig(objects());
      for (const harness of Object.values<any>(config.agents.harnesses ?? {})) {
        if (!harness?.credentialsSecret) continue;
        expect(available.has(`agents/${harness.credentialsSecret}`)).toBe(true);
      }
    });
  });

  it('uses a different harness image tag and URL per environment', () => {
    const urls = ENVIRONMENTS.map(
      env => effectiveAppConfig(rendered(env)).app.baseUrl,
    );
    expect(new Set(urls).size).toBe(3);
    expect(
      find(rendered('prod'), 'Deployment', 'backstage').spec.replicas,
    ).toBe(2);
    expect(
      find(rendered('prod'), 'PodDisruptionBudget', 'backstage').spec
        .minAvailable,
    ).toBe(1);
  });

  it('with Cilium, keeps the github-only NetworkPolicy as a rule-less marker beside the FQDN policy', () => {
    const objects = rendered('dev', ['cilium-fqdn']);
    const marker = find(
      objects,
      'NetworkPolicy',
      'agents-egress-github-only',
      'agents',
    );
    expect(marker.spec.egress).toBeUndefined();
    expect(marker.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const cnp = find(
      objects,
      'CiliumNetworkPolicy',
      'agents-egress-github-only-fqdn',
      'agents',
    );
    expect(cnp.spec.egress[1].toFQDNs.map((f: any) => f.matchName)).toEqual(
      expect.arrayContaining([
        'github.com',
        'api.github.com',
        'codeload.github.com',
        'objects.githubusercontent.com',
      ]),
    );
  });

  it('with the egress proxy, lets github-only pods reach only the proxy, which allowlists domains', () => {
    const objects = rendered('dev', ['egress-proxy']);
    const config = objects.find(
      o =>
        o.kind === 'ConfigMap' &&
        o.metadata.name.startsWith('agents-egress-proxy'),
    )!;
    expect(config.data['domains.txt'].trim().split('\n')).toEqual(
      expect.arrayContaining([
        'github.com',
        'api.github.com',
        'codeload.github.com',
        'objects.githubusercontent.com',
      ]),
    );
    expect(config.data['squid.conf']).toContain('http_access deny all');
    const toProxy = find(
      objects,
      'NetworkPolicy',
      'agents-egress-github-only-proxy',
      'agents',
    );
    expect(toProxy.spec.egress).toEqual([
      {
        to: [
          {
            podSelector: {
              matchLabels: { 'app.kubernetes.io/name': 'agents-egress-proxy' },
            },
          },
        ],
        ports: [{ protocol: 'TCP', port: 3128 }],
      },
    ]);
    // The proxy accepts only github-only harness pods.
    const proxyPolicy = find(
      objects,
      'NetworkPolicy',
      'agents-egress-proxy',
      'agents',
    );
    expect(proxyPolicy.spec.ingress[0].from[0].podSelector.matchLabels).toEqual(
      {
        'app.kubernetes.io/managed-by': 'backstage-agents',
        'agents.backstage.io/egress': 'github-only',
      },
    );
    for (const address of FORBIDDEN_ADDRESSES) {
      expect(
        egressIpBlocks([proxyPolicy]).some((b: any) =>
          ipBlockAllows(b, address),
        ),
      ).toBe(false);
    }
  });
});

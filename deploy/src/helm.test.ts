import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import {
  CHART_DIR,
  ENVIRONMENTS,
  Environment,
  KUSTOMIZE_DIR,
  helmBinary,
} from './lib/paths';
import {
  K8sObject,
  generatedNames,
  helmLint,
  helmTemplate,
  idOf,
  kustomize,
  parseObjects,
  renderOverlay,
  run,
} from './lib/render';
import { schemaProblems } from './lib/schemas';
import { harnessPolicies } from './lib/network';

jest.setTimeout(60_000);

/** Labels Helm adds and the Kustomize base does not. */
const HELM_LABELS = [
  'helm.sh/chart',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
];

/**
 * An object as both tools should agree on it: generator hash suffixes removed (and references to
 * them), Helm's bookkeeping labels and checksum annotations dropped, ConfigMap YAML compared parsed
 * and Secret data decoded.
 */
function normalize(objects: K8sObject[]): Map<string, any> {
  const hashed = generatedNames(objects);
  const result = new Map<string, any>();
  for (const original of objects) {
    let json = JSON.stringify(original);
    for (const [name, base] of hashed)
      json = json.split(`"${name}"`).join(`"${base}"`);
    const o = JSON.parse(json);
    const labels = o.metadata.labels ?? {};
    for (const key of HELM_LABELS) delete labels[key];
    if (labels['app.kubernetes.io/managed-by'] === 'Helm')
      delete labels['app.kubernetes.io/managed-by'];
    const template = o.spec?.template?.metadata;
    if (template?.annotations) {
      for (const key of Object.keys(template.annotations)) {
        if (key.startsWith('checksum/')) delete template.annotations[key];
      }
      if (Object.keys(template.annotations).length === 0)
        delete template.annotations;
    }
    if (o.kind === 'ConfigMap') {
      for (const [key, value] of Object.entries<string>(o.data ?? {})) {
        o.data[key] = key.endsWith('.yaml')
          ? parse(value)
          : value
              .split('\n')
              .map(line => line.trimEnd())
              .join('\n')
              .trim();
      }
    }
    if (o.kind === 'Secret') {
      o.data = Object.fromEntries(
        Object.entries<string>(o.data ?? {}).map(([k, v]) => [
          k,
          Buffer.from(v, 'base64').toString('utf8'),
        ]),
      );
    }
    result.set(idOf(o), o);
  }
  return result;
}

function expectSameObjects(helm: K8sObject[], kustomize: K8sObject[]) {
  const fromHelm = normalize(helm);
  const fromKustomize = normalize(kustomize);
  expect([...fromHelm.keys()].sort()).toEqual([...fromKustomize.keys()].sort());
  for (const [id, object] of fromKustomize) {
    expect([id, fromHelm.get(id)]).toEqual([id, object]);
  }
}

describe('the Helm chart', () => {
  const rendered = new Map<Environment, K8sObject[]>();
  const helm = (env: Environment) => {
    if (!rendered.has(env)) rendered.set(env, helmTemplate(env));
    return rendered.get(env)!;
  };

  describe.each(ENVIRONMENTS)('values-%s.yaml', env => {
    it('passes helm lint --strict', () => {
      expect(helmLint(env)).toContain('0 chart(s) failed');
    });

    it('renders objects that pass their schemas', () => {
      expect(schemaProblems(helm(env))).toEqual([]);
    });

    it(`renders the same objects as the ${env} overlay`, () => {
      expectSameObjects(helm(env), renderOverlay(env));
    });
  });

  it('renders the Kustomize base with its default values', () => {
    const objects = parseObjects(
      run(helmBinary(), ['template', 'agents-for-backstage', CHART_DIR]),
    );
    expect(schemaProblems(objects)).toEqual([]);
    expectSameObjects(objects, kustomize(resolve(KUSTOMIZE_DIR, 'base')));
  });

  it('ships the same shared files as the Kustomize base and component', () => {
    for (const [chartFile, kustomizeFile] of [
      ['files/app-config.kubernetes.yaml', 'base/app-config.kubernetes.yaml'],
      ['files/squid.conf', 'components/egress-proxy/squid.conf'],
    ]) {
      expect([
        chartFile,
        readFileSync(resolve(CHART_DIR, chartFile), 'utf8'),
      ]).toEqual([
        chartFile,
        readFileSync(resolve(KUSTOMIZE_DIR, kustomizeFile), 'utf8'),
      ]);
    }
  });

  it('renders the Cilium FQDN policy like the Kustomize component', () => {
    const objects = helmTemplate('dev', ['cilium.fqdnPolicy.enabled=true']);
    expect(schemaProblems(objects)).toEqual([]);
    expectSameObjects(objects, renderOverlay('dev', ['cilium-fqdn']));
  });

  it('renders the egress proxy like the Kustomize component', () => {
    const objects = helmTemplate('dev', ['egressProxy.enabled=true']);
    expectSameObjects(objects, renderOverlay('dev', ['egress-proxy']));
  });

  it('renders custom egress profiles as part of the default-deny', () => {
    const objects = helmTemplate('stg', [
      'networkPolicies.customProfiles[0].name=model-gateway',
      'networkPolicies.customProfiles[0].egress[0].to[0].ipBlock.cidr=203.0.113.0/24',
      'networkPolicies.customProfiles[0].egress[0].ports[0].port=443',
    ]);
    expect(schemaProblems(objects)).toEqual([]);
    const custom = objects.find(
      o => o.metadata.name === 'agents-egress-model-gateway',
    )!;
    expect(harnessPolicies(objects)).toContain(custom);
    expect(custom.metadata.labels?.['agents.backstage.io/egress-profile']).toBe(
      'model-gateway',
    );
    expect(custom.spec).toEqual({
      podSelector: {
        matchLabels: {
          'app.kubernetes.io/managed-by': 'backstage-agents',
          'agents.backstage.io/egress': 'model-gateway',
        },
      },
      policyTypes: ['Ingress', 'Egress'],
      egress: [
        {
          to: [{ ipBlock: { cidr: '203.0.113.0/24' } }],
          ports: [{ port: 443 }],
        },
      ],
    });
  });

  it('refuses an ingress without a host', () => {
    expect(() =>
      helmTemplate('dev', ['backstage.ingress.enabled=true']),
    ).toThrow(/backstage.ingress.host is required/);
  });
});

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ARGOCD_DIR, ENVIRONMENTS, REPO_ROOT } from './lib/paths';
import {
  K8sObject,
  componentCombinations,
  readYaml,
  renderOverlay,
} from './lib/render';
import { schemaProblems } from './lib/schemas';

const project: K8sObject = readYaml(join(ARGOCD_DIR, 'project.yaml'));
const application = (env: string): K8sObject =>
  readYaml(join(ARGOCD_DIR, `${env}.yaml`));

const groupOf = (apiVersion: string) =>
  apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
const whitelisted = (
  list: Array<{ group: string; kind: string }>,
  o: K8sObject,
) =>
  list.some(
    entry =>
      (entry.group === '*' || entry.group === groupOf(o.apiVersion)) &&
      (entry.kind === '*' || entry.kind === o.kind),
  );

describe('the Argo CD applications', () => {
  it('pass the Argo CD schemas', () => {
    expect(schemaProblems([project, ...ENVIRONMENTS.map(application)])).toEqual(
      [],
    );
  });

  it.each(ENVIRONMENTS)(
    '%s deploys its overlay from the project’s repository',
    env => {
      const app = application(env);
      expect(app.metadata.name).toBe(`agents-for-backstage-${env}`);
      expect(app.spec.project).toBe(project.metadata.name);
      expect(project.spec.sourceRepos).toContain(app.spec.source.repoURL);
      expect(app.spec.source.path).toBe(`deploy/kustomize/overlays/${env}`);
      expect(
        existsSync(
          resolve(REPO_ROOT, app.spec.source.path, 'kustomization.yaml'),
        ),
      ).toBe(true);
      expect(app.spec.syncPolicy.syncOptions).toContain(
        'SkipDryRunOnMissingResource=true',
      );
      // Production is synced by a person; the others follow Git.
      if (env === 'prod') expect(app.spec.syncPolicy.automated).toBeUndefined();
      else
        expect(app.spec.syncPolicy.automated).toEqual({
          prune: true,
          selfHeal: true,
        });
    },
  );

  it.each(ENVIRONMENTS)(
    '%s: the project admits every object the overlay renders, and no more cluster kinds',
    env => {
      const destinations: string[] = project.spec.destinations.map(
        (d: any) => d.namespace,
      );
      for (const components of componentCombinations(env)) {
        for (const o of renderOverlay(env, components)) {
          const id = `${o.kind} ${o.metadata.name}`;
          if (o.metadata.namespace) {
            expect([id, destinations.includes(o.metadata.namespace)]).toEqual([
              id,
              true,
            ]);
            expect([
              id,
              whitelisted(project.spec.namespaceResourceWhitelist, o),
            ]).toEqual([id, true]);
          } else {
            expect([
              id,
              whitelisted(project.spec.clusterResourceWhitelist, o),
            ]).toEqual([id, true]);
          }
        }
      }
      expect(project.spec.clusterResourceWhitelist).toEqual([
        { group: '', kind: 'Namespace' },
      ]);
    },
  );
});

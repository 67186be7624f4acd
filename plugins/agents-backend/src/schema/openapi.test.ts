import { mockServices } from '@backstage/backend-test-utils';
import type { Router } from 'express';
import fs from 'node:fs';
import { parse } from 'yaml';
import { createBundleRouter } from '../router/bundleRouter';
import { createRouter } from '../router/createRouter';
import { spec } from './openapi.generated';

// eslint-disable-next-line @backstage/no-relative-monorepo-imports
const { render, source, target } = require('../../scripts/generate-openapi.js');

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** `GET /sessions/{id}`-style entries for the routes an express router serves, itself or through routers it mounts. */
function routeTable(router: Router): string[] {
  return router.stack.flatMap(layer => {
    const route = layer.route as { path: string; methods: Record<string, boolean> } | undefined;
    const mounted = (layer.handle as Partial<Router>).stack ? (layer.handle as Router) : undefined;
    if (!route) return mounted ? routeTable(mounted) : [];
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    return Object.keys(route.methods).map(method => `${method.toUpperCase()} ${path}`);
  });
}

describe('openapi.generated.ts', () => {
  it('matches openapi.yaml (run `yarn generate:openapi` after editing the YAML)', () => {
    const fromYaml = parse(fs.readFileSync(source, 'utf8'));
    expect(spec).toEqual(fromYaml);
    expect(fs.readFileSync(target, 'utf8')).toBe(render(fromYaml));
  });
});

describe('openapi.yaml', () => {
  it('describes every route the plugin serves, and nothing else', async () => {
    const logger = mockServices.logger.mock();
    const config = mockServices.rootConfig();
    // Registering routes calls none of the services.
    const api = await createRouter({ logger, config } as unknown as Parameters<typeof createRouter>[0]);
    const bundles = createBundleRouter({ bundles: {} as any, logger, config });
    const served = [...routeTable(api), ...routeTable(bundles)]
      // The document itself, which the OpenAPI router serves and does not describe.
      .filter(route => route !== 'GET /openapi.json');

    const documented = Object.entries(spec.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter(key => METHODS.includes(key))
        .map(method => `${method.toUpperCase()} ${path}`),
    );
    expect(served.sort()).toEqual(documented.sort());
  });

  it('takes entity refs in query parameters as written, like the catalog API', () => {
    const entityRefParameters = Object.values(spec.paths).flatMap(item =>
      Object.values(item as Record<string, { parameters?: ReadonlyArray<Record<string, unknown>> }>)
        .flatMap(operation => operation.parameters ?? [])
        .filter(p => p.in === 'query' && /^(entityRef|templateRef|createdBy)$/.test(String(p.name))),
    );
    expect(entityRefParameters.length).toBeGreaterThanOrEqual(4);
    for (const parameter of entityRefParameters) {
      expect(parameter).toMatchObject({ allowReserved: true });
    }
  });
});

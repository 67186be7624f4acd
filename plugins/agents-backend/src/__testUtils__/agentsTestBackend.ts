import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Knex } from 'knex';
import { agentsPlugin } from '../plugin';

/** The agents backend in a test backend with a mock catalog, recording audit events; no cluster. */

export const JANE = 'user:default/jane';

export const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'payments',
      namespace: 'default',
      annotations: {
        'backstage.io/source-location':
          'url:https://github.com/example-org/payments/tree/develop/',
      },
    },
    spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'storefront',
      namespace: 'default',
      annotations: { 'github.com/project-slug': 'example-org/storefront' },
    },
    spec: { type: 'website', owner: 'team-b', lifecycle: 'production' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'no-source', namespace: 'default' },
    spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  },
];

export const testConfig = {
  agents: {
    policies: {
      default: { allowedHarnesses: ['opencode', 'claude-code'] },
      strict: { allowedHarnesses: ['opencode'] },
    },
    templatePolicies: [{ template: 'template:default/fix-issue', policy: 'strict' }],
  },
};

/** The test configuration with more policies (and, when given, other template bindings). */
export function configWithPolicies(
  policies: Record<string, object>,
  templatePolicies: Array<{ template: string; policy: string }> = testConfig.agents.templatePolicies,
) {
  return {
    agents: {
      ...testConfig.agents,
      policies: { ...testConfig.agents.policies, ...policies },
      templatePolicies,
    },
  };
}

export async function startBackend(
  knex: Knex,
  extra: { features?: any[]; permissions?: any; config?: object; entities?: Entity[] } = {},
) {
  const auditEvents: Array<{ eventId: string; outcome: string; meta?: object }> = [];
  const auditor = mockServices.auditor.mock({
    createEvent: async ({ eventId, meta }) => ({
      success: async options => {
        auditEvents.push({ eventId, outcome: 'success', meta: { ...meta, ...options?.meta } });
      },
      fail: async () => {
        auditEvents.push({ eventId, outcome: 'fail', meta });
      },
    }),
  });
  const { server } = await startTestBackend({
    features: [
      agentsPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({ data: extra.config ?? testConfig }),
      catalogServiceMock.factory({ entities: extra.entities ?? entities }),
      auditor.factory,
      extra.permissions ?? mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      ...(extra.features ?? []),
    ],
  });
  return { server, auditEvents };
}

export const asJane = { Authorization: mockCredentials.user.header(JANE) };


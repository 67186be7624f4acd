import { screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import {
  createExtensionTester,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { FakeAgentsApi } from '@backstage-agents/plugin-agents-common/testUtils';
import alphaPlugin, {
  agentsEntityOverviewCard,
  agentsUsageEntityContent,
  agentsUsagePage,
} from './alpha';
import {
  AgentsUsagePage,
  EntityAgentsOverviewCard,
  agentsApiRef,
  isAgentsUsageAvailable,
  rootRouteRef,
  usageRouteRef,
} from './index';
import { clientOf } from './__testUtils__/clientOf';
import { FakeSignalApi } from './__testUtils__/signals';

const entity = (kind: string, annotations: Record<string, string> = {}) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name: 'payments-service', namespace: 'default', annotations },
});
const withRepo = entity('Component', {
  'github.com/project-slug': 'example-org/payments-service',
});

describe('the usage extensions', () => {
  it('serve the usage page at /agents/usage in the new frontend system', async () => {
    expect(String(agentsUsagePage)).toContain('kind=page,name=usage');
    renderTestApp({
      features: [alphaPlugin],
      initialRouteEntries: ['/agents/usage'],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      apis: [
        [agentsApiRef, clientOf(new FakeAgentsApi(3))],
        [signalApiRef, new FakeSignalApi()],
      ],
    });
    expect(await screen.findByText('Agent usage')).toBeInTheDocument();
    expect(
      await screen.findByTestId('sessions-per-day-chart'),
    ).toBeInTheDocument();
  });

  it('put the usage tab on groups and on entities agents work on, the card on the latter', () => {
    const tab = createExtensionTester(agentsUsageEntityContent).get(
      EntityContentBlueprint.dataRefs.filterFunction,
    )!;
    expect([
      tab(entity('Group')),
      tab(withRepo),
      tab(entity('Component')),
    ]).toEqual([true, true, false]);
    expect([
      isAgentsUsageAvailable(entity('Group')),
      isAgentsUsageAvailable(entity('System')),
    ]).toEqual([true, false]);
    const card = createExtensionTester(agentsEntityOverviewCard).get(
      EntityCardBlueprint.dataRefs.filterFunction,
    )!;
    expect([card(withRepo), card(entity('Group'))]).toEqual([true, false]);
  });

  it('work in a legacy app: AgentsUsagePage at its route', async () => {
    const fake = new FakeAgentsApi(2);
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [agentsApiRef, clientOf(fake)],
          [signalApiRef, new FakeSignalApi()],
          [
            permissionApiRef,
            { authorize: async () => ({ result: AuthorizeResult.ALLOW }) },
          ],
        ]}
      >
        <Routes>
          <Route path="/agents/usage" element={<AgentsUsagePage />} />
          <Route
            path="/*"
            element={
              <EntityProvider entity={withRepo}>
                <EntityAgentsOverviewCard />
              </EntityProvider>
            }
          />
        </Routes>
      </TestApiProvider>,
      {
        routeEntries: ['/agents/usage'],
        mountedRoutes: {
          '/agents': rootRouteRef,
          '/agents/usage': usageRouteRef,
          '/catalog/:namespace/:kind/:name': entityRouteRef,
        },
      },
    );
    expect(await screen.findByText('Agent usage')).toBeInTheDocument();
    expect(
      await screen.findByTestId('sessions-per-day-chart'),
    ).toBeInTheDocument();
  });
});

import { screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { signalApiRef } from '@backstage/plugin-signals-react';
import type { Entity } from '@backstage/catalog-model';
import {
  AgentsSessionPage,
  EntityAgentsContent,
  agentsApiRef,
  rootRouteRef,
} from './index';
import { FakeAgentsApi } from '@backstage-agents/plugin-agents-common/testUtils';
import { clientOf } from './__testUtils__/clientOf';
import { FakeSignalApi } from './__testUtils__/signals';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-service',
    annotations: { 'github.com/project-slug': 'example-org/payments-service' },
  },
};

/** The legacy frontend system: the extensions an app mounts in its routes and entity page. */
describe('legacy frontend system', () => {
  const apis = (api: FakeAgentsApi) =>
    [
      [agentsApiRef, clientOf(api)],
      [signalApiRef, new FakeSignalApi()],
      [
        permissionApiRef,
        { authorize: async () => ({ result: AuthorizeResult.ALLOW }) },
      ],
    ] as const;

  it('renders EntityAgentsContent on an entity page', async () => {
    const api = new FakeAgentsApi(3);
    await renderInTestApp(
      <TestApiProvider apis={apis(api)}>
        <EntityProvider entity={entity}>
          {/* As in an app's EntityLayout.Route, which gives the tab its path. */}
          <Routes>
            <Route path="/*" element={<EntityAgentsContent />} />
          </Routes>
        </EntityProvider>
      </TestApiProvider>,
      {
        mountedRoutes: {
          '/agents': rootRouteRef,
          '/catalog/:namespace/:kind/:name': entityRouteRef,
        },
      },
    );
    expect(await screen.findByText('Task number 3')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: /new session/i }),
    ).toBeInTheDocument();
  });

  it('serves a session page under AgentsSessionPage', async () => {
    const api = new FakeAgentsApi(2);
    const session = api.sessions[0];
    await renderInTestApp(
      <TestApiProvider apis={apis(api)}>
        <Routes>
          <Route path="/agents/*" element={<AgentsSessionPage />} />
        </Routes>
      </TestApiProvider>,
      {
        routeEntries: [`/agents/sessions/${session.id}`],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      },
    );
    expect(await screen.findByText('Runs')).toBeInTheDocument();
    expect(screen.getAllByText('Task number 2').length).toBeGreaterThan(0);
  });
});

import { screen } from '@testing-library/react';
import {
  createExtensionTester,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { signalApiRef } from '@backstage/plugin-signals-react';
import alphaPlugin, { agentsEntityContent } from './alpha';
import {
  agentsPlugin,
  AgentsSessionPage,
  EntityAgentsContent,
  agentsApiRef,
} from './index';
import { FakeAgentsApi } from '@backstage-agents/plugin-agents-common/testUtils';
import { clientOf } from './__testUtils__/clientOf';
import { FakeSignalApi } from './__testUtils__/signals';

const entityWith = (annotations: Record<string, string>) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'c', annotations },
});

describe('agents plugin', () => {
  it('exports the legacy plugin and its extensions', () => {
    expect(agentsPlugin.getId()).toBe('agents');
    expect(EntityAgentsContent).toBeDefined();
    expect(AgentsSessionPage).toBeDefined();
    expect(agentsApiRef.id).toBe('plugin.agents.service');
  });

  it('exports the new frontend system plugin', () => {
    expect(alphaPlugin.id).toBe('agents');
  });

  it('puts the Agents tab only on entities with a repository', () => {
    const tester = createExtensionTester(agentsEntityContent);
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction)!;
    expect(
      filter(
        entityWith({
          'backstage.io/source-location': 'url:https://github.com/o/r/',
        }),
      ),
    ).toBe(true);
    expect(filter(entityWith({ 'github.com/project-slug': 'o/r' }))).toBe(true);
    expect(filter(entityWith({ 'backstage.io/techdocs-ref': 'dir:.' }))).toBe(
      false,
    );
  });
});

describe('the new frontend system page', () => {
  it('serves every session at /agents', async () => {
    renderTestApp({
      features: [alphaPlugin],
      initialRouteEntries: ['/agents'],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      apis: [
        [agentsApiRef, clientOf(new FakeAgentsApi(3))],
        [signalApiRef, new FakeSignalApi()],
      ],
    });
    expect(await screen.findByText('Agent sessions')).toBeInTheDocument();
    expect(await screen.findByText('Task number 3')).toBeInTheDocument();
  });
});

import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import type { Entity } from '@backstage/catalog-model';
import { Route, Routes, useParams } from 'react-router-dom';
import {
  DEFAULT_LAUNCH_OPTIONS,
  FakeAgentsApi,
  makeSession,
} from '@backstage-agents/plugin-agents-common/testUtils';
import type { AgentsSessionStatus } from '../../api/types';
import { agentsApiRef } from '../../api/AgentsApi';
import { rootRouteRef } from '../../routes';
import { clientOf } from '../../__testUtils__/clientOf';
import { FakeSignalApi } from '../../__testUtils__/signals';
import { EntityAgentsOverviewCard } from './EntityAgentsOverviewCard';

// Typing in the dialog takes a few seconds on a busy machine.
jest.setTimeout(20_000);

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-service',
    namespace: 'default',
    annotations: { 'github.com/project-slug': 'example-org/payments-service' },
  },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
};

function SessionPageStub() {
  const { sessionId } = useParams();
  return <p>Session page of {sessionId}</p>;
}

/** Seven sessions of the last hour, newest first: statuses chosen per number. */
function recentSessions() {
  const statuses: AgentsSessionStatus[] = [
    'running',
    'starting',
    'succeeded',
    'failed',
    'succeeded',
    'succeeded',
    'pending',
  ];
  return statuses.map((status, i) => {
    const n = 7 - i;
    const createdAt = new Date(Date.now() - (i + 1) * 60_000).toISOString();
    return makeSession(n, {
      status,
      createdAt,
      startedAt: createdAt,
      finishedAt: ['running', 'starting', 'pending'].includes(status)
        ? undefined
        : createdAt,
    });
  });
}

function render(fake: FakeAgentsApi) {
  return renderInTestApp(
    <Routes>
      <Route
        path="/"
        element={
          <EntityProvider entity={entity}>
            <EntityAgentsOverviewCard />
          </EntityProvider>
        }
      />
      <Route path="/agents/sessions/:sessionId" element={<SessionPageStub />} />
    </Routes>,
    {
      apis: [
        [agentsApiRef, clientOf(fake)],
        [signalApiRef, new FakeSignalApi()],
        mockApis.permission(),
      ],
      mountedRoutes: { '/agents': rootRouteRef },
    },
  );
}

describe('EntityAgentsOverviewCard', () => {
  it('lists the last five sessions with links, how many run now and the 30-day success rate', async () => {
    const fake = new FakeAgentsApi(recentSessions());
    await render(fake);
    const list = await screen.findByRole('list', { name: 'Recent sessions' });
    const links = within(list).getAllByRole('link');
    expect(links.map(l => l.textContent)).toEqual([
      'Task number 7',
      'Task number 6',
      'Task number 5',
      'Task number 4',
      'Task number 3',
    ]);
    expect(links[0]).toHaveAttribute(
      'href',
      `/agents/sessions/${fake.sessions[0].id}`,
    );
    expect(
      within(list)
        .getAllByTestId('session-status')
        .map(c => c.getAttribute('data-status')),
    ).toEqual(['running', 'starting', 'succeeded', 'failed', 'succeeded']);
    expect(screen.getByLabelText('running now')).toHaveTextContent('2');
    // 3 of 4 finished sessions succeeded.
    expect(screen.getByText('75%')).toBeInTheDocument();
    expect(
      screen.getByText('succeeded, last 30 days (4 finished)'),
    ).toBeInTheDocument();
    expect(fake.requestsOf('ListSessions').map(r => r.query)).toEqual(
      expect.arrayContaining([
        { entityRef: 'component:default/payments-service', limit: 5 },
        {
          entityRef: 'component:default/payments-service',
          status: 'starting,running',
          limit: 100,
        },
      ]),
    );
    expect(fake.requestsOf('GetUsageStatistics')[0].query).toEqual({
      entityRef: 'component:default/payments-service',
    });
    fake.assertNoViolations();
  });

  it('starts a session with the dialog of the Agents tab and opens its page', async () => {
    const fake = new FakeAgentsApi(0);
    await render(fake);
    expect(
      await screen.findByText('No agent sessions yet.'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('running now')).toHaveTextContent('0');
    await userEvent.click(screen.getByRole('button', { name: 'New session' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: /prompt/i }),
      'Add a refund endpoint',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: /start/i }),
    );
    expect(
      await screen.findByText(`Session page of ${fake.sessions[0].id}`),
    ).toBeInTheDocument();
    expect(fake.requestsOf('CreateSession')[0].body).toMatchObject({
      entityRef: 'component:default/payments-service',
      prompt: 'Add a refund endpoint',
    });
  });

  it('says why no session can be started instead of the button', async () => {
    const fake = new FakeAgentsApi(0);
    fake.launchOptions = {
      ...DEFAULT_LAUNCH_OPTIONS,
      canCreate: false,
      reason: 'Only owners of payments-service may start sessions',
    };
    await render(fake);
    expect(
      await screen.findByText(
        'Only owners of payments-service may start sessions',
      ),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByLabelText('running now')).toBeInTheDocument(),
    );
    expect(
      screen.queryByRole('button', { name: 'New session' }),
    ).not.toBeInTheDocument();
  });

  it("shows the server's message when the sessions cannot be loaded", async () => {
    const fake = new FakeAgentsApi(0);
    fake.fail(
      'GetUsageStatistics',
      403,
      'NotAllowedError',
      'You are not allowed to read sessions',
    );
    await render(fake);
    expect(
      await screen.findByText(/You are not allowed to read sessions/),
    ).toBeInTheDocument();
  });
});

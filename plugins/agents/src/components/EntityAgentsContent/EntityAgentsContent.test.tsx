import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import type { Entity } from '@backstage/catalog-model';
import { Route, Routes, useParams } from 'react-router-dom';
import { agentsApiRef } from '../../api/AgentsApi';
import { rootRouteRef } from '../../routes';
import {
  ENTITY_REF,
  FakeAgentsApi,
  makeFanOut,
} from '@backstage-agents/plugin-agents-common/testUtils';
import { clientOf } from '../../__testUtils__/clientOf';
import { FakeSignalApi } from '../../__testUtils__/signals';
import { EntityAgentsContent, isAgentsAvailable } from './EntityAgentsContent';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-service',
    namespace: 'default',
    annotations: {
      'backstage.io/source-location':
        'url:https://github.com/example-org/payments-service/',
    },
  },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
};

function SessionPageStub() {
  const { sessionId } = useParams();
  return <p>Session page of {sessionId}</p>;
}

function render(api: FakeAgentsApi, signals = new FakeSignalApi()) {
  return renderInTestApp(
    <Routes>
      <Route
        path="/"
        element={
          <EntityProvider entity={entity}>
            <EntityAgentsContent />
          </EntityProvider>
        }
      />
      <Route path="/agents/sessions/:sessionId" element={<SessionPageStub />} />
    </Routes>,
    {
      apis: [
        [agentsApiRef, clientOf(api)],
        [signalApiRef, signals],
        mockApis.permission(),
      ],
      mountedRoutes: { '/agents': rootRouteRef },
    },
  );
}

/** The queries of the sessions listings the tab asked for, in order. */
function listCalls(api: FakeAgentsApi) {
  return api.requestsOf('ListSessions').map(r => r.query);
}

/** The prompts of the rows on screen, top to bottom. */
function rowPrompts() {
  return screen
    .getAllByRole('link', { name: /^Task number \d+$/ })
    .map(link => link.textContent);
}

function pagerButton(name: 'next' | 'previous') {
  return screen.getByRole('button', { name: new RegExp(`${name} page`, 'i') });
}

function clickPager(name: 'next' | 'previous') {
  fireEvent.click(pagerButton(name));
}

async function waitForPageNumber(page: number) {
  await waitFor(() =>
    expect(screen.getByText(`Page ${page}`)).toBeInTheDocument(),
  );
}

/** Renders the tab on `api`'s sessions and moves to the second page of 20. */
async function renderSecondPage(api: FakeAgentsApi) {
  await render(api);
  await waitFor(() => expect(rowPrompts()).toHaveLength(20));
  clickPager('next');
  await waitForPageNumber(2);
}

describe('EntityAgentsContent', () => {
  it('lists the entity sessions newest first with their status, harness, branch and author', async () => {
    const api = new FakeAgentsApi(5);
    await render(api);

    await waitFor(() => expect(rowPrompts()).toHaveLength(5));
    expect(rowPrompts()).toEqual([
      'Task number 5',
      'Task number 4',
      'Task number 3',
      'Task number 2',
      'Task number 1',
    ]);
    expect(listCalls(api)[0]).toMatchObject({
      entityRef: ENTITY_REF,
      limit: 20,
    });
    const statuses = screen
      .getAllByTestId('session-status')
      .map(chip => chip.textContent);
    // Session 3 is pending: shown as queued.
    expect(statuses).toEqual([
      'timed out',
      'cancelled',
      'queued',
      'running',
      'failed',
    ]);
    expect(screen.getByText('agents/session-5')).toBeInTheDocument();
    expect(screen.getAllByText('OpenCode')).toHaveLength(5);
    expect(screen.getAllByText('jane').length).toBeGreaterThan(0);
    expect(screen.getAllByText('took 1m 35s').length).toBeGreaterThan(0);
    expect(screen.getByRole('link', { name: 'Task number 5' })).toHaveAttribute(
      'href',
      `/agents/sessions/${api.sessions[0].id}`,
    );
  });

  it('shows the pull request and its state', async () => {
    const api = new FakeAgentsApi(1);
    api.sessions[0] = {
      ...api.sessions[0],
      prUrl: 'https://github.com/example-org/payments-service/pull/42',
      prState: 'open',
    };
    await render(api);
    const link = await screen.findByRole('link', { name: /#42/ });
    expect(link).toHaveAttribute(
      'href',
      'https://github.com/example-org/payments-service/pull/42',
    );
    expect(screen.getByText('open')).toBeInTheDocument();
  });

  it('marks a fan-out with its size and progress, and each of its tasks with its task id and a link to it', async () => {
    const api = new FakeAgentsApi(2);
    const statuses = Array.from({ length: 12 }, (_, i) =>
      i < 5 ? ('succeeded' as const) : ('running' as const),
    );
    const { fanOut, children } = makeFanOut(3, statuses);
    api.addFanOut({ fanOut, children });
    await render(api);

    const label = await screen.findByTestId('fanout-label');
    expect(label).toHaveTextContent('fan-out · 12 tasks');
    expect(label).toHaveTextContent('5/12 finished');
    expect(
      within(label).getByRole('progressbar', { name: '5 of 12 finished' }),
    ).toBeInTheDocument();
    const fanOutRow = label.closest('tr') as HTMLElement;
    expect(
      within(fanOutRow).getByRole('link', {
        name: 'Implement the ledger spec',
      }),
    ).toHaveAttribute('href', `/agents/sessions/${fanOut.id}`);
    expect(within(fanOutRow).getByTestId('session-status')).toHaveTextContent(
      'running',
    );

    const childLabels = screen.getAllByTestId('fanout-child-label');
    expect(childLabels).toHaveLength(12);
    // Newest first: the last task was created last.
    expect(childLabels[0]).toHaveTextContent('T012 · part of fan-out');
    expect(childLabels[11]).toHaveTextContent('T001 · part of fan-out');
    for (const childLabel of childLabels) {
      expect(
        within(childLabel).getByRole('link', { name: 'fan-out' }),
      ).toHaveAttribute('href', `/agents/sessions/${fanOut.id}`);
    }
    // Sessions outside a fan-out are not marked.
    const plain = screen
      .getByRole('link', { name: 'Task number 2' })
      .closest('tr') as HTMLElement;
    expect(within(plain).queryByTestId('fanout-label')).not.toBeInTheDocument();
    expect(
      within(plain).queryByTestId('fanout-child-label'),
    ).not.toBeInTheDocument();
    // Still one page of 20 from the entity's list: the fan-out changes nothing to paging.
    expect(listCalls(api)).toHaveLength(1);
    expect(listCalls(api)[0]).toMatchObject({
      entityRef: ENTITY_REF,
      limit: 20,
    });
  });

  it('marks a fan-out in waves with its current wave, each task with its wave, and a held task as waiting', async () => {
    const api = new FakeAgentsApi(0);
    const { fanOut, children } = makeFanOut(
      1,
      ['running', 'pending', 'pending'],
      { integrationBranch: 'specs/001-ledger/integration', currentWave: 1 },
    );
    children.forEach((child, i) => {
      child.wave = i + 1;
    });
    api.addFanOut({ fanOut, children });
    await render(api);

    const label = await screen.findByTestId('fanout-label');
    expect(within(label).getByTestId('fanout-label-wave')).toHaveTextContent(
      /^wave 1$/,
    );
    const childLabels = screen.getAllByTestId('fanout-child-label');
    expect(childLabels.map(l => l.textContent)).toEqual([
      'T003 · wave 3 · part of fan-out',
      'T002 · wave 2 · part of fan-out',
      'T001 · wave 1 · part of fan-out',
    ]);
    const statusOf = (childLabel: HTMLElement) =>
      within(childLabel.closest('tr') as HTMLElement).getByTestId(
        'session-status',
      ).textContent;
    expect(childLabels.map(statusOf)).toEqual([
      'waiting for wave 2',
      'waiting for wave 1',
      'running',
    ]);
  });

  it('marks a fan-out whose wave failed', async () => {
    const api = new FakeAgentsApi(0);
    const { fanOut, children } = makeFanOut(1, ['failed', 'cancelled'], {
      integrationBranch: 'specs/001-ledger/integration',
      currentWave: 1,
      waveError: 'T001 failed',
    });
    children.forEach((child, i) => {
      child.wave = i + 1;
    });
    api.addFanOut({ fanOut, children });
    await render(api);
    const wave = await screen.findByTestId('fanout-label-wave');
    expect(wave).toHaveTextContent(/^wave 1 failed$/);
    expect(wave).toHaveAttribute('title', 'T001 failed');
  });

  it('goes from a task to its fan-out', async () => {
    const api = new FakeAgentsApi(0);
    const fanOut = makeFanOut(1, ['running', 'pending']);
    api.addFanOut(fanOut);
    await render(api);
    const [childLabel] = await screen.findAllByTestId('fanout-child-label');
    await userEvent.click(
      within(childLabel).getByRole('link', { name: 'fan-out' }),
    );
    expect(
      await screen.findByText(`Session page of ${fanOut.fanOut.id}`),
    ).toBeInTheDocument();
  });

  it('pages through 1,000 sessions with next and previous, 20 at a time', async () => {
    const api = new FakeAgentsApi(1000);
    await render(api);
    await waitFor(() => expect(rowPrompts()).toHaveLength(20));
    expect(rowPrompts()[0]).toBe('Task number 1000');
    expect(rowPrompts()[19]).toBe('Task number 981');
    expect(pagerButton('previous')).toBeDisabled();

    const next = () => clickPager('next');
    const previous = () => clickPager('previous');
    const showsPage = async (page: number) => {
      await waitForPageNumber(page);
      await waitFor(() =>
        expect(rowPrompts()[0]).toBe(`Task number ${1000 - (page - 1) * 20}`),
      );
      expect(rowPrompts()).toHaveLength(20);
    };

    next();
    await showsPage(2);
    expect(listCalls(api).at(-1)?.cursor).toBe(api.sessions[19].id);
    next();
    await showsPage(3);
    expect(listCalls(api).at(-1)?.cursor).toBe(api.sessions[39].id);
    previous();
    await showsPage(2);
    expect(listCalls(api).at(-1)?.cursor).toBe(api.sessions[19].id);
    previous();
    await showsPage(1);
    expect(listCalls(api).at(-1)?.cursor).toBeUndefined();
    // One request per page shown, never the whole list. The table also reloads the page it shows while
    // sessions on it run (a slow machine can take that long): such a reload repeats the same cursor.
    const pages = listCalls(api)
      .map(q => q.cursor)
      .filter((cursor, i, all) => i === 0 || cursor !== all[i - 1]);
    expect(pages).toEqual([
      undefined,
      api.sessions[19].id,
      api.sessions[39].id,
      api.sessions[19].id,
      undefined,
    ]);
    expect(listCalls(api).every(q => q.limit === 20)).toBe(true);
  }, 30_000);

  it('ends at the last page', async () => {
    const api = new FakeAgentsApi(45);
    await renderSecondPage(api);
    await waitFor(() => expect(rowPrompts()[0]).toBe('Task number 25'));
    clickPager('next');
    await waitFor(() =>
      expect(rowPrompts()).toEqual([
        'Task number 5',
        'Task number 4',
        'Task number 3',
        'Task number 2',
        'Task number 1',
      ]),
    );
    expect(screen.getByText('Page 3')).toBeInTheDocument();
    expect(pagerButton('next')).toBeDisabled();
    expect(pagerButton('previous')).toBeEnabled();
  }, 30_000);

  it('filters by status and by "mine", starting again from the first page', async () => {
    const api = new FakeAgentsApi(100);
    await renderSecondPage(api);

    fireEvent.mouseDown(screen.getByRole('button', { name: /all statuses/i }));
    fireEvent.click(await screen.findByRole('option', { name: 'succeeded' }));
    await waitFor(() => {
      const last = listCalls(api).at(-1);
      expect(last).toMatchObject({ status: 'succeeded' });
      expect(last?.cursor).toBeUndefined();
    });
    await waitFor(() =>
      expect(
        screen
          .getAllByTestId('session-status')
          .every(c => c.textContent === 'succeeded'),
      ).toBe(true),
    );
    expect(screen.queryByText('Page 2')).not.toBeInTheDocument();

    fireEvent.mouseDown(screen.getByRole('button', { name: /succeeded/i }));
    fireEvent.click(await screen.findByRole('option', { name: /^Unfinished/ }));
    await waitFor(() =>
      expect(listCalls(api).at(-1)).toMatchObject({
        status: 'pending,starting,running',
      }),
    );

    fireEvent.click(screen.getByRole('checkbox', { name: 'Only mine' }));
    await waitFor(() =>
      expect(listCalls(api).at(-1)).toMatchObject({ createdBy: 'me' }),
    );
    await waitFor(() => expect(screen.queryAllByText('jane')).toHaveLength(0));
  }, 30_000);

  it('explains the tab and how to start when the entity has no session', async () => {
    const api = new FakeAgentsApi(0);
    await render(api);
    expect(
      await screen.findByText('No agent sessions yet'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Start one with "New session"/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: /new session/i }),
    ).toBeInTheDocument();
  });

  it('offers no "New session" button, and says why, when the user may not start one', async () => {
    const api = new FakeAgentsApi(2);
    api.launchOptions = {
      ...api.launchOptions,
      canCreate: false,
      reason: 'Only the owners of payments-service may start sessions',
    };
    await render(api);
    expect(
      await screen.findByText(
        'Only the owners of payments-service may start sessions',
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /new session/i }),
    ).not.toBeInTheDocument();
  });

  it('shows a readable error when the sessions cannot be loaded', async () => {
    const api = new FakeAgentsApi(0);
    api.fail(
      'ListSessions',
      403,
      'NotAllowedError',
      'You may not read sessions of this entity',
    );
    await render(api);
    expect(
      await screen.findByText(/Could not load the agent sessions/),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(/You may not read sessions of this entity/).length,
    ).toBeGreaterThan(0);
  });

  it('reloads when a signal announces a status change of one of the entity sessions, and only then', async () => {
    const api = new FakeAgentsApi(3);
    const signals = new FakeSignalApi();
    await render(api, signals);
    await waitFor(() => expect(rowPrompts()).toHaveLength(3));
    const calls = listCalls(api).length;

    // Every tab hears every change in the installation: another entity's session is none of its
    // business, nor is a message that names no entity.
    act(() =>
      signals.announce({
        sessionId: 'other',
        entityRef: 'component:default/other',
        status: 'running',
      }),
    );
    act(() =>
      signals.publish('agents:sessions', {
        sessionId: 'other',
        status: 'running',
      }),
    );
    expect(listCalls(api).length).toBe(calls);

    api.replace({ ...api.sessions[0], status: 'succeeded' });
    act(() =>
      signals.announce({
        sessionId: api.sessions[0].id,
        entityRef: ENTITY_REF,
        status: 'succeeded',
      }),
    );
    await waitFor(() => expect(listCalls(api).length).toBe(calls + 1));
    await waitFor(() =>
      expect(screen.getAllByTestId('session-status')[0]).toHaveTextContent(
        'succeeded',
      ),
    );
  });

  it('reloads once for a burst of signals', async () => {
    const api = new FakeAgentsApi(3);
    const signals = new FakeSignalApi();
    await render(api, signals);
    await waitFor(() => expect(rowPrompts()).toHaveLength(3));
    const calls = listCalls(api).length;
    jest.useFakeTimers();
    try {
      // A fan-out of this entity starting its tasks: one reload now and one after the interval.
      for (let i = 0; i < 50; i++) {
        act(() =>
          signals.announce({
            sessionId: `s${i}`,
            entityRef: ENTITY_REF,
            status: 'pending',
          }),
        );
      }
      await act(async () => {
        jest.advanceTimersByTime(2_500);
      });
      expect(listCalls(api).length).toBe(calls + 2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('polls every 10 seconds while a session on the page is unfinished', async () => {
    jest.useFakeTimers();
    try {
      const api = new FakeAgentsApi(3); // session 3 is pending
      await render(api);
      await waitFor(() =>
        expect(screen.getAllByTestId('session-status')).toHaveLength(3),
      );
      await act(async () => {
        jest.advanceTimersByTime(10_000);
      });
      await waitFor(() => expect(listCalls(api).length).toBe(2));

      // Once every session has finished, polling stops.
      api.sessions = api.sessions.map(s => ({
        ...s,
        status: 'succeeded' as const,
      }));
      await act(async () => {
        jest.advanceTimersByTime(10_000);
      });
      await waitFor(() => expect(listCalls(api).length).toBe(3));
      await act(async () => {
        jest.advanceTimersByTime(30_000);
      });
      expect(listCalls(api).length).toBe(3);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('isAgentsAvailable', () => {
  it('needs a source location or a GitHub project slug', () => {
    expect(isAgentsAvailable(entity)).toBe(true);
    expect(
      isAgentsAvailable({
        metadata: { annotations: { 'github.com/project-slug': 'o/r' } },
      }),
    ).toBe(true);
    expect(isAgentsAvailable({ metadata: {} })).toBe(false);
  });
});

describe('New session', () => {
  it('opens the dialog from the tab and goes to the new session page', async () => {
    const api = new FakeAgentsApi(1);
    await render(api);
    await userEvent.click(
      await screen.findByRole('button', { name: /new session/i }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(
      within(dialog).getByLabelText('Prompt'),
      'Add a subtract function',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: /start session/i }),
    );
    await waitFor(() =>
      expect(api.requestsOf('CreateSession').map(r => r.body)).toEqual([
        {
          entityRef: ENTITY_REF,
          prompt: 'Add a subtract function',
          harness: 'opencode',
        },
      ]),
    );
    expect(
      await screen.findByText(`Session page of ${api.sessions[0].id}`),
    ).toBeInTheDocument();
  });
});

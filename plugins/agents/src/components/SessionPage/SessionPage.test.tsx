import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { agentsApiRef } from '../../api/AgentsApi';
import { rootRouteRef } from '../../routes';
import type { AgentsSessionStatus } from '../../api/types';
import {
  FakeAgentsApi,
  FakeLogStream,
  makeFanOut,
  makeRun,
  makeSession,
  runId,
} from '@backstage-agents/plugin-agents-common/testUtils';
import { clientOf } from '../../__testUtils__/clientOf';
import { FakeSignalApi } from '../../__testUtils__/signals';
import { SessionPage } from './SessionPage';

const PR_URL = 'https://github.com/example-org/payments-service/pull/7';

function setup(overrides: Parameters<typeof makeSession>[1] = {}) {
  const api = new FakeAgentsApi(0);
  const session = makeSession(1, overrides);
  api.sessions = [session];
  return { api, session };
}

async function render(
  api: FakeAgentsApi,
  sessionId: string,
  options: {
    permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    signals?: FakeSignalApi;
  } = {},
) {
  return renderInTestApp(<SessionPage sessionId={sessionId} />, {
    apis: [
      [agentsApiRef, clientOf(api)],
      [signalApiRef, options.signals ?? new FakeSignalApi()],
      mockApis.permission({
        authorize: options.permission ?? AuthorizeResult.ALLOW,
      }),
    ],
    mountedRoutes: {
      '/agents': rootRouteRef,
      '/catalog/:namespace/:kind/:name': entityRouteRef,
    },
  });
}

async function nextStream(
  api: FakeAgentsApi,
  count: number,
): Promise<FakeLogStream> {
  // A dropped stream is retried after a second.
  await waitFor(
    () => expect(api.streams.length).toBeGreaterThanOrEqual(count),
    {
      timeout: 3000,
    },
  );
  return api.streams[count - 1];
}

/** The ids of the sessions cancelled through the API, in order. */
function cancelled(api: FakeAgentsApi) {
  return api.requestsOf('CancelSession').map(r => r.pathParams.id);
}

/** The sessions resumed through the API, with their follow-up prompts. */
function resumed(api: FakeAgentsApi) {
  return api.requestsOf('ResumeSession').map(r => ({
    id: r.pathParams.id,
    prompt: (r.body as { prompt: string }).prompt,
  }));
}

/** How many times a session was read. */
function sessionReads(api: FakeAgentsApi) {
  return api.requestsOf('GetSession').length;
}

function logStatus() {
  return screen.getByTestId('log-connection').textContent;
}

/** Opens the Resume dialog and sends `prompt` as the follow-up. */
async function resumeWith(prompt: string) {
  await userEvent.click(await screen.findByRole('button', { name: /resume/i }));
  const dialog = await screen.findByRole('dialog');
  await userEvent.type(
    within(dialog).getByLabelText('Follow-up prompt'),
    prompt,
  );
  await userEvent.click(
    within(dialog).getByRole('button', { name: /^resume$/i }),
  );
}

describe('SessionPage', () => {
  it('shows the session: status, entity, repository, branch, pull request, timing and saved state', async () => {
    const { api, session } = setup({
      status: 'succeeded',
      prUrl: PR_URL,
      prState: 'merged',
      harness: 'demo',
      bundle: {
        id: 'b1',
        digest: 'sha256:abc',
        sizeBytes: 1536 * 1024,
        createdAt: new Date().toISOString(),
      },
      finishedAt: new Date().toISOString(),
    });
    await render(api, session.id);
    expect(await screen.findAllByText('Task number 1')).not.toHaveLength(0);
    const details = screen.getByText('Repository').closest('dl') as HTMLElement;
    expect(within(details).getByText('succeeded')).toBeInTheDocument();
    expect(within(details).getByText('payments-service')).toBeInTheDocument();
    expect(
      within(details).getByRole('link', {
        name: /github\.com\/example-org\/payments-service/,
      }),
    ).toBeInTheDocument();
    expect(
      within(details).getByText('agents/session-1 (from main)'),
    ).toBeInTheDocument();
    expect(within(details).getByRole('link', { name: /#7/ })).toHaveAttribute(
      'href',
      PR_URL,
    );
    expect(within(details).getByText('merged')).toBeInTheDocument();
    expect(
      within(details).getByText('Demo (development stand-in)'),
    ).toBeInTheDocument();
    expect(within(details).getByTestId('bundle')).toHaveTextContent(
      '1.5 MB, saved',
    );
  });

  it('shows the runs as a timeline with each prompt, phase, exit code and reason', async () => {
    const base = makeSession(1, { status: 'failed' });
    const { api, session } = setup({
      status: 'failed',
      runs: [
        {
          ...base.runs[0],
          phase: 'succeeded',
          exitCode: 0,
          finishedAt: base.createdAt,
        },
        {
          id: runId(1, 2),
          sessionId: base.id,
          attempt: 2,
          kind: 'resume',
          prompt: 'Also add tests\nand docs',
          phase: 'failed',
          createdAt: base.createdAt,
          startedAt: base.createdAt,
          finishedAt: base.createdAt,
          exitCode: 3,
          reason: 'The harness reported a failure',
        },
      ],
    });
    await render(api, session.id);
    const runs = await screen.findAllByTestId('run');
    expect(runs).toHaveLength(2);
    expect(runs[0]).toHaveTextContent('Run 1 · first run');
    expect(runs[0]).toHaveTextContent('succeeded');
    expect(runs[0]).toHaveTextContent('exit code 0');
    expect(runs[1]).toHaveTextContent('Run 2 · resume');
    expect(runs[1]).toHaveTextContent('Also add tests');
    expect(runs[1]).not.toHaveTextContent('and docs');
    expect(runs[1]).toHaveTextContent('exit code 3');
    expect(runs[1]).toHaveTextContent('The harness reported a failure');
  });

  describe('usage', () => {
    it('shows each run’s tokens and cost, and the session’s total', async () => {
      const { api, session } = setup({
        status: 'succeeded',
        runs: [
          makeRun(1, 1, {
            usage: { inputTokens: 12_345, outputTokens: 4_100, costUsd: 0.052 },
          }),
          makeRun(1, 2, {
            usage: { inputTokens: 980, outputTokens: 35, costUsd: 0.0034 },
          }),
          makeRun(1, 3, { phase: 'failed', reason: 'No result line' }),
        ],
      });
      await render(api, session.id);
      const runs = await screen.findAllByTestId('run');
      expect(within(runs[0]).getByTestId('run-usage')).toHaveTextContent(
        /^12\.3k in · 4\.1k out · \$0\.05$/,
      );
      expect(within(runs[1]).getByTestId('run-usage')).toHaveTextContent(
        /^980 in · 35 out · <\$0\.01$/,
      );
      // A run that reported nothing shows nothing.
      expect(
        within(runs[2]).queryByTestId('run-usage'),
      ).not.toBeInTheDocument();
      const details = screen
        .getByText('Repository')
        .closest('dl') as HTMLElement;
      expect(within(details).getByText('Usage')).toBeInTheDocument();
      expect(within(details).getByTestId('session-usage')).toHaveTextContent(
        /^13\.3k in · 4\.1k out · \$0\.06$/,
      );
    });

    it('shows tokens without a cost when the harness has no price', async () => {
      const { api, session } = setup({
        status: 'succeeded',
        runs: [
          makeRun(1, 1, {
            usage: { inputTokens: 2_500_000, outputTokens: 999_999 },
          }),
        ],
      });
      await render(api, session.id);
      const [run] = await screen.findAllByTestId('run');
      expect(within(run).getByTestId('run-usage')).toHaveTextContent(
        /^2\.5M in · 1M out$/,
      );
      expect(screen.getByTestId('session-usage')).toHaveTextContent(
        /^2\.5M in · 1M out$/,
      );
    });

    it('shows no usage for a session whose runs reported none', async () => {
      const { api, session } = setup({ status: 'succeeded' });
      await render(api, session.id);
      await screen.findAllByTestId('run');
      expect(screen.queryByTestId('run-usage')).not.toBeInTheDocument();
      expect(screen.queryByTestId('session-usage')).not.toBeInTheDocument();
      expect(screen.queryByText('Usage')).not.toBeInTheDocument();
    });
  });

  it('shows a readable error when the session cannot be loaded', async () => {
    const api = new FakeAgentsApi(0);
    await render(api, 'f0000000-0000-4000-8000-000000000000');
    expect(
      await screen.findByText(/Could not load the agent session/),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(
        /Session f0000000-0000-4000-8000-000000000000 not found/,
      ).length,
    ).toBeGreaterThan(0);
  });

  describe('actions', () => {
    it('offers Cancel while the session runs, and cancels after confirmation', async () => {
      const { api, session } = setup({ status: 'running' });
      await render(api, session.id);
      await userEvent.click(
        await screen.findByRole('button', { name: /cancel session/i }),
      );
      const dialog = await screen.findByRole('dialog');
      await userEvent.click(
        within(dialog).getByRole('button', { name: /cancel session/i }),
      );
      await waitFor(() => expect(cancelled(api)).toEqual([session.id]));
      await waitFor(() =>
        expect(
          screen.queryByRole('button', { name: /cancel session/i }),
        ).not.toBeInTheDocument(),
      );
      expect(
        screen.getByRole('button', { name: /resume/i }),
      ).toBeInTheDocument();
      expect(screen.queryByRole('button', { name: /resume/i })).toBeEnabled();
    });

    it('offers Resume once the session has finished, with a follow-up prompt', async () => {
      const { api, session } = setup({ status: 'succeeded' });
      await render(api, session.id);
      expect(
        screen.queryByRole('button', { name: /cancel session/i }),
      ).not.toBeInTheDocument();
      await resumeWith('Also add tests');
      await waitFor(() =>
        expect(resumed(api)).toEqual([
          { id: session.id, prompt: 'Also add tests' },
        ]),
      );
      expect(await screen.findAllByTestId('run')).toHaveLength(2);
      expect(screen.getAllByText('queued').length).toBeGreaterThan(0);
    });

    it.each([
      ['running', 'cancel'],
      ['succeeded', 'resume'],
    ] as const)(
      'offers no button when the permission policy denies it (%s session, %s)',
      async (status, action) => {
        // usePermission caches answers per session id across tests: an id no test was allowed on.
        const { api, session } = setup({
          status,
          id: `d0000000-0000-4000-8000-00000000000${
            action === 'cancel' ? 1 : 2
          }`,
        });
        await render(api, session.id, { permission: AuthorizeResult.DENY });
        expect(
          await screen.findByText(
            `You are not allowed to ${action} this session.`,
          ),
        ).toBeInTheDocument();
        expect(
          screen.queryByRole('button', { name: /cancel session/i }),
        ).not.toBeInTheDocument();
        expect(
          screen.queryByRole('button', { name: /resume/i }),
        ).not.toBeInTheDocument();
      },
    );
  });

  describe('live log', () => {
    // jsdom does no layout; give the log viewer's auto-sizer a size so that it renders lines.
    beforeEach(() => {
      jest
        .spyOn(HTMLElement.prototype, 'getBoundingClientRect')
        .mockReturnValue({
          width: 1000,
          height: 600,
          top: 0,
          left: 0,
          bottom: 600,
          right: 1000,
          x: 0,
          y: 0,
          toJSON: () => ({}),
        });
    });
    afterEach(() => jest.restoreAllMocks());

    it('appends lines as they arrive', async () => {
      const { api, session } = setup({ status: 'running' });
      await render(api, session.id);
      const stream = await nextStream(api, 1);
      expect(stream.after).toBe(0);
      act(() => {
        stream.open();
        stream.lines(1, 3);
      });
      expect(await screen.findByText('line 3')).toBeInTheDocument();
      expect(screen.getByText('line 1')).toBeInTheDocument();
      expect(logStatus()).toBe('Live · 3 lines');
      act(() => stream.lines(4, 4));
      expect(await screen.findByText('line 4')).toBeInTheDocument();
      expect(logStatus()).toBe('Live · 4 lines');
    });

    it('reconnects after the last line received and shows no line twice', async () => {
      const { api, session } = setup({ status: 'running' });
      await render(api, session.id);
      const first = await nextStream(api, 1);
      act(() => {
        first.open();
        first.lines(1, 5);
      });
      await waitFor(() => expect(logStatus()).toBe('Live · 5 lines'));

      act(() => first.close());
      await waitFor(() =>
        expect(logStatus()).toMatch(/^Connection lost; reconnecting…/),
      );
      const second = await nextStream(api, 2);
      expect(second.after).toBe(5);
      act(() => {
        second.open();
        // A server that replays from a little earlier: the overlap is dropped.
        second.lines(4, 8);
      });
      await waitFor(() => expect(logStatus()).toBe('Live · 8 lines'));
      expect(await screen.findByText('line 8')).toBeInTheDocument();
      expect(screen.getAllByText('line 5')).toHaveLength(1);
    });

    it('stops at the end of a finished session and reloads it', async () => {
      const { api, session } = setup({ status: 'running' });
      await render(api, session.id);
      const stream = await nextStream(api, 1);
      act(() => {
        stream.open();
        stream.lines(1, 2);
      });
      api.replace({
        ...session,
        status: 'succeeded',
        prUrl: PR_URL,
        prState: 'open',
      });
      act(() => {
        stream.emit({ type: 'status', status: 'succeeded' });
        stream.emit({ type: 'end', status: 'succeeded', lastSeq: 2 });
        stream.close();
      });
      await waitFor(() => expect(logStatus()).toBe('Complete · 2 lines'));
      expect(
        await screen.findByRole('link', { name: /#7/ }),
      ).toBeInTheDocument();
      expect(sessionReads(api)).toBeGreaterThanOrEqual(2);
      // The pull request is noted in the log after its end: the log reads on once for it, then stops.
      const second = await nextStream(api, 2);
      expect(second.after).toBe(2);
      act(() => {
        second.open();
        second.lines(3, 3);
        second.emit({ type: 'end', status: 'succeeded', lastSeq: 3 });
        second.close();
      });
      await waitFor(() => expect(logStatus()).toBe('Complete · 3 lines'));
      await new Promise(r => setTimeout(r, 1200));
      expect(api.streams).toHaveLength(2);
    });

    it('marks where a resumed run starts', async () => {
      const base = makeSession(1);
      const { api, session } = setup({
        status: 'running',
        runs: [
          { ...base.runs[0], phase: 'succeeded' },
          {
            ...base.runs[0],
            id: runId(1, 2),
            attempt: 2,
            kind: 'resume',
            phase: 'running',
          },
        ],
      });
      await render(api, session.id);
      const stream = await nextStream(api, 1);
      act(() => {
        stream.open();
        stream.lines(1, 2, runId(1, 1));
        stream.lines(3, 4, runId(1, 2));
      });
      expect(
        await screen.findByText('── Run 2 (resume) ──'),
      ).toBeInTheDocument();
    });

    it('reopens the log from the last line when the session is resumed', async () => {
      const { api, session } = setup({ status: 'succeeded' });
      await render(api, session.id);
      const first = await nextStream(api, 1);
      act(() => {
        first.open();
        first.lines(1, 3);
        first.emit({ type: 'end', status: 'succeeded', lastSeq: 3 });
        first.close();
      });
      await waitFor(() => expect(logStatus()).toBe('Complete · 3 lines'));
      await resumeWith('More');
      const second = await nextStream(api, 2);
      expect(second.after).toBe(3);
    });

    it('renders 100,000 lines', async () => {
      const { api, session } = setup({ status: 'running' });
      await render(api, session.id);
      const stream = await nextStream(api, 1);
      act(() => {
        stream.open();
        stream.lines(1, 100_000);
      });
      await waitFor(() => expect(logStatus()).toBe('Live · 100000 lines'), {
        timeout: 20_000,
      });
      // The viewer is virtualised: it follows the tail and renders only the lines in view.
      expect(await screen.findByText('line 100000')).toBeInTheDocument();
      expect(screen.queryByText('line 1')).not.toBeInTheDocument();
      expect(screen.getAllByRole('row').length).toBeLessThan(200);
    }, 60_000);

    it('says why when the log cannot be read', async () => {
      const { api, session } = setup({ status: 'running' });
      api.onStream = stream =>
        stream.refuse(403, 'NotAllowedError', 'You may not read this session');
      await render(api, session.id);
      expect(
        await screen.findByText('You may not read this session'),
      ).toBeInTheDocument();
      expect(logStatus()).toMatch(/^The log is not available/);
    });
  });

  it('reloads when a signal announces a change of this session', async () => {
    const { api, session } = setup({ status: 'succeeded' });
    const signals = new FakeSignalApi();
    await render(api, session.id, { signals });
    await screen.findAllByTestId('run');
    const calls = sessionReads(api);
    act(() =>
      signals.announce({
        sessionId: session.id,
        entityRef: session.entityRef,
        status: 'pending',
      }),
    );
    await waitFor(() => expect(sessionReads(api)).toBe(calls + 1));
  });

  describe('fan-out', () => {
    const statuses = [
      'succeeded',
      'failed',
      'running',
      'pending',
      'succeeded',
      'cancelled',
      'running',
    ] as const;

    function setupFanOut(
      childStatuses: readonly AgentsSessionStatus[] = statuses,
      n = 1,
    ) {
      const api = new FakeAgentsApi(0);
      const fanOut = makeFanOut(n, [...childStatuses]);
      fanOut.children[0] = {
        ...fanOut.children[0],
        prUrl: PR_URL,
        prState: 'open',
      };
      api.addFanOut(fanOut);
      return { api, fanOut: fanOut.fanOut, children: fanOut.children };
    }

    /** The task ids of the children table, top to bottom. */
    function taskIds() {
      return screen.getAllByTestId('child-task').map(c => c.textContent);
    }

    function countOf(status: string) {
      const count = screen
        .getAllByTestId('fanout-count')
        .find(c => c.getAttribute('data-status') === status);
      return count?.textContent;
    }

    it('lists every task session, across pages, in task order, with its status, branch and pull request', async () => {
      const { api, fanOut, children } = setupFanOut();
      // The server returns fewer than asked: the list follows the cursor to the end.
      api.maxPageSize = 5;
      await render(api, fanOut.id);
      await waitFor(() => expect(taskIds()).toHaveLength(7));
      expect(taskIds()).toEqual([
        'T001',
        'T002',
        'T003',
        'T004',
        'T005',
        'T006',
        'T007',
      ]);
      const childCalls = api
        .requestsOf('ListSessions')
        .map(r => r.query)
        .filter(q => q.parentSessionId === fanOut.id);
      expect(childCalls).toHaveLength(2);
      expect(childCalls[0]).toMatchObject({ limit: 1000 });
      expect(childCalls[0].cursor).toBeUndefined();
      expect(childCalls[1].cursor).toBe(children[2].id);

      const row = screen.getByText('T001').closest('tr') as HTMLElement;
      expect(
        within(row).getByText('T001 Implement ledger part 1').closest('a'),
      ).toHaveAttribute('href', `/agents/sessions/${children[0].id}`);
      expect(within(row).getByTestId('session-status')).toHaveTextContent(
        'succeeded',
      );
      expect(
        within(row).getByText('specs/001-ledger/T001-async'),
      ).toBeInTheDocument();
      expect(within(row).getByText('#7').closest('a')).toHaveAttribute(
        'href',
        PR_URL,
      );
      const pending = screen.getByText('T004').closest('tr') as HTMLElement;
      expect(within(pending).getByTestId('session-status')).toHaveTextContent(
        'queued',
      );
    }, 15_000);

    it('shows the progress instead of runs and a log', async () => {
      const { api, fanOut } = setupFanOut();
      await render(api, fanOut.id);
      expect(await screen.findByTestId('fanout-finished')).toHaveTextContent(
        '4 of 7 tasks finished',
      );
      expect(screen.getByLabelText('4 of 7 finished')).toHaveAttribute(
        'aria-valuenow',
        '57',
      );
      expect(countOf('pending')).toBe('queued1');
      expect(countOf('running')).toBe('running2');
      expect(countOf('succeeded')).toBe('succeeded2');
      expect(countOf('failed')).toBe('failed1');
      expect(countOf('cancelled')).toBe('cancelled1');
      expect(countOf('timed_out')).toBeUndefined();
      expect(screen.queryByText('Runs')).not.toBeInTheDocument();
      expect(screen.queryByTestId('log-connection')).not.toBeInTheDocument();
      expect(api.streams).toHaveLength(0);
      // It pushes nothing itself: no work branch of its own, only the base its tasks start from.
      const details = screen
        .getByText('Repository')
        .closest('dl') as HTMLElement;
      expect(within(details).queryByText('Branch')).not.toBeInTheDocument();
      expect(within(details).getByText('Base branch')).toBeInTheDocument();
      expect(
        within(details).queryByText(fanOut.workBranch, { exact: false }),
      ).not.toBeInTheDocument();
      expect(
        screen.queryByText(`· ${fanOut.workBranch}`, { exact: false }),
      ).not.toBeInTheDocument();
    }, 15_000);

    it('cancels the fan-out, and never offers Resume', async () => {
      const { api, fanOut } = setupFanOut();
      await render(api, fanOut.id);
      await waitFor(() => expect(taskIds()).toHaveLength(7));
      expect(screen.queryByText('Resume')).not.toBeInTheDocument();
      await userEvent.click(await screen.findByText('Cancel fan-out'));
      const dialog = (await screen.findByText('Cancel this fan-out?')).closest(
        '[role="dialog"]',
      ) as HTMLElement;
      expect(dialog).toHaveTextContent('(3 of 7 tasks)');
      await userEvent.click(within(dialog).getByText('Cancel fan-out'));
      await waitFor(() => expect(cancelled(api)).toEqual([fanOut.id]));
      // Its unfinished tasks are cancelled: the list follows.
      await waitFor(() => expect(countOf('cancelled')).toBe('cancelled4'));
      await waitFor(() =>
        expect(
          screen
            .getByText('T003')
            .closest('tr')
            ?.querySelector('[data-testid="session-status"]'),
        ).toHaveTextContent('cancelled'),
      );
      await waitFor(() =>
        expect(screen.queryByText('Cancel fan-out')).not.toBeInTheDocument(),
      );
      expect(screen.queryByText('Resume')).not.toBeInTheDocument();
      expect(
        screen.getByText(/resume its task sessions from their own pages/),
      ).toBeInTheDocument();
    }, 15_000);

    it('says nothing about resuming when the policy denies cancelling', async () => {
      // usePermission caches answers per session id across tests: a fan-out no test was allowed on.
      const { api, fanOut } = setupFanOut(statuses, 100);
      await render(api, fanOut.id, { permission: AuthorizeResult.DENY });
      expect(
        await screen.findByText('You are not allowed to cancel this fan-out.'),
      ).toBeInTheDocument();
      expect(screen.queryByText(/resume/i)).not.toBeInTheDocument();
    }, 15_000);

    it('follows its tasks live: a signal about one reloads the progress and the list', async () => {
      const { api, fanOut, children } = setupFanOut(['running', 'pending']);
      const signals = new FakeSignalApi();
      await render(api, fanOut.id, { signals });
      expect(await screen.findByTestId('fanout-finished')).toHaveTextContent(
        '0 of 2 tasks finished',
      );
      await waitFor(() => expect(taskIds()).toHaveLength(2));

      api.replace({ ...children[0], status: 'succeeded', prUrl: PR_URL });
      act(() =>
        signals.announce({
          sessionId: children[0].id,
          entityRef: fanOut.entityRef,
          parentSessionId: fanOut.id,
          status: 'succeeded',
        }),
      );
      await waitFor(() =>
        expect(screen.getByTestId('fanout-finished')).toHaveTextContent(
          '1 of 2 tasks finished',
        ),
      );
      const row = () => screen.getByText('T001').closest('tr') as HTMLElement;
      await waitFor(() =>
        expect(within(row()).getByTestId('session-status')).toHaveTextContent(
          'succeeded',
        ),
      );
      expect(within(row()).getByText('#7')).toBeInTheDocument();
    }, 15_000);

    it('reloads for its own tasks, not for other sessions of its entity', async () => {
      const { api, fanOut, children } = setupFanOut(['running', 'pending']);
      const signals = new FakeSignalApi();
      await render(api, fanOut.id, { signals });
      await waitFor(() => expect(taskIds()).toHaveLength(2));
      const calls = sessionReads(api);

      act(() =>
        signals.announce({
          sessionId: 'another',
          entityRef: fanOut.entityRef,
          status: 'running',
        }),
      );
      expect(sessionReads(api)).toBe(calls);

      act(() =>
        signals.announce({
          sessionId: children[1].id,
          entityRef: fanOut.entityRef,
          parentSessionId: fanOut.id,
          status: 'starting',
        }),
      );
      await waitFor(() => expect(sessionReads(api)).toBe(calls + 1));
    }, 15_000);

    it('says when it has no task session yet', async () => {
      const { api, fanOut } = setupFanOut([]);
      await render(api, fanOut.id);
      expect(
        await screen.findByText(/No task sessions yet/),
      ).toBeInTheDocument();
      expect(
        await screen.findByText('This fan-out has no sessions yet.'),
      ).toBeInTheDocument();
    }, 15_000);

    it('shows the usage of all its tasks together', async () => {
      const api = new FakeAgentsApi(0);
      const { fanOut, children } = makeFanOut(1, ['succeeded', 'running']);
      children[0].runs = [
        makeRun(2, 1, {
          usage: { inputTokens: 40_000, outputTokens: 2_000, costUsd: 0.15 },
        }),
      ];
      children[1].runs = [
        makeRun(3, 1, {
          phase: 'running',
          usage: { inputTokens: 2_000, outputTokens: 500, costUsd: 0.0135 },
        }),
      ];
      api.addFanOut({ fanOut, children });
      await render(api, fanOut.id);
      const details = (await screen.findByText('Base branch')).closest(
        'dl',
      ) as HTMLElement;
      expect(
        within(details).getByText('Usage (all tasks)'),
      ).toBeInTheDocument();
      expect(within(details).getByTestId('session-usage')).toHaveTextContent(
        /^42k in · 2\.5k out · \$0\.16$/,
      );
    });

    describe('in waves', () => {
      const INTEGRATION_BRANCH = 'specs/001-ledger/integration';

      /** A fan-out on its integration branch at `currentWave`, its tasks in the waves given. */
      function setupWaves(
        tasks: [AgentsSessionStatus, number][],
        fanOut: { currentWave: number; waveError?: string },
        n = 1,
      ) {
        const api = new FakeAgentsApi(0);
        const made = makeFanOut(
          n,
          tasks.map(([status]) => status),
          { integrationBranch: INTEGRATION_BRANCH, ...fanOut },
        );
        made.children.forEach((child, i) => {
          child.wave = tasks[i][1];
        });
        api.addFanOut(made);
        return { api, fanOut: made.fanOut, children: made.children };
      }

      /** Each wave on screen: its header, its counts and its task ids, top to bottom. */
      function waves() {
        return screen.getAllByTestId('wave').map(wave => ({
          header: within(wave).getByRole('heading').textContent,
          counts: within(wave).getByTestId('wave-counts').textContent,
          tasks: within(wave)
            .getAllByTestId('child-task')
            .map(c => c.textContent),
        }));
      }

      function statusOf(task: string) {
        return within(
          screen.getByText(task).closest('tr') as HTMLElement,
        ).getByTestId('session-status').textContent;
      }

      it('groups the tasks by wave under a header each, and shows the integration branch', async () => {
        const { api, fanOut } = setupWaves(
          [
            ['succeeded', 1],
            ['succeeded', 1],
            ['running', 2],
            ['pending', 2],
            ['pending', 3],
            ['pending', 3],
            ['pending', 2],
          ],
          { currentWave: 2 },
        );
        await render(api, fanOut.id);
        await waitFor(() =>
          expect(screen.getAllByTestId('wave')).toHaveLength(3),
        );
        expect(waves()).toEqual([
          {
            header: 'Wave 1 · merged',
            counts: '2 tasks: 2 succeeded',
            tasks: ['T001', 'T002'],
          },
          {
            header: 'Wave 2 · running',
            counts: '3 tasks: 2 queued, 1 running',
            tasks: ['T003', 'T004', 'T007'],
          },
          {
            header: 'Wave 3 · waiting for wave 2',
            counts: '2 tasks: 2 waiting',
            tasks: ['T005', 'T006'],
          },
        ]);
        const details = screen
          .getByText('Repository')
          .closest('dl') as HTMLElement;
        expect(
          within(details).getByText('Integration branch'),
        ).toBeInTheDocument();
        expect(
          within(details).getByTestId('integration-branch'),
        ).toHaveTextContent(INTEGRATION_BRANCH);
        expect(screen.getByTestId('fanout-wave')).toHaveTextContent(
          'Wave 2 of 3',
        );
        expect(screen.queryByTestId('wave-error')).not.toBeInTheDocument();
      }, 15_000);

      it('says which wave a held task waits for, and that a task of the current wave is queued', async () => {
        const { api, fanOut } = setupWaves(
          [
            ['running', 1],
            ['pending', 1],
            ['pending', 2],
            ['pending', 3],
          ],
          { currentWave: 1 },
        );
        await render(api, fanOut.id);
        await waitFor(() =>
          expect(screen.getAllByTestId('wave')).toHaveLength(3),
        );
        expect(statusOf('T001')).toBe('running');
        expect(statusOf('T002')).toBe('queued');
        expect(statusOf('T003')).toBe('waiting for wave 1');
        expect(statusOf('T004')).toBe('waiting for wave 2');
        expect(waves().map(w => w.header)).toEqual([
          'Wave 1 · running',
          'Wave 2 · waiting for wave 1',
          'Wave 3 · waiting for wave 2',
        ]);
      }, 15_000);

      it('says why its later waves will not start, and that their tasks were cancelled', async () => {
        const waveError =
          'Merging specs/001-ledger/T004-async into specs/001-ledger/integration failed: conflict in src/ledger.ts';
        const { api, fanOut } = setupWaves(
          [
            ['succeeded', 1],
            ['succeeded', 2],
            ['succeeded', 2],
            ['cancelled', 3],
          ],
          { currentWave: 2, waveError },
        );
        await render(api, fanOut.id);
        const alert = await screen.findByTestId('wave-error');
        expect(alert).toHaveAttribute('role', 'alert');
        expect(alert).toHaveTextContent('Wave 2 failed');
        expect(alert).toHaveTextContent(waveError);
        await waitFor(() =>
          expect(screen.getAllByTestId('wave')).toHaveLength(3),
        );
        expect(waves().map(w => w.header)).toEqual([
          'Wave 1 · merged',
          'Wave 2 · failed',
          'Wave 3 · cancelled',
        ]);
        expect(statusOf('T004')).toBe('cancelled');
      }, 15_000);

      it('looks as before for a fan-out that does not run in waves', async () => {
        const { api, fanOut } = setupFanOut([
          'succeeded',
          'running',
          'pending',
        ]);
        await render(api, fanOut.id);
        await waitFor(() =>
          expect(taskIds()).toEqual(['T001', 'T002', 'T003']),
        );
        expect(screen.queryByTestId('wave')).not.toBeInTheDocument();
        expect(screen.queryByTestId('wave-header')).not.toBeInTheDocument();
        expect(screen.queryByTestId('wave-error')).not.toBeInTheDocument();
        expect(screen.queryByTestId('fanout-wave')).not.toBeInTheDocument();
        expect(
          screen.queryByText('Integration branch'),
        ).not.toBeInTheDocument();
        expect(screen.queryByText(/waiting for wave/)).not.toBeInTheDocument();
        expect(statusOf('T003')).toBe('queued');
        // One table of every task, as ever.
        expect(screen.getAllByRole('table')).toHaveLength(1);
      }, 15_000);

      it('shows on a task session its wave', async () => {
        const { api, children } = setupWaves(
          [
            ['running', 1],
            ['pending', 2],
          ],
          { currentWave: 1 },
        );
        await render(api, children[1].id);
        const details = (await screen.findByTestId('part-of')).closest(
          'dl',
        ) as HTMLElement;
        expect(
          within(details).getByText('Wave').nextElementSibling,
        ).toHaveTextContent('2');
      }, 15_000);
    });

    it('shows on a task session which fan-out it is part of', async () => {
      const { api, fanOut, children } = setupFanOut();
      await render(api, children[1].id);
      const partOf = await screen.findByTestId('part-of');
      expect(partOf).toHaveTextContent(/^fan-out/);
      const link = within(partOf).getByTestId('parent-session-link');
      expect(link).toHaveAttribute('href', `/agents/sessions/${fanOut.id}`);
      await waitFor(() =>
        expect(link).toHaveTextContent('Implement the ledger spec'),
      );
      const details = partOf.closest('dl') as HTMLElement;
      expect(within(details).getByText('Part of')).toBeInTheDocument();
      expect(within(details).getByText('T002')).toBeInTheDocument();
      // A task session is an agent session: runs, log and Resume as usual.
      expect(screen.getByText('Runs')).toBeInTheDocument();
      expect(await screen.findByText('Resume')).toBeInTheDocument();
    }, 15_000);
  });
});

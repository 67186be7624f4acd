import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { agentsApiRef } from '../../api/AgentsApi';
import { rootRouteRef } from '../../routes';
import {
  FakeAgentsApi,
  FakeLogStream,
  makeSession,
} from '../../__testUtils__/fakeAgentsApi';
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
      [agentsApiRef, api],
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

function logStatus() {
  return screen.getByTestId('log-connection').textContent;
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
          id: 'run-1-2',
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
      await waitFor(() => expect(api.cancelled).toEqual([session.id]));
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
      await userEvent.click(
        await screen.findByRole('button', { name: /resume/i }),
      );
      const dialog = await screen.findByRole('dialog');
      await userEvent.type(
        within(dialog).getByLabelText('Follow-up prompt'),
        'Also add tests',
      );
      await userEvent.click(
        within(dialog).getByRole('button', { name: /^resume$/i }),
      );
      await waitFor(() =>
        expect(api.resumed).toEqual([
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
        const { api, session } = setup({ status });
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
      const getSession = jest.spyOn(api, 'getSession');
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
      expect(getSession.mock.calls.length).toBeGreaterThanOrEqual(2);
      await new Promise(r => setTimeout(r, 1200));
      expect(api.streams).toHaveLength(1);
    });

    it('marks where a resumed run starts', async () => {
      const base = makeSession(1);
      const { api, session } = setup({
        status: 'running',
        runs: [
          { ...base.runs[0], phase: 'succeeded' },
          {
            ...base.runs[0],
            id: 'run-1-2',
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
        stream.lines(1, 2, 'run-1-1');
        stream.lines(3, 4, 'run-1-2');
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
      await userEvent.click(
        await screen.findByRole('button', { name: /resume/i }),
      );
      const dialog = await screen.findByRole('dialog');
      await userEvent.type(
        within(dialog).getByLabelText('Follow-up prompt'),
        'More',
      );
      await userEvent.click(
        within(dialog).getByRole('button', { name: /^resume$/i }),
      );
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
      api.onStream = stream => {
        const { errorResponse } = jest.requireActual(
          '../../__testUtils__/fakeAgentsApi',
        );
        errorResponse(
          403,
          'You may not read this session',
          'NotAllowedError',
        ).then((e: Error) => stream.fail(e));
      };
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
    const getSession = jest.spyOn(api, 'getSession');
    await render(api, session.id, { signals });
    await screen.findAllByTestId('run');
    const calls = getSession.mock.calls.length;
    act(() =>
      signals.publish('agents:sessions', {
        sessionId: session.id,
        status: 'pending',
      }),
    );
    await waitFor(() => expect(getSession.mock.calls.length).toBe(calls + 1));
  });

  it('lists the sessions a fan-out session started', async () => {
    const { api, session } = setup({ status: 'running' });
    api.sessions.push(
      makeSession(2, {
        parentSessionId: session.id,
        prompt: 'Child task A',
        status: 'succeeded',
      }),
      makeSession(3, {
        parentSessionId: session.id,
        prompt: 'Child task B',
        status: 'running',
      }),
    );
    await render(api, session.id);
    expect(
      await screen.findByText('Sessions started by this one'),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('link', { name: 'Child task A' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Child task B' }),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('link', { name: 'Child task A' }));
  });
});

import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import type { Entity } from '@backstage/catalog-model';
import {
  FakeAgentsApi,
  makeRun,
  makeSession,
} from '@backstage-agents/plugin-agents-common/testUtils';
import type { AgentsSessionStatus } from '../../api/types';
import { agentsApiRef } from '../../api/AgentsApi';
import { clientOf } from '../../__testUtils__/clientOf';
import { EntityUsageContent } from './EntityUsageContent';
import { UsagePage } from './UsagePage';

// Typing and choosing in selects takes a few seconds on a busy machine.
jest.setTimeout(20_000);

const today = new Date().toISOString().slice(0, 10);

/** Session `n`, created today at 00:0n UTC, finished 1..n minutes later when its status is final. */
function todays(n: number, status: AgentsSessionStatus, extra = {}) {
  const createdAt = `${today}T00:0${n}:00.000Z`;
  return makeSession(n, {
    status,
    createdAt,
    startedAt: createdAt,
    finishedAt: ['running', 'pending'].includes(status)
      ? undefined
      : new Date(Date.parse(createdAt) + n * 60_000).toISOString(),
    entityOwnerRef: 'group:default/team-a',
    ...extra,
  });
}

function fakeWithSessions() {
  return new FakeAgentsApi([
    todays(4, 'running'),
    todays(3, 'failed', {
      harness: 'claude-code',
      entityRef: 'component:default/ledger',
      entityOwnerRef: 'group:default/team-b',
    }),
    todays(2, 'succeeded', {
      runs: [
        makeRun(2, 1, {
          usage: { inputTokens: 12_000, outputTokens: 800, costUsd: 1.25 },
        }),
      ],
    }),
    todays(1, 'succeeded'),
  ]);
}

const render = (fake: FakeAgentsApi, element: JSX.Element) =>
  renderInTestApp(element, {
    apis: [[agentsApiRef, clientOf(fake)]],
    mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
  });

const figure = (label: string) => screen.getByLabelText(label).textContent;

describe('UsagePage', () => {
  let fake: FakeAgentsApi;
  beforeEach(() => {
    fake = fakeWithSessions();
  });
  afterEach(() => fake.assertNoViolations());

  it('shows the last 30 days: figures, a bar per day, statuses and the top entities', async () => {
    await render(fake, <UsagePage />);
    await waitFor(() => expect(figure('Sessions')).toBe('4'));
    // 2 of 3 finished sessions succeeded.
    expect(figure('Success rate')).toBe('67%');
    // 1, 2 and 3 minutes: p50 the 2nd, p90 the 3rd.
    expect(figure('Duration p50 / p90')).toBe('2m 00s / 3m 00s');
    expect(figure('Tokens and cost')).toBe('$1.25');
    expect(screen.getByText(/12k in, 800 out/)).toBeInTheDocument();
    const bars = screen.getAllByTestId('day-bar');
    expect(bars).toHaveLength(30);
    expect(bars.at(-1)).toHaveAttribute('data-sessions', '4');
    expect(bars.at(-1)!.querySelector('title')!.textContent).toBe(
      `${today}: 4 sessions, 2 succeeded, 1 failed`,
    );
    expect(
      within(screen.getByTestId('status-counts')).getByText('succeeded · 2'),
    ).toBeInTheDocument();
    const rows = within(screen.getByRole('table')).getAllByRole('row').slice(1);
    expect(
      rows.map(r => within(r).getAllByRole('cell')[1].textContent),
    ).toEqual(['3', '1']);
    expect(rows[0]).toHaveTextContent('payments-service');
    expect(fake.requestsOf('GetUsageStatistics')[0].query).toEqual({
      from: new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10),
    });
  });

  it('asks again with the harness, owner and range chosen', async () => {
    await render(fake, <UsagePage />);
    await waitFor(() => expect(figure('Sessions')).toBe('4'));

    await userEvent.click(screen.getByRole('button', { name: 'Harness' }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Claude Code' }),
    );
    await waitFor(() => expect(figure('Sessions')).toBe('1'));
    expect(figure('Success rate')).toBe('0%');
    expect(fake.requestsOf('GetUsageStatistics').at(-1)!.query).toMatchObject({
      harness: 'claude-code',
    });

    await userEvent.type(
      screen.getByLabelText('Owner (group)'),
      'group:default/team-b{Enter}',
    );
    await waitFor(() =>
      expect(fake.requestsOf('GetUsageStatistics').at(-1)!.query).toMatchObject(
        {
          harness: 'claude-code',
          ownerRef: 'group:default/team-b',
        },
      ),
    );
    // The API takes an owner or an entity: the entity field waits.
    expect(screen.getByLabelText('Entity')).toBeDisabled();

    await userEvent.click(screen.getByRole('button', { name: 'Time range' }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Last 7 days' }),
    );
    await waitFor(() =>
      expect(screen.getAllByTestId('day-bar')).toHaveLength(7),
    );
  });

  it("shows the server's message when the statistics cannot be loaded", async () => {
    fake.fail(
      'GetUsageStatistics',
      403,
      'NotAllowedError',
      'You are not allowed to read sessions',
    );
    await render(fake, <UsagePage />);
    expect(
      await screen.findByText(/You are not allowed to read sessions/),
    ).toBeInTheDocument();
  });
});

describe('EntityUsageContent', () => {
  const entity = (kind: string, name: string): Entity => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default' },
  });

  it("counts a group's sessions by owner", async () => {
    const fake = fakeWithSessions();
    await render(
      fake,
      <EntityProvider entity={entity('Group', 'team-b')}>
        <EntityUsageContent />
      </EntityProvider>,
    );
    await waitFor(() => expect(figure('Sessions')).toBe('1'));
    expect(fake.requestsOf('GetUsageStatistics')[0].query).toMatchObject({
      ownerRef: 'group:default/team-b',
    });
    expect(screen.queryByLabelText('Owner (group)')).not.toBeInTheDocument();
  });

  it("counts a component's own sessions", async () => {
    const fake = fakeWithSessions();
    await render(
      fake,
      <EntityProvider entity={entity('Component', 'payments-service')}>
        <EntityUsageContent />
      </EntityProvider>,
    );
    await waitFor(() => expect(figure('Sessions')).toBe('3'));
    expect(fake.requestsOf('GetUsageStatistics')[0].query).toMatchObject({
      entityRef: 'component:default/payments-service',
    });
  });
});

import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { AgentSessionSearchResultListItem } from './AgentSessionSearchResultListItem';

describe('AgentSessionSearchResultListItem', () => {
  it('shows the session with status, entity, harness and pull request, linking to its page', async () => {
    await renderInTestApp(
      <AgentSessionSearchResultListItem
        result={{
          title: 'Fix the flaky refund test',
          text: 'Fix the flaky refund test\n\nPinned the clock.',
          location: '/agents/sessions/1234',
          entityRef: 'component:default/payments-service',
          status: 'succeeded',
          harness: 'opencode',
          createdBy: 'user:default/alice',
          createdAt: new Date().toISOString(),
          prUrl: 'https://github.com/example-org/payments-service/pull/7',
          prState: 'open',
        } as any}
      />,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );
    expect(
      screen.getByRole('link', { name: 'Fix the flaky refund test' }),
    ).toHaveAttribute('href', '/agents/sessions/1234');
    expect(screen.getByTestId('session-status')).toHaveAttribute('data-status', 'succeeded');
    expect(screen.getByText('payments-service')).toBeInTheDocument();
    expect(screen.getByText(/OpenCode/i)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /#7/ })).toHaveAttribute(
      'href',
      'https://github.com/example-org/payments-service/pull/7',
    );
  });

  it('renders nothing without a result', async () => {
    await renderInTestApp(<AgentSessionSearchResultListItem />);
    expect(screen.queryByTestId('agent-session-search-result')).toBeNull();
  });
});

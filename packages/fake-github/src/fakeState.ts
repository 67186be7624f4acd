import type { FakeGitHubContext } from './context';
import type { FakeGitHubState } from './fakeGitHub';
import {
  matchesFilter,
  pullSummary,
  repoSummary,
  summaryOf,
} from './summaries';

/** `fake.state`: read helpers; each call returns a new array, a snapshot of the fake's state at that moment. */
export function createState(ctx: FakeGitHubContext): FakeGitHubState {
  const { store, actions, webhooks, requestLog } = ctx;
  return {
    async pulls(filter) {
      const pulls = store.allPulls().filter(i => matchesFilter(i, filter));
      for (const issue of pulls)
        await actions.refreshPull(
          store.findRepo(issue.owner, issue.repo)!,
          issue,
        );
      return pulls.map(issue => pullSummary(ctx.baseUrl, issue));
    },
    issues(filter) {
      return [...store.issues.values()]
        .flat()
        .filter(i => matchesFilter(i, filter))
        .map(issue =>
          summaryOf(ctx.baseUrl, issue, { isPullRequest: !!issue.pull }),
        );
    },
    tokens: () => [...store.tokens.values()],
    deliveries: () => [...webhooks.deliveries],
    requests: () => [...requestLog],
    repos: () =>
      [...store.repos.values()].map(r => repoSummary(ctx.baseUrl, r)),
  };
}

import type { Actions } from '../actions';
import type { GitHubStore } from '../store';

/** What every REST route module reads and changes: passed in explicitly, so route modules hold no state. */
export interface RestContext {
  store: GitHubStore;
  actions: Actions;
}

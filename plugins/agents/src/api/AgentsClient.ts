import { AgentsClient as SharedAgentsClient } from '@backstage-agents/plugin-agents-common';
import type { AgentsApi } from './AgentsApi';

/**
 * The {@link AgentsApi} over HTTP: the shared client of `@backstage-agents/plugin-agents-common`, built
 * with the app's `discoveryApi`, which finds the backend, and `fetchApi`, which adds the user's token.
 *
 * @public
 */
export class AgentsClient extends SharedAgentsClient implements AgentsApi {}

import type { FakeAgentsApi } from '@backstage-agents/plugin-agents-common/testUtils';
import { AgentsClient } from '../api/AgentsClient';

/** The plugin's own client, on a spec-validated fake of the agents backend (no socket). */
export function clientOf(fake: FakeAgentsApi): AgentsClient {
  return new AgentsClient({ discoveryApi: fake.discoveryApi, fetchApi: fake });
}

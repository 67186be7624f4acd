/**
 * Test utilities of the Agents for Backstage plugins: a fake of the agents API that the API's OpenAPI
 * document validates, and sessions to fill it with.
 *
 * @packageDocumentation
 */

export {
  FakeAgentsApi,
  type FakeAgentsInterceptor,
  type FakeAgentsRequest,
} from './testUtils/FakeAgentsApi';
export { errorReply, type FakeAgentsReply } from './testUtils/fakeReplies';
export { FakeLogStream } from './testUtils/FakeLogStream';
export type { AgentsOperationId } from './testUtils/agentsApiSpec';
export {
  DEFAULT_LAUNCH_OPTIONS,
  ENTITY_REF,
  makeFanOut,
  makeRun,
  makeSession,
  runId,
  sessionId,
  taskId,
} from './testUtils/sessionFixtures';

/**
 * A fake GitHub for developing and testing Agents for Backstage: the REST endpoints the suite uses (App
 * authentication, installation tokens, repositories, file contents, pull requests, issue comments) with
 * GitHub's shapes and errors, webhook deliveries, and git smart HTTP over local bare repositories.
 * Production code never imports it; the backend reaches it only through a base URL in config.
 */
export { startFakeGitHub } from './server';
export type {
  CreatedRepo,
  FakeGitHub,
  FakeGitHubOptions,
  FakeGitHubState,
  IssueFields,
  IssueSummary,
  PullSummary,
} from './fakeGitHub';
export { generateAppKeyPair, publicKeyOf, signAppJwt } from './jwt';
export type { AppKeyPair, SignAppJwtOptions } from './jwt';
export { signWebhookPayload, verifyWebhookSignature } from './webhooks';
export { ADMIN_PREFIX } from './admin';
export type { Faults, FaultKind, FaultSpec } from './faults';
export type { CreateRepoOptions } from './store';
export type {
  AppConfig,
  InstallationConfig,
  IssuedToken,
  PermissionLevel,
  Permissions,
  PersonalAccessTokenConfig,
  RequestLogEntry,
  WebhookDelivery,
  WebhookTarget,
} from './model';

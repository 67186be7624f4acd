import type {
  HarnessName,
  HarnessRun,
  Session,
} from '@backstage-agents/plugin-agents-common';

/** What a harness provider is given to prepare one run's container. */
export interface HarnessLaunchInput {
  session: Session;
  run: HarnessRun;
  /** The harness's own session id from the previous run, when resuming. */
  harnessSessionId?: string;
}

/** The harness-specific part of a run's container; the common contract is set by the launcher. */
export interface HarnessContainerSpec {
  env: Record<string, string>;
  /**
   * Secrets in the agents namespace whose keys become environment variables of the harness, such
   * as the agent's API keys. Created by the platform team; never read by the backend.
   */
  envFromSecrets?: string[];
}

/**
 * Teaches the backend one coding agent (OpenCode, Claude Code, Codex…). The harness entrypoint in the
 * image does the work; a provider only says how to configure it and where its state lives.
 */
export interface HarnessProvider {
  readonly name: HarnessName;
  readonly displayName: string;
  /** Directory of the harness's own state inside the container: what a bundle snapshots. */
  readonly stateDirectory: string;
  containerSpec(input: HarnessLaunchInput): HarnessContainerSpec;
}

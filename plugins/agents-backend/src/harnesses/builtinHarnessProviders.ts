import type { Config } from '@backstage/config';
import type { HarnessName } from '@backstage-agents/plugin-agents-common';
import type {
  HarnessContainerSpec,
  HarnessProvider,
} from '@backstage-agents/plugin-agents-node';

interface BuiltinHarness {
  name: HarnessName;
  displayName: string;
  stateDirectory: string;
}

/** The agents the harness image knows; its entrypoint has an adapter for each (images/harness). */
const BUILTIN: BuiltinHarness[] = [
  { name: 'opencode', displayName: 'OpenCode', stateDirectory: '/home/agent/.local/share/opencode' },
  { name: 'claude-code', displayName: 'Claude Code', stateDirectory: '/home/agent/.claude' },
  { name: 'codex', displayName: 'OpenAI Codex CLI', stateDirectory: '/home/agent/.codex' },
  {
    name: 'demo',
    displayName: 'Demo (development only, no model)',
    stateDirectory: '/home/agent/.local/share/agents-demo',
  },
];

/**
 * The harness providers the backend ships, configured from `agents.harnesses.<name>`: the model to
 * use and the Secret (in the agents namespace) holding the agent's API keys. `demo` is registered
 * only where `agents.harnesses.demo.enabled` is true.
 */
export function builtinHarnessProviders(config: Config): HarnessProvider[] {
  const demoEnabled = config.getOptionalBoolean('agents.harnesses.demo.enabled') ?? false;
  return BUILTIN.filter(h => h.name !== 'demo' || demoEnabled).map(harness => {
    const options = config.getOptionalConfig(`agents.harnesses.${harness.name}`);
    const model = options?.getOptionalString('model');
    const credentialsSecret = options?.getOptionalString('credentialsSecret');
    return {
      ...harness,
      containerSpec(): HarnessContainerSpec {
        return {
          env: model ? { AGENTS_HARNESS_MODEL: model } : {},
          envFromSecrets: credentialsSecret ? [credentialsSecret] : undefined,
        };
      },
    };
  });
}

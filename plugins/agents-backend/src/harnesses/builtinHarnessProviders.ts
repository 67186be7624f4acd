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

/** The model configuration of a real harness, `agents.harnesses.<name>`, checked. */
interface HarnessModelConfig {
  /** The model provider's base URL, without a trailing slash (pod env AGENTS_MODEL_BASE_URL). */
  baseUrl?: string;
  /** The model name (pod env AGENTS_HARNESS_MODEL). */
  model?: string;
  /** A Secret in the agents namespace whose keys become the agent's environment (envFrom). */
  credentialsSecret?: string;
}

/** A Kubernetes object name (DNS-1123 subdomain), as a Secret's name must be. */
const SECRET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function readBaseUrl(options: Config, key: string): string | undefined {
  const raw = options.getOptionalString('baseUrl')?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${key}.baseUrl is not a URL: '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${key}.baseUrl must be an http or https URL: '${raw}'`);
  }
  if (url.username || url.password) {
    // The URL is a plain environment value of the pod; keys belong in the credentials Secret.
    throw new Error(`${key}.baseUrl must not contain credentials; put the API key in ${key}.credentialsSecret`);
  }
  if (url.search || url.hash) {
    throw new Error(`${key}.baseUrl must not have a query or fragment: '${raw}'`);
  }
  return raw.replace(/\/+$/, '');
}

function readModel(options: Config, key: string): string | undefined {
  const model = options.getOptionalString('model')?.trim();
  if (!model) return undefined;
  // The adapters pass it as a command-line argument (`--model <model>`): refuse what could not be one.
  if (/\s/.test(model) || model.startsWith('-') || model.length > 200) {
    throw new Error(`${key}.model is not a model name: '${model}'`);
  }
  return model;
}

function readCredentialsSecret(options: Config, key: string): string | undefined {
  const name = options.getOptionalString('credentialsSecret')?.trim();
  if (!name) return undefined;
  if (name.length > 253 || !SECRET_NAME.test(name)) {
    throw new Error(`${key}.credentialsSecret must be the name of a Secret in the agents namespace: '${name}'`);
  }
  return name;
}

/** Reads and checks `agents.harnesses.<name>`; throws a message naming the key that is wrong. */
function readHarnessModelConfig(config: Config, name: HarnessName): HarnessModelConfig {
  const key = `agents.harnesses.${name}`;
  const options = config.getOptionalConfig(key);
  if (!options) return {};
  return {
    baseUrl: readBaseUrl(options, key),
    model: readModel(options, key),
    credentialsSecret: readCredentialsSecret(options, key),
  };
}

/** The container environment and Secrets a harness's model configuration gives its pods. */
function harnessContainerSpec(model: HarnessModelConfig): HarnessContainerSpec {
  return {
    env: {
      ...(model.baseUrl ? { AGENTS_MODEL_BASE_URL: model.baseUrl } : {}),
      ...(model.model ? { AGENTS_HARNESS_MODEL: model.model } : {}),
    },
    envFromSecrets: model.credentialsSecret ? [model.credentialsSecret] : undefined,
  };
}

/**
 * The harness providers the backend ships, configured from `agents.harnesses.<name>`: the model
 * provider's base URL, the model, and the Secret (in the agents namespace) holding the agent's API
 * keys. `demo` is registered only where `agents.harnesses.demo.enabled` is true; it uses no model.
 * A malformed value stops the backend at start-up with the key that is wrong.
 */
export function builtinHarnessProviders(config: Config): HarnessProvider[] {
  const demoEnabled = config.getOptionalBoolean('agents.harnesses.demo.enabled') ?? false;
  return BUILTIN.filter(h => h.name !== 'demo' || demoEnabled).map(harness => {
    const spec = harnessContainerSpec(harness.name === 'demo' ? {} : readHarnessModelConfig(config, harness.name));
    return {
      ...harness,
      containerSpec(): HarnessContainerSpec {
        return { env: { ...spec.env }, envFromSecrets: spec.envFromSecrets && [...spec.envFromSecrets] };
      },
    };
  });
}

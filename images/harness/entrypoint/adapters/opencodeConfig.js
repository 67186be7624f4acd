// @ts-check
'use strict';
// OpenCode's configuration for a run, written into the (empty) HOME before it starts:
// ~/.config/opencode/opencode.json naming the model endpoint as an OpenAI-compatible provider, and
// the configuration directory's pre-provisioned packages, so OpenCode fetches nothing at start.
// What each setting avoids is measured in docs/harness-contract.md ("The real CLIs offline").

const fs = require('node:fs');
const path = require('node:path');

/** The provider id under which the endpoint appears: models are `agents/<model>`. */
const PROVIDER_ID = 'agents';
/** Where the image keeps the configuration directory's packages (see the Dockerfile). */
const DEFAULT_TEMPLATE = '/opt/agents/opencode-config';

/**
 * The configuration. The key is named, not written: OpenCode substitutes `{env:…}` when it reads
 * the file, so no secret lands in HOME.
 *
 * @param {{ baseUrl: string, keyVariable: string, model: string }} options
 */
function opencodeJson({ baseUrl, keyVariable, model }) {
  const qualified = `${PROVIDER_ID}/${model}`;
  return {
    $schema: 'https://opencode.ai/config.json',
    provider: {
      [PROVIDER_ID]: {
        // Built into the binary: nothing is installed for it.
        npm: '@ai-sdk/openai-compatible',
        name: 'Agents for Backstage model endpoint',
        options: { baseURL: baseUrl, apiKey: `{env:${keyVariable}}` },
        models: { [model]: { name: model, tool_call: true } },
      },
    },
    model: qualified,
    // Otherwise it picks a title model from its catalogue, one the endpoint may not serve.
    small_model: qualified,
    // `opencode run` cannot ask anyone: edits and commands are allowed (the pod is the sandbox);
    // web fetches are not, the shell and the egress profile decide what the network allows.
    permission: { edit: 'allow', bash: 'allow', webfetch: 'deny' },
    autoupdate: false,
    share: 'disabled',
  };
}

/**
 * Writes the configuration and provisions the configuration directory from the template (its
 * package.json, package-lock.json and a link to its node_modules: OpenCode installs
 * `@opencode-ai/plugin` there at every start unless the lock file lists it and node_modules/
 * exists). Returns a warning when there is no template, in which case OpenCode installs the package
 * from the registry itself, in the background.
 *
 * @param {{ home: string, env: NodeJS.ProcessEnv, baseUrl: string, keyVariable: string, model: string }} options
 * @returns {{ configFile: string, warning?: string }}
 */
function writeOpencodeConfig({ home, env, baseUrl, keyVariable, model }) {
  const configDir = path.join(home, '.config', 'opencode');
  fs.mkdirSync(configDir, { recursive: true });
  const configFile = path.join(configDir, 'opencode.json');
  fs.writeFileSync(configFile, `${JSON.stringify(opencodeJson({ baseUrl, keyVariable, model }), null, 2)}\n`);

  const template = path.resolve(env.AGENTS_OPENCODE_CONFIG_TEMPLATE || DEFAULT_TEMPLATE);
  const files = ['package.json', 'package-lock.json', 'node_modules'].map(name => path.join(template, name));
  const missing = files.filter(file => !fs.existsSync(file));
  if (missing.length) {
    return {
      configFile,
      warning: `OpenCode's pre-provisioned configuration is missing (${missing.join(', ')}): it will try to install @opencode-ai/plugin from the registry. Set AGENTS_OPENCODE_CONFIG_TEMPLATE to the opencode-config/ directory of scripts/install-agent-clis.sh.`,
    };
  }
  for (const name of ['package.json', 'package-lock.json']) {
    fs.copyFileSync(path.join(template, name), path.join(configDir, name));
  }
  const link = path.join(configDir, 'node_modules');
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(path.join(template, 'node_modules'), link);
  return { configFile };
}

module.exports = { writeOpencodeConfig, opencodeJson, PROVIDER_ID, DEFAULT_TEMPLATE };

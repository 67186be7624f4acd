// @ts-check
'use strict';
// Codex's configuration for a run, written to $CODEX_HOME/config.toml (~/.codex) before it starts:
// the model endpoint as a Responses provider, no approvals and no sandbox of its own (the pod is
// the sandbox), and none of the start-up traffic it would otherwise send (update check, analytics,
// OpenTelemetry, the plugin sync with github.com and chatgpt.com). Measured in
// docs/harness-contract.md ("The real CLIs offline").

const fs = require('node:fs');
const path = require('node:path');

const PROVIDER_ID = 'agents';

/** A TOML basic string: JSON's escapes are a subset of TOML's. */
const toml = (/** @type {string} */ value) => JSON.stringify(value);

/**
 * The model is not named here: `--model` on the command line names it (AGENTS_HARNESS_MODEL).
 *
 * @param {{ baseUrl: string, keyVariable: string }} options
 */
function codexToml({ baseUrl, keyVariable }) {
  return [
    `model_provider = ${toml(PROVIDER_ID)}`,
    'approval_policy = "never"',
    'sandbox_mode = "danger-full-access"',
    'check_for_update_on_startup = false',
    '',
    `[model_providers.${PROVIDER_ID}]`,
    'name = "Agents for Backstage model endpoint"',
    `base_url = ${toml(baseUrl)}`,
    'wire_api = "responses"',
    // The variable's name, not the key: Codex reads it from its environment.
    `env_key = ${toml(keyVariable)}`,
    // A failed request fails the run at once; retrying is the platform's decision (a new run).
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
    '[analytics]',
    'enabled = false',
    '',
    '[otel]',
    'exporter = "none"',
    '',
    '[features]',
    'plugins = false',
    'remote_plugin = false',
    'apps = false',
    '',
  ].join('\n');
}

/**
 * @param {{ codexHome: string, baseUrl: string, keyVariable: string }} options
 * @returns {string} the file written
 */
function writeCodexConfig({ codexHome, ...options }) {
  fs.mkdirSync(codexHome, { recursive: true });
  const file = path.join(codexHome, 'config.toml');
  fs.writeFileSync(file, codexToml(options));
  return file;
}

module.exports = { writeCodexConfig, codexToml, PROVIDER_ID };

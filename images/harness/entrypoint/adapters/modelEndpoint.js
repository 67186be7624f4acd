// @ts-check
'use strict';
// Where a CLI sends its model requests, and which variable holds its key: the model endpoint
// contract (docs/harness-contract.md, "Inputs"). The base URL comes from
// `agents.harnesses.<name>.baseUrl` as AGENTS_MODEL_BASE_URL; the key from the Secret named by
// `agents.harnesses.<name>.credentialsSecret` (envFrom), under the CLI's conventional variable. A
// run without either fails before anything is cloned, saying which setting is missing: a CLI left
// to its defaults would try its vendor's API, which a pod's egress profile blocks, and retry for
// minutes.

/**
 * @param {NodeJS.ProcessEnv} env
 * @param {{ harness: string, keyVariable: string }} options
 * @returns {{ baseUrl: string, keyVariable: string, shown: string }}
 *   `shown`: the base URL without any user or password, for the log
 */
function modelEndpoint(env, { harness, keyVariable }) {
  const raw = env.AGENTS_MODEL_BASE_URL?.trim();
  const problems = [];
  /** @type {URL | undefined} */
  let url;
  if (!raw) {
    problems.push(`AGENTS_MODEL_BASE_URL is not set (set agents.harnesses.${harness}.baseUrl)`);
  } else {
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol)) {
      problems.push(`AGENTS_MODEL_BASE_URL is not an http(s) URL (check agents.harnesses.${harness}.baseUrl)`);
    }
  }
  if (!env[keyVariable]?.trim()) {
    problems.push(
      `${keyVariable} is not set (add it to the Secret named by agents.harnesses.${harness}.credentialsSecret, in the agents namespace)`,
    );
  }
  if (problems.length || !raw || !url) {
    throw new Error(`The ${harness} harness has no model endpoint: ${problems.join('; ')}`);
  }
  const shown = new URL(url.href);
  shown.username = '';
  shown.password = '';
  return { baseUrl: raw.replace(/\/+$/, ''), keyVariable, shown: shown.href.replace(/\/+$/, '') };
}

module.exports = { modelEndpoint };

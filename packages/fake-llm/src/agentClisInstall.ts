import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

// Tests run it from a checkout, where the install script is, never from a production build.
// eslint-disable-next-line no-restricted-syntax
const REPO_ROOT = resolve(__dirname, '../../..');

export interface AgentClisInstall {
  /** Where the CLIs are: `$AGENT_CLIS_DIR`, else the checkout's `.tools/agents`. */
  toolsDir: string;
  /** Why they cannot run here, when the tests that need them should be skipped. */
  missing?: string;
}

/**
 * Installs the real agent CLIs at the versions the harness image pins, for the tests that run them
 * (`scripts/install-agent-clis.sh`, a no-op once installed). Throws where a skip would hide a
 * failure: under CI (which reaches the npm registry), and when other versions than the pinned ones
 * are installed (testing them would prove nothing).
 */
export function installAgentClis(): AgentClisInstall {
  const toolsDir =
    process.env.AGENT_CLIS_DIR ?? join(REPO_ROOT, '.tools', 'agents');
  const install = spawnSync(
    'bash',
    [join(REPO_ROOT, 'scripts', 'install-agent-clis.sh'), toolsDir],
    { encoding: 'utf8', timeout: 5 * 60_000 },
  );
  if (install.status === 0) return { toolsDir };
  const why = `scripts/install-agent-clis.sh failed (exit ${
    install.status
  }): ${install.stderr.trim().split('\n').slice(-3).join(' | ')}`;
  if (existsSync(join(toolsDir, 'installed.env')) || process.env.CI) {
    throw new Error(why);
  }
  return { toolsDir, missing: `the agent CLIs are not in ${toolsDir} and ${why}` };
}

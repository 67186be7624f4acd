// @ts-check
'use strict';
const path = require('node:path');
const { exec } = require('./exec');

/**
 * Git as the entrypoint uses it. The token is never in a URL, an argument or the environment of a
 * git process: the credential helper below copies it from its file to git's stdin protocol.
 */
class Git {
  /**
   * @param {{ repoDir: string, authorName: string, authorEmail: string }} options
   */
  constructor(options) {
    this.repoDir = options.repoDir;
    this.env = {
      ...process.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: options.authorName,
      GIT_AUTHOR_EMAIL: options.authorEmail,
      GIT_COMMITTER_NAME: options.authorName,
      GIT_COMMITTER_EMAIL: options.authorEmail,
    };
  }

  /**
   * Makes git answer HTTPS credential requests with the token file's content. `cat` streams the
   * token to git; the helper's own command line only names the environment variable of the path.
   *
   * @param {string | undefined} tokenFile
   */
  async configureCredentials(tokenFile) {
    if (!tokenFile) return;
    const helper =
      '!f() { test "$1" = get || exit 0; echo username=x-access-token; printf password=; cat "$AGENTS_GIT_TOKEN_FILE"; echo; }; f';
    await this.global('credential.helper', helper);
  }

  /** @param {string} key @param {string} value */
  async global(key, value) {
    await exec('git', ['config', '--global', key, value], { env: this.env });
  }

  /** @param {...string} args */
  async run(...args) {
    return (await exec('git', args, { cwd: this.repoDir, env: this.env })).stdout;
  }

  /** @param {string} url */
  async clone(url) {
    await exec('git', ['clone', '--quiet', '--no-tags', url, this.repoDir], {
      cwd: path.dirname(this.repoDir),
      env: this.env,
    });
  }

  /**
   * Checks out the work branch: from the remote when an earlier run pushed it, otherwise new from
   * the base branch (or the remote's default branch).
   *
   * @param {string} workBranch
   * @param {string | undefined} baseBranch
   * @returns {Promise<'resumed' | 'created'>}
   */
  async checkoutWorkBranch(workBranch, baseBranch) {
    const remote = await this.run('ls-remote', '--heads', 'origin', `refs/heads/${workBranch}`);
    if (remote) {
      await this.run('fetch', '--quiet', 'origin', `+refs/heads/${workBranch}:refs/remotes/origin/${workBranch}`);
      await this.run('checkout', '--quiet', '-B', workBranch, `origin/${workBranch}`);
      return 'resumed';
    }
    const base = baseBranch ?? (await this.run('rev-parse', '--abbrev-ref', 'origin/HEAD')).replace(/^origin\//, '');
    await this.run('checkout', '--quiet', '-B', workBranch, `origin/${base}`);
    return 'created';
  }

  async head() {
    return this.run('rev-parse', 'HEAD');
  }

  /**
   * Commits everything the harness left uncommitted; false when there was nothing.
   *
   * @param {string} subject
   * @param {string} body
   */
  async commitAll(subject, body) {
    await this.run('add', '--all');
    const { code } = await exec('git', ['diff', '--cached', '--quiet'], {
      cwd: this.repoDir,
      env: this.env,
      allowFailure: true,
    });
    if (code === 0) return false;
    await this.run('commit', '--quiet', '--no-verify', '-m', subject, '-m', body);
    return true;
  }

  /**
   * Pushes HEAD to the work branch when it has commits the remote lacks; a new branch without any
   * commit of its own is not pushed.
   *
   * @param {string} workBranch
   * @param {string} startCommit where this run started
   * @returns {Promise<boolean>} whether anything was pushed
   */
  async pushIfAhead(workBranch, startCommit) {
    const remote = await this.run('ls-remote', '--heads', 'origin', `refs/heads/${workBranch}`);
    const head = await this.head();
    const remoteHead = remote.split(/\s+/)[0];
    if (remoteHead ? remoteHead === head : head === startCommit) return false;
    await this.run('push', '--quiet', 'origin', `HEAD:refs/heads/${workBranch}`);
    return true;
  }

  /** @param {string} since */
  async filesChangedSince(since) {
    const out = await this.run('diff', '--name-only', since, 'HEAD');
    return out ? out.split('\n').length : 0;
  }
}

module.exports = { Git };

// @ts-check
'use strict';
// OpenCode keeps the directory a session started in (`session.directory` in its SQLite database)
// and runs a resumed session there, not in the current directory: resumed from another path it
// edits the old path if that still exists (printing nothing, exit 0) and fails with "Unexpected
// server error" if it does not. In a pod the work tree is always /workspace/repo, so the path
// never changes; where it does (local runs under the cluster simulator, each pod in a directory of
// its own), the restored session is moved to the current work tree before the resume, the way the
// Claude Code adapter moves its session file. One row of one column; measured on OpenCode 1.x (the
// version check refuses others).

const fs = require('node:fs');
const path = require('node:path');

/** node:sqlite (Node 22.5 and later), without its experimental-feature warning on stderr. */
function loadSqlite() {
  const emitWarning = process.emitWarning;
  process.emitWarning = /** @type {typeof process.emitWarning} */ (
    (/** @type {any} */ warning, /** @type {any[]} */ ...rest) =>
      String(warning).includes('SQLite') ? undefined : emitWarning.call(process, warning, ...rest)
  );
  try {
    return require('node:sqlite');
  } catch {
    return undefined;
  } finally {
    process.emitWarning = emitWarning;
  }
}

/**
 * Points a restored session at the current work tree. `moved` says whether it had to; `warning`
 * that it could not be checked (a Node without node:sqlite). Throws when the session is not there.
 *
 * @param {{ dataDir: string, sessionId: string, workdir: string }} options
 * @returns {{ moved: boolean, from?: string, warning?: string }}
 */
function relocateSession({ dataDir, sessionId, workdir }) {
  const file = path.join(dataDir, 'opencode.db');
  if (!fs.existsSync(file)) {
    throw new Error(`OpenCode session ${sessionId} cannot be resumed: the session bundle holds no OpenCode database`);
  }
  const sqlite = loadSqlite();
  if (!sqlite) {
    return {
      moved: false,
      warning: `cannot check which directory OpenCode session ${sessionId} belongs to (node:sqlite needs Node 22.5 or later, this is ${process.version}); it resumes only if the work tree is where it was`,
    };
  }
  const db = new sqlite.DatabaseSync(file);
  try {
    const row = /** @type {{ directory?: unknown } | undefined} */ (
      db.prepare('SELECT directory FROM session WHERE id = ?').get(sessionId)
    );
    if (!row) throw new Error(`OpenCode session ${sessionId} is not in the restored database`);
    const from = String(row.directory);
    if (from === workdir) return { moved: false };
    db.prepare('UPDATE session SET directory = ? WHERE id = ?').run(workdir, sessionId);
    return { moved: true, from };
  } finally {
    db.close();
  }
}

module.exports = { relocateSession };

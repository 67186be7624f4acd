const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/**
 * A maker of temporary directories (real paths, as git reports them) for the calling test file; all
 * are removed after its tests.
 */
function useTmpDirs() {
  const dirs = [];
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });
  return prefix => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `harness-${prefix}-`)));
    dirs.push(dir);
    return dir;
  };
}

module.exports = { useTmpDirs };

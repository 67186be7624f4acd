// A structural lint of the harness Dockerfile against versions.env (hadolint is not available here:
// no Debian package, and the npm "hadolint" wrapper downloads the binary from GitHub when it runs).
// checkDockerfile() returns the problems it finds; the real files must have none, and deliberately
// broken copies must each be caught.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DOCKERFILE = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const VERSIONS = fs.readFileSync(path.join(ROOT, 'versions.env'), 'utf8');

// Build args BuildKit sets by itself: not versions, so not in versions.env.
const AUTOMATIC_ARGS = new Set([
  'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT',
  'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT',
]);
const ENTRYPOINT = ['node', '/opt/agents/entrypoint/main.js'];
// Where the OpenCode adapter looks for OpenCode's pre-provisioned configuration directory.
const { DEFAULT_TEMPLATE: OPENCODE_CONFIG_TEMPLATE } = require('../entrypoint/adapters/opencodeConfig');

// What the image must contain, and how to recognise it in the Dockerfile.
const REQUIRED_TOOLS = {
  mise: /\bmise\b/,
  '.NET SDK': /\bdotnet@\$\{DOTNET_SDK_VERSION\}/,
  'Rust (rustup)': /rustup toolchain install/,
  'Python (uv)': /\buv python install\b/,
  Node: /\bordered node\b/,
  Go: /\bordered go\b/,
  Bun: /\bbun@\$\{BUN_VERSION\}/,
  Zig: /\bzig@\$\{ZIG_VERSION\}/,
  uv: /\buv@\$\{UV_VERSION\}/,
  OpenCode: /\bopencode-ai\b/,
  'Claude Code': /@anthropic-ai\/claude-code\b/,
  'Codex CLI': /@openai\/codex\b/,
  "OpenCode's configuration-directory package": /npm install --save-exact "@opencode-ai\/plugin@\$\{OPENCODE_VERSION\}"/,
  gh: /\bgh@\$\{GH_VERSION\}/,
  yq: /\byq@\$\{YQ_VERSION\}/,
  git: /^\s+git \\$/m,
  jq: /^\s+jq \\$/m,
  ripgrep: /^\s+ripgrep \\$/m,
  fd: /^\s+fd-find \\$/m,
  tmux: /^\s+tmux \\$/m,
  nvim: /^\s+neovim \\$/m,
  'build-essential': /^\s+build-essential \\$/m,
  clang: /^\s+clang \\$/m,
};

// Variables that must point somewhere writable on a read-only root (home or /tmp).
const WRITABLE_ENV = ['HOME', 'CARGO_HOME', 'GOPATH', 'NPM_CONFIG_PREFIX', 'TMPDIR'];

function parseVersions(text) {
  const problems = [];
  const pins = new Map();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^([A-Z][A-Z0-9_]*)=([^\s"'`$]+)$/.exec(line);
    if (!m) {
      problems.push(`versions.env:${i + 1}: not KEY=value without quotes or spaces: ${line}`);
      return;
    }
    if (pins.has(m[1])) problems.push(`versions.env:${i + 1}: ${m[1]} is set twice`);
    if (/\blatest\b/i.test(m[2])) problems.push(`versions.env:${i + 1}: ${m[1]} is "latest", not a pin`);
    pins.set(m[1], m[2]);
  });
  return { pins, problems };
}

/** Dockerfile → instructions { keyword, args, line, stage }, with continuations joined. */
function parseDockerfile(text) {
  const instructions = [];
  const lines = text.split('\n');
  let current;
  let stage = -1; // -1: the global scope before the first FROM
  lines.forEach((raw, i) => {
    if (current === undefined) {
      if (/^\s*(#|$)/.test(raw)) return;
      const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(raw);
      current = { keyword: m[1].toUpperCase(), args: m[2], line: i + 1 };
    } else if (/^\s*#/.test(raw)) {
      return; // comment lines inside a continued instruction are dropped, as Docker does
    } else {
      current.args += `\n${raw}`;
    }
    if (/\\\s*$/.test(raw)) {
      current.args = current.args.replace(/\\\s*$/, '');
      return;
    }
    if (current.keyword === 'FROM') stage += 1;
    current.stage = stage;
    instructions.push(current);
    current = undefined;
  });
  if (current) instructions.push({ ...current, stage });
  return instructions;
}

function referencedVars(text) {
  const vars = new Set();
  for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)|\$([A-Za-z_][A-Za-z0-9_]*)/g)) vars.add(m[1] ?? m[2]);
  return vars;
}

function checkDockerfile(dockerfile, versionsText) {
  const { pins, problems } = parseVersions(versionsText);
  const ins = parseDockerfile(dockerfile);
  const froms = ins.filter(i => i.keyword === 'FROM');
  const lastStage = froms.length - 1;
  const at = i => `Dockerfile:${i.line}`;

  if (!froms.length) return [...problems, 'Dockerfile has no FROM'];

  // ARGs: every one a pin from versions.env (or BuildKit's own), none with a default.
  const declared = new Map(); // stage → Set of args
  for (const i of ins.filter(x => x.keyword === 'ARG')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(=.*)?$/.exec(i.args.trim());
    if (!m) {
      problems.push(`${at(i)}: unreadable ARG ${i.args}`);
      continue;
    }
    const [, name, value] = m;
    if (!declared.has(i.stage)) declared.set(i.stage, new Set());
    declared.get(i.stage).add(name);
    if (AUTOMATIC_ARGS.has(name)) continue;
    if (!pins.has(name)) problems.push(`${at(i)}: ARG ${name} is not pinned in versions.env`);
    if (value !== undefined) problems.push(`${at(i)}: ARG ${name} has a default; versions.env must be its only source`);
  }
  const allDeclared = new Set([...declared.values()].flatMap(s => [...s]));
  for (const key of pins.keys()) {
    if (!allDeclared.has(key)) problems.push(`versions.env: ${key} is pinned but the Dockerfile never declares ARG ${key}`);
  }

  // Every pin used, and used only where it is in scope.
  const used = new Set();
  for (const i of ins) {
    if (i.keyword === 'ARG') continue;
    for (const name of referencedVars(i.args)) {
      if (!pins.has(name) && !AUTOMATIC_ARGS.has(name)) continue;
      used.add(name);
      const scope = i.keyword === 'FROM' ? declared.get(-1) : declared.get(i.stage);
      if (!scope?.has(name)) problems.push(`${at(i)}: ${name} is used in a stage that does not declare ARG ${name}`);
    }
  }
  for (const key of pins.keys()) {
    if (allDeclared.has(key) && !used.has(key)) problems.push(`versions.env: ${key} is declared but never used`);
  }

  // Base image: from versions.env, Ubuntu 24.04; other stages build on earlier ones.
  const stageNames = [];
  froms.forEach((f, n) => {
    const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(f.args.trim());
    const image = m?.[1] ?? '';
    if (n === 0) {
      const v = /^\$\{?([A-Z0-9_]+)\}?$/.exec(image);
      if (!v || !pins.has(v[1])) problems.push(`${at(f)}: the base image must come from versions.env, not ${image}`);
      else if (!/^ubuntu:(24\.04|noble)/.test(pins.get(v[1]))) problems.push(`versions.env: ${v[1]} is not Ubuntu 24.04 (${pins.get(v[1])})`);
    } else if (!stageNames.includes(image)) {
      problems.push(`${at(f)}: FROM ${image} is neither a pinned base nor an earlier stage`);
    }
    if (m?.[2]) stageNames.push(m[2]);
  });

  // No version written into the Dockerfile, no "latest".
  for (const i of ins) {
    if (i.keyword === 'ARG') continue;
    const literal = /(?:^|[^\w$.{-])(v?\d+\.\d+(?:\.\d+)*)(?!\w)/.exec(i.args);
    if (literal) problems.push(`${at(i)}: version ${literal[1]} is written in the Dockerfile instead of versions.env`);
    if (/@\d/.test(i.args)) problems.push(`${at(i)}: a tool@version is written in the Dockerfile instead of versions.env`);
    if (/\blatest\b/i.test(i.args)) problems.push(`${at(i)}: "latest" is not a pin`);
  }

  // apt: --no-install-recommends, update and install in one layer, lists removed in that layer.
  const APT = String.raw`apt-get(?:\s+(?:-o\s+\S+|-\S+))*\s+`;
  for (const i of ins.filter(x => x.keyword === 'RUN')) {
    const cmds = i.args;
    const installs = [...cmds.matchAll(new RegExp(`${APT}(install|upgrade|dist-upgrade)\\b[^&;|]*`, 'g'))];
    const updates = new RegExp(`${APT}update\\b`).test(cmds);
    for (const m of installs) {
      if (!m[0].includes('--no-install-recommends')) problems.push(`${at(i)}: apt-get ${m[1]} without --no-install-recommends`);
    }
    const touchesApt = installs.length > 0 || updates;
    if (touchesApt && !/rm -rf \/var\/lib\/apt\/lists\/\*/.test(cmds)) {
      problems.push(`${at(i)}: apt lists are not removed in the layer that downloads them`);
    }
    if (installs.length && !updates) {
      problems.push(`${at(i)}: apt-get install without apt-get update in the same layer`);
    }
    // Downloads: never piped into a shell, always checked.
    const downloads = /\b(curl|wget)[ \t]+(-|"?https?:)/.test(cmds);
    if (/\b(curl|wget)[ \t][^&;\n]*\|\s*(sudo\s+)?(ba|z|da)?sh\b/.test(cmds)) problems.push(`${at(i)}: a download is piped into a shell`);
    if (downloads && !/sha(256|512)sum -c|openssl dgst/.test(cmds)) {
      problems.push(`${at(i)}: downloads without checking a checksum`);
    }
    if (/\|/.test(cmds) && !ins.some(s => s.keyword === 'SHELL' && s.stage <= i.stage && s.line < i.line && /pipefail/.test(s.args))) {
      problems.push(`${at(i)}: a pipeline in RUN without SHELL [... "-o", "pipefail" ...]`);
    }
  }

  // The final stage: non-root user last, the entrypoint in exec form, the workspace.
  const final = ins.filter(i => i.stage === lastStage);
  const users = final.filter(i => i.keyword === 'USER');
  const lastUser = users[users.length - 1];
  if (!lastUser) problems.push('the final stage sets no USER (it would run as root)');
  else if (/^(root|0)(:|$)/.test(lastUser.args.trim())) problems.push(`${at(lastUser)}: the final USER is root`);
  else if (!/^1000(:1000)?$|^agent(:agent)?$/.test(lastUser.args.trim())) problems.push(`${at(lastUser)}: USER is not agent (uid 1000)`);
  if (lastUser && final.some(i => i.line > lastUser.line && ['RUN', 'COPY', 'ADD'].includes(i.keyword))) {
    problems.push(`${at(lastUser)}: instructions after the final USER`);
  }
  if (!/useradd[^\n]*--uid 1000[^\n]*--gid 1000[^\n]*--home-dir \/home\/agent/.test(dockerfile)) {
    problems.push('no user "agent" with uid/gid 1000 and home /home/agent');
  }
  const entry = final.filter(i => i.keyword === 'ENTRYPOINT').pop();
  let entryArgs;
  try {
    entryArgs = entry && JSON.parse(entry.args);
  } catch {
    entryArgs = undefined;
  }
  if (!entry) problems.push('the final stage has no ENTRYPOINT');
  else if (!Array.isArray(entryArgs)) problems.push(`${at(entry)}: ENTRYPOINT is not in exec form (a JSON array)`);
  else if (JSON.stringify(entryArgs) !== JSON.stringify(ENTRYPOINT)) problems.push(`${at(entry)}: ENTRYPOINT is not ${JSON.stringify(ENTRYPOINT)}`);
  if (!final.some(i => i.keyword === 'COPY' && /^entrypoint\/?\s+\/opt\/agents\/entrypoint\/$/.test(i.args.trim()))) {
    problems.push('the entrypoint is not copied to /opt/agents/entrypoint/');
  }
  const workdir = final.filter(i => i.keyword === 'WORKDIR').pop();
  if (workdir?.args.trim() !== '/workspace') problems.push('the final WORKDIR is not /workspace');
  const env = final.filter(i => i.keyword === 'ENV').map(i => i.args).join('\n');
  // OpenCode's configuration template: baked where the adapter looks, and named in the environment.
  const template = /(^|\s)AGENTS_OPENCODE_CONFIG_TEMPLATE=(\S+)/.exec(env)?.[2];
  if (template !== OPENCODE_CONFIG_TEMPLATE) {
    problems.push(`the final stage does not set AGENTS_OPENCODE_CONFIG_TEMPLATE=${OPENCODE_CONFIG_TEMPLATE} (the OpenCode adapter's default)`);
  }
  if (!ins.some(i => i.keyword === 'RUN' && i.args.includes(`cd ${OPENCODE_CONFIG_TEMPLATE}`) && /integrity' package-lock\.json\)"[\s\S]*!= "\$\{OPENCODE_PLUGIN_INTEGRITY\}"/.test(i.args))) {
    problems.push(`OpenCode's configuration directory is not installed into ${OPENCODE_CONFIG_TEMPLATE} with its integrity checked`);
  }
  for (const name of WRITABLE_ENV) {
    const m = new RegExp(`(^|\\s)${name}=(\\S+)`).exec(env);
    if (!m) problems.push(`the final stage does not set ${name}`);
    else if (!/^\/(home\/agent|tmp)(\/|$)/.test(m[2])) problems.push(`${name}=${m[2]} is not writable on a read-only root`);
  }

  for (const [tool, pattern] of Object.entries(REQUIRED_TOOLS)) {
    if (!pattern.test(dockerfile)) problems.push(`the image does not install ${tool}`);
  }

  // The runtimes' version lists: how many of each.
  const list = key => (pins.get(key) ?? '').split(',').filter(Boolean);
  const distinct = (key, depth) => new Set(list(key).map(v => v.split('.').slice(0, depth).join('.'))).size;
  const wants = [
    ['NODE_VERSIONS', 1, 3, 'Node majors'],
    ['RUST_VERSIONS', 2, 3, 'Rust minors'],
    ['PYTHON_VERSIONS', 2, 3, 'Python minors'],
    ['GO_VERSIONS', 2, 2, 'Go minors'],
  ];
  for (const [key, depth, count, what] of wants) {
    if (distinct(key, depth) !== count) problems.push(`versions.env: ${key} should hold ${count} ${what}, not ${pins.get(key)}`);
  }
  if (!list('NODE_VERSIONS').some(v => Number(v.split('.')[0]) % 2 === 0)) problems.push('versions.env: no LTS (even) Node major');
  for (const [def, key] of [['NODE_DEFAULT', 'NODE_VERSIONS'], ['GO_DEFAULT', 'GO_VERSIONS'], ['RUST_DEFAULT', 'RUST_VERSIONS'], ['PYTHON_DEFAULT', 'PYTHON_VERSIONS']]) {
    if (!list(key).includes(pins.get(def))) problems.push(`versions.env: ${def}=${pins.get(def)} is not one of ${key}`);
  }
  if (!/^10\./.test(pins.get('DOTNET_SDK_VERSION') ?? '')) problems.push('versions.env: DOTNET_SDK_VERSION is not a .NET 10 SDK');
  for (const key of ['OPENCODE_INTEGRITY', 'OPENCODE_PLUGIN_INTEGRITY', 'CLAUDE_CODE_INTEGRITY', 'CODEX_INTEGRITY']) {
    if (!/^sha512-[A-Za-z0-9+/]{86}==$/.test(pins.get(key) ?? '')) problems.push(`versions.env: ${key} is not a sha512 integrity`);
  }
  return problems;
}

describe('the harness Dockerfile', () => {
  it('passes the structural lint', () => {
    expect(checkDockerfile(DOCKERFILE, VERSIONS)).toEqual([]);
  });

  it('has RUN steps that bash can parse', () => {
    // Docker joins continued lines (backslash-newline removed) and runs RUN with the SHELL, bash.
    const joined = DOCKERFILE.replace(/\\\n/g, '').split('\n');
    const runs = joined.filter(l => /^RUN\s/.test(l)).map(l => l.replace(/^RUN\s+/, ''));
    expect(runs.length).toBeGreaterThan(5);
    for (const script of runs) {
      const r = spawnSync('bash', ['-n', '-o', 'pipefail', '-c', script], { encoding: 'utf8' });
      expect({ script, stderr: r.stderr }).toEqual({ script, stderr: '' });
      expect(r.status).toBe(0);
    }
  });

  it('builds with every pin as a build arg through the documented one-liner', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const fragment = "$(grep -E '^[A-Z0-9_]+=' versions.env | sed 's/^/--build-arg /')";
    expect(readme).toContain(fragment);
    const r = spawnSync('bash', ['-c', `printf '%s\\n' ${fragment}`], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const words = r.stdout.trim().split('\n');
    const { pins } = parseVersions(VERSIONS);
    const passed = [];
    for (let i = 0; i < words.length; i += 2) {
      expect(words[i]).toBe('--build-arg');
      passed.push(words[i + 1]);
    }
    expect(passed).toEqual([...pins].map(([k, v]) => `${k}=${v}`));
  });

  it('builds the same way through `yarn build-image`', () => {
    const r = spawnSync('yarn', ['build-image'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DOCKER: 'echo', HARNESS_IMAGE: 'example/harness:test' },
    });
    expect(r.status).toBe(0);
    const { pins } = parseVersions(VERSIONS);
    const expected = [...pins].flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
    expect(r.stdout.trim().split(/\s+/)).toEqual(['buildx', 'build', ...expected, '-t', 'example/harness:test', '--load', '.']);
  });

  it('sends only the entrypoint and versions.env to the build', () => {
    const ignore = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['*', '!entrypoint/', '!versions.env']));
  });

  const broken = [
    ['a literal base image', d => d.replace('FROM ${UBUNTU_IMAGE} AS base', 'FROM ubuntu:24.04 AS base'), /base image must come from versions.env/],
    ['a latest tag', d => d.replace('FROM ${UBUNTU_IMAGE} AS base', 'FROM ubuntu:latest AS base'), /"latest" is not a pin/],
    ['an ARG missing from versions.env', d => d.replace('ARG ZIG_VERSION\n', 'ARG ZIG_VERSION\nARG FOO_VERSION\n'), /ARG FOO_VERSION is not pinned in versions\.env/],
    ['an ARG with a default', d => d.replace('ARG BUN_VERSION\n', 'ARG BUN_VERSION=1.2.3\n'), /ARG BUN_VERSION has a default/],
    ['an unused pin', d => d.replace(' yq@${YQ_VERSION}', ''), /YQ_VERSION is declared but never used/],
    ['a version written in a RUN', d => d.replace('zig@${ZIG_VERSION}', 'zig@0.13.0'), /tool@version is written in the Dockerfile/],
    ['a version in an image reference', d => d.replace('COPY --from=tools /opt /opt', 'COPY --from=docker.io/library/busybox:1.36 /bin/sh /opt/sh\nCOPY --from=tools /opt /opt'), /version 1\.36 is written/],
    ['a pin used outside its stage', d => d.replace('ARG CODEX_VERSION\nLABEL', 'LABEL io.example.mise="${MISE_VERSION}"\nLABEL'), /MISE_VERSION is used in a stage that does not declare ARG MISE_VERSION/],
    ['no USER', d => d.replace('USER 1000:1000\n', ''), /sets no USER/],
    ['USER root', d => d.replace('USER 1000:1000', 'USER root'), /final USER is root/],
    ['a shell-form ENTRYPOINT', d => d.replace('ENTRYPOINT ["node", "/opt/agents/entrypoint/main.js"]', 'ENTRYPOINT node /opt/agents/entrypoint/main.js'), /not in exec form/],
    ['another entrypoint', d => d.replace('/opt/agents/entrypoint/main.js"]', '/opt/agents/main.js"]'), /ENTRYPOINT is not/],
    ['apt lists left behind', d => d.replace(' \\\n && rm -rf /var/lib/apt/lists/*', ''), /apt lists are not removed/],
    ['recommends installed', d => d.replace('apt-get install -y --no-install-recommends', 'apt-get install -y'), /apt-get install without --no-install-recommends/],
    ['curl piped into sh', d => d.replace('WORKDIR /workspace', 'RUN curl -fsSL https://example.com/install.sh | sh\nWORKDIR /workspace'), /piped into a shell/],
    ['an unchecked download', d => d.replace(' \\\n && echo "${expected}  ${asset}" | sha256sum -c -', ''), /downloads without checking a checksum/],
    ['a missing tool', d => d.replace('      tmux \\\n', ''), /does not install tmux/],
    ['a cache on the read-only root', d => d.replace('CARGO_HOME=/home/agent/.cargo', 'CARGO_HOME=/opt/rust/cargo'), /CARGO_HOME=\/opt\/rust\/cargo is not writable/],
    ['no OpenCode configuration template', d => d.replace('    AGENTS_OPENCODE_CONFIG_TEMPLATE=/opt/agents/opencode-config \\\n', ''), /does not set AGENTS_OPENCODE_CONFIG_TEMPLATE=\/opt\/agents\/opencode-config/],
    ['an unchecked OpenCode plugin', d => d.replace(/ \\\n && actual="\$\(jq[^\n]*\n[^\n]*fi\n/, '\n'), /not installed into \/opt\/agents\/opencode-config with its integrity checked/],
  ];
  it.each(broken)('catches %s', (_, mutate, expected) => {
    const mutated = mutate(DOCKERFILE);
    expect(mutated).not.toBe(DOCKERFILE);
    expect(checkDockerfile(mutated, VERSIONS).join('\n')).toMatch(expected);
  });

  const brokenPins = [
    ['a pin the Dockerfile does not use', v => `${v}EXTRA_VERSION=1.0.0\n`, /EXTRA_VERSION is pinned but the Dockerfile never declares/],
    ['a quoted value', v => v.replace('BUN_VERSION=', 'BUN_VERSION="').replace(/(BUN_VERSION="[^\n]*)/, '$1"'), /not KEY=value/],
    ['a latest pin', v => v.replace(/^GH_VERSION=.*$/m, 'GH_VERSION=latest'), /GH_VERSION is "latest"/],
    ['a default outside its list', v => v.replace(/^NODE_DEFAULT=.*$/m, 'NODE_DEFAULT=20.0.0'), /NODE_DEFAULT=20\.0\.0 is not one of NODE_VERSIONS/],
    ['too few Node majors', v => v.replace(/^NODE_VERSIONS=([^,\n]+),.*$/m, 'NODE_VERSIONS=$1'), /NODE_VERSIONS should hold 3 Node majors/],
    ['a base that is not Ubuntu 24.04', v => v.replace(/^UBUNTU_IMAGE=.*$/m, 'UBUNTU_IMAGE=debian:bookworm'), /UBUNTU_IMAGE is not Ubuntu 24\.04/],
    ['a malformed integrity', v => v.replace(/^CODEX_INTEGRITY=.*$/m, 'CODEX_INTEGRITY=sha1-abc'), /CODEX_INTEGRITY is not a sha512 integrity/],
  ];
  it.each(brokenPins)('catches %s in versions.env', (_, mutate, expected) => {
    const mutated = mutate(VERSIONS);
    expect(mutated).not.toBe(VERSIONS);
    expect(checkDockerfile(DOCKERFILE, mutated).join('\n')).toMatch(expected);
  });
});

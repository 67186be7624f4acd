import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import {
  CHART_DIR,
  COMPONENTS,
  Component,
  DEPLOY_DIR,
  Environment,
  componentDir,
  helmBinary,
  overlayDir,
} from './paths';

/** A Kubernetes object as rendered: plain JSON. */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: any;
};

/** Runs a command and returns its stdout; a failure throws with its stderr. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
): string {
  try {
    return execFileSync(command, args, {
      cwd: options.cwd ?? DEPLOY_DIR,
      input: options.input,
      env: options.env ?? process.env,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (error: any) {
    throw new Error(
      `${command} ${args.join(' ')} failed: ${error.stderr || error.message}${
        error.stdout ? `\n${error.stdout}` : ''
      }`,
    );
  }
}

/**
 * The same, without blocking the event loop: needed when the command talks to a server running in
 * this process (the cluster simulator).
 */
export function runAsync(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd ?? DEPLOY_DIR,
        env: options.env ?? process.env,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(
              `${command} ${args.join(' ')} failed: ${stderr || error.message}${
                stdout ? `\n${stdout}` : ''
              }`,
            ),
          );
        } else {
          resolvePromise(stdout);
        }
      },
    );
  });
}

/**
 * Every document of a multi-document YAML stream, as JSON; empty documents dropped. Parsed as YAML
 * 1.1, like Kubernetes does (0440 is octal there, yes/no are booleans).
 */
export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text, { version: '1.1' })
    .map(doc => {
      if (doc.errors.length > 0)
        throw new Error(doc.errors.map(e => e.message).join('; '));
      return doc.toJSON();
    })
    .filter(obj => obj && typeof obj === 'object');
}

export const readYaml = (file: string) =>
  parse(readFileSync(file, 'utf8'), { version: '1.1' });

export function kustomize(dir: string): K8sObject[] {
  return parseObjects(run('kubectl', ['kustomize', dir]));
}

/** The components an overlay itself includes. */
export function overlayComponents(env: Environment): Component[] {
  const kustomization = readYaml(join(overlayDir(env), 'kustomization.yaml'));
  return (kustomization.components ?? []).map(
    (path: string) => path.split('/').pop() as Component,
  );
}

/**
 * The component combinations shipped on top of an overlay: every subset of the components it does
 * not include already. External Secrets on dev is not one of them: the dev overlay generates its
 * Secrets, and both would claim the same names (a test checks that no overlay does that).
 */
export function componentCombinations(env: Environment): Component[][] {
  const own = overlayComponents(env);
  const extra = COMPONENTS.filter(
    c => !own.includes(c) && !(env === 'dev' && c === 'external-secrets'),
  );
  const combos: Component[][] = [[]];
  for (const component of extra) {
    for (const combo of [...combos]) combos.push([...combo, component]);
  }
  return combos;
}

/** Renders an overlay, with extra components through a throw-away kustomization. */
export function renderOverlay(
  env: Environment,
  components: Component[] = [],
): K8sObject[] {
  if (components.length === 0) return kustomize(overlayDir(env));
  const dir = mkdtempSync(join(tmpdir(), `deploy-${env}-`));
  try {
    writeFileSync(
      join(dir, 'kustomization.yaml'),
      [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'resources:',
        `  - ${relative(dir, overlayDir(env))}`,
        'components:',
        ...components.map(c => `  - ${relative(dir, componentDir(c))}`),
        '',
      ].join('\n'),
    );
    return kustomize(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const valuesFile = (env: Environment) =>
  resolve(CHART_DIR, `values-${env}.yaml`);

export function helmTemplate(
  env: Environment,
  set: string[] = [],
): K8sObject[] {
  return parseObjects(
    run(helmBinary(), [
      'template',
      'agents-for-backstage',
      CHART_DIR,
      '-f',
      valuesFile(env),
      ...set.flatMap(s => ['--set', s]),
    ]),
  );
}

export function helmLint(env: Environment): string {
  return run(helmBinary(), [
    'lint',
    '--strict',
    CHART_DIR,
    '-f',
    valuesFile(env),
  ]);
}

export const idOf = (o: K8sObject) =>
  `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export function find(
  objects: K8sObject[],
  kind: string,
  name: string,
  namespace?: string,
) {
  const found = objects.find(
    o =>
      o.kind === kind &&
      o.metadata.name === name &&
      (namespace === undefined || o.metadata.namespace === namespace),
  );
  if (!found)
    throw new Error(`${kind} ${namespace ?? ''}/${name} is not rendered`);
  return found;
}

/** Names kustomize generators suffixed with a content hash, mapped to the names they were given. */
export function generatedNames(objects: K8sObject[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const o of objects) {
    if (o.kind !== 'ConfigMap' && o.kind !== 'Secret') continue;
    const match = /^(.*)-[bcdfghkmt2-9]{10}$/.exec(o.metadata.name);
    if (match) names.set(o.metadata.name, match[1]);
  }
  return names;
}

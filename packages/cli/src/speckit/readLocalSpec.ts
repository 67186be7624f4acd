import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError } from '../errors';

/** A spec-kit feature read from a checkout: its tasks.md, and spec.md and plan.md when present. */
export type LocalSpec = {
  /** The absolute path of tasks.md. */
  tasksPath: string;
  /** The directory name of tasks.md, e.g. `002-refunds`. */
  feature: string;
  tasks: string;
  spec?: string;
  plan?: string;
};

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Reads `path` (a tasks.md) and the spec.md and plan.md beside it. */
export async function readLocalSpec(
  path: string,
  cwd: string,
): Promise<LocalSpec> {
  const tasksPath = resolve(cwd, path);
  const tasks = await readOptional(tasksPath);
  if (tasks === undefined) {
    throw new CliError(
      `${tasksPath} was not found: give the path of a spec-kit tasks.md, e.g. specs/001-ledger/tasks.md (run spec-kit's /tasks first)`,
    );
  }
  const dir = dirname(tasksPath);
  const [spec, plan] = await Promise.all([
    readOptional(join(dir, 'spec.md')),
    readOptional(join(dir, 'plan.md')),
  ]);
  return { tasksPath, feature: basename(dir), tasks, spec, plan };
}

/**
 * backstage-agents: the Agents for Backstage command line.
 *
 * @packageDocumentation
 */

export { run, buildProgram } from './main';
export type { CliContext, CliStream } from './context';
export { EXIT, exitCodeOf } from './outcome';

/**
 * The Agents for Backstage backend plugin.
 *
 * @packageDocumentation
 */

export { agentsPlugin as default } from './plugin';

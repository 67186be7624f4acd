/**
 * The Agents for Backstage backend plugin.
 *
 * @packageDocumentation
 */

export { agentsPlugin as default } from './plugin';
export { eventsModuleWebhookJson } from './events/eventsModuleWebhookJson';

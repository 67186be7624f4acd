/**
 * Extension points, service interfaces and permission rules for modules of the Agents for Backstage
 * backend: harness providers, bundle stores and policy resolvers plug in here.
 *
 * @packageDocumentation
 */

export * from './extensions';
export * from './permissions';
export * from './repoUrlRewrites';

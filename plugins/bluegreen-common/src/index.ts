/**
 * Shared vocabulary of the bluegreen plugins.
 *
 * @packageDocumentation
 */

export * from './annotations';
export * from './stacks';
export * from './generation';

/**
 * Shared vocabulary of the bluegreen plugins.
 *
 * @packageDocumentation
 */

export * from './annotations';
export * from './stacks';
export * from './generation';
export * from './weights';
export * from './permissions';
export * from './eksVersions';
export * from './traffic';
export * from './awsRegions';
export * from './generationValues';
export * from './workloads';
export * from './preflight';
export * from './cutoverPlan';
export * from './cutoverRun';
export * from './probeThresholds';
export * from './externalDns';
export * from './insights';
export * from './nextStep';

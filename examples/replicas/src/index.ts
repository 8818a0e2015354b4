/*
 * The example like production: real PostgreSQL and Redis servers (Debian's packages, no
 * Docker) and several example backends on them behind a local round-robin proxy, for
 * scripts/start.sh --replicas N and the tests that need more than one replica.
 */
export { startPostgres, postgresBinaries } from './postgres';
export type { PostgresServer } from './postgres';
export { startRedis, redisBinary } from './redis';
export type { RedisServer } from './redis';
export { startRoundRobinProxy } from './roundRobinProxy';
export type { RoundRobinProxy } from './roundRobinProxy';
export { startReplicas, REPLICAS_CONFIG } from './startReplicas';
export type { Replicas, ReplicasOptions } from './startReplicas';
export {
  pollStatus,
  route53Requests,
  ROUTE53_OPERATIONS,
} from './statusViewers';
export type { ViewersResult } from './statusViewers';
export { changeSender } from './changeSender';

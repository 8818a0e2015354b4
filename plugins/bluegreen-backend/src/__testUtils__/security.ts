import {
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  DatabaseService,
  PermissionsService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import knexFactory, { Knex } from 'knex';
import { CutoverLeases } from '../cutover/CutoverLeaseClient';
import { DatabaseLeaseStore } from '../database/DatabaseLeaseStore';
import { LeaseStore } from '../database/LeaseStore';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53RouteWeightCheck } from '../retire/RouteWeightCheck';
import { Route53WeightedRecords } from '../route53/Route53WeightedRecords';
import { ActionGuard } from '../security/ActionGuard';
import { GenerationGuard } from '../security/GenerationGuard';
import { GenerationRepositories } from '../security/GenerationRepositories';
import { Generations } from '../security/Generations';
import { TrafficBindings } from '../security/TrafficBindings';
import { TrafficTargets } from '../security/TrafficTargets';
import { WorkspaceVerifier } from '../security/WorkspaceVerifier';
import { BURNHAM, CLUSTERS, ZONE_NAME } from './sandbox';

/** The allow-lists the tests run with: the sandbox's zone and the example repository. */
export const SECURITY_CONFIG = {
  bluegreen: {
    traffic: {
      hostedZones: [{ zone: ZONE_NAME, hostnames: [`*.${ZONE_NAME}`] }],
    },
    generations: {
      repositories: [{ host: 'github.com', owner: 'example' }],
    },
  },
};

/** A permission decision rule: which user may do what on which entity. */
export type PermissionRule = (request: {
  permission: string;
  resourceRef?: string;
  user?: string;
}) => boolean;

function userOf(credentials: BackstageCredentials): string | undefined {
  const principal = credentials.principal as { userEntityRef?: string };
  return principal.userEntityRef;
}

/**
 * A PermissionsService that decides by `rule` (the real policy engine needs the real
 * catalog; the example backend's smoke test runs that) and records every request.
 */
export function rulePermissions(rule: PermissionRule) {
  const requests: Array<{
    permission: string;
    resourceRef?: string;
    user?: string;
  }> = [];
  const service: PermissionsService = {
    async authorize(queries, options) {
      return queries.map(query => {
        const request = {
          permission: query.permission.name,
          resourceRef: (query as { resourceRef?: string }).resourceRef,
          user: userOf(options.credentials),
        };
        requests.push(request);
        return {
          result: rule(request) ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
        };
      });
    },
    // The scaffolder asks conditionally about templates and actions: same rule.
    async authorizeConditional(queries, options) {
      return queries.map(query => ({
        result: rule({
          permission: query.permission.name,
          user: userOf(options.credentials),
        })
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      })) as any;
    },
  };
  return { service, requests };
}

/** The same service as a backend feature, for startTestBackend. */
export function rulePermissionsFactory(rule: PermissionRule) {
  const { service, requests } = rulePermissions(rule);
  return {
    requests,
    factory: createServiceFactory({
      service: coreServices.permissions,
      deps: {},
      factory: () => service,
    }),
  };
}

/** A guard with a recording auditor (and the staged runs' pending writes, if given). */
export function testGuard(
  rule: PermissionRule = () => true,
  runs?: ConstructorParameters<typeof ActionGuard>[0]['runs'],
) {
  const permissions = rulePermissions(rule);
  const auditor = mockServices.auditor.mock();
  return {
    guard: new ActionGuard({ permissions: permissions.service, auditor, runs }),
    auditor,
    permissionRequests: permissions.requests,
  };
}

const config = new ConfigReader(SECURITY_CONFIG);

/** TrafficTargets and bindings over a fixed set of catalog entities. */
export function testTargets(entities: Entity[]) {
  const catalog = catalogServiceMock({ entities });
  const bindings = TrafficBindings.fromConfig(config);
  const targets = new TrafficTargets({
    catalog,
    auth: mockServices.auth(),
    bindings,
    repositories: GenerationRepositories.fromConfig(config),
  });
  return { catalog, bindings, targets };
}

/**
 * The Route 53 check of a retirement over a fixed set of catalog entities and a Route 53
 * client (the sandbox's); without a client, any Route 53 read fails.
 */
export function testRouteWeightCheck(
  entities: Entity[],
  client?: Route53Client,
) {
  const { catalog, bindings, targets } = testTargets(entities);
  return new Route53RouteWeightCheck({
    catalog,
    auth: mockServices.auth(),
    targets,
    bindings,
    route53: async () => {
      if (!client) {
        throw new Error('this test has no Route 53');
      }
      return new Route53WeightedRecords(client);
    },
  });
}

/** A GenerationGuard over the given generation entities and repository reader. */
export function testGenerationGuard(options: {
  entities: Entity[];
  urlReader: UrlReaderService;
  rule?: PermissionRule;
}) {
  const { guard, auditor, permissionRequests } = testGuard(options.rule);
  const generationGuard = new GenerationGuard({
    guard,
    generations: new Generations({
      catalog: catalogServiceMock({ entities: options.entities }),
      repositories: GenerationRepositories.fromConfig(config),
    }),
    verifier: new WorkspaceVerifier(options.urlReader),
    userInfo: mockServices.userInfo(),
  });
  return { generationGuard, auditor, permissionRequests };
}

/** The example generation's System, as the example catalog has it. */
export const GENERATION_ENTITY: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: {
    name: 'eks-blueprint',
    namespace: 'default',
    annotations: {
      'bluegreen/generation-repo':
        'github.com?owner=example&repo=eks-blueprint-generation',
    },
  },
  spec: { owner: 'group:default/team-burnham' },
};
/** The generation's System naming burnham's records, as the Route 53 checks read them. */
export const GENERATION_WITH_RECORDS: Entity = {
  ...GENERATION_ENTITY,
  metadata: {
    ...GENERATION_ENTITY.metadata,
    annotations: {
      ...GENERATION_ENTITY.metadata.annotations,
      'bluegreen/hostname': BURNHAM,
      'bluegreen/hosted-zone': ZONE_NAME,
      'bluegreen/blue-cluster': CLUSTERS.blue,
      'bluegreen/green-cluster': CLUSTERS.green,
    },
  },
};
export const GENERATION_URL =
  'https://github.com/example/eks-blueprint-generation';

/** A DatabaseService over a fresh SQLite database (a file when `filename` is given). */
export function sqliteDatabase(filename = ':memory:'): DatabaseService {
  let client: Promise<Knex> | undefined;
  return {
    getClient: () =>
      (client ??= Promise.resolve(
        knexFactory({
          client: 'better-sqlite3',
          connection: { filename },
          useNullAsDefault: true,
        }),
      )),
  };
}

/** CutoverLeases straight on a lease store (the plugin's API does the same). */
export function storeLeases(store: LeaseStore): CutoverLeases {
  return {
    acquire: (key, holder, ttlSeconds) =>
      store.acquire(key, holder, ttlSeconds * 1000),
    renew: (key, taskId, ttlSeconds) =>
      store.renew(key, taskId, ttlSeconds * 1000),
    release: (key, taskId) => store.release(key, taskId),
  };
}

/** Leases on their own in-memory SQLite database, with the store to inspect them. */
export async function testLeases() {
  const store = await DatabaseLeaseStore.create({ database: sqliteDatabase() });
  return { store, leases: storeLeases(store) };
}

import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ScaffolderService } from '@backstage/plugin-scaffolder-node';
import {
  ANNOTATION_GENERATION_REPO,
  ANNOTATION_HOSTED_ZONE,
  bluegreenCutoverPermission,
  CutoverResponse,
  cutoverRequestSchema,
} from '@bluegreen/plugin-bluegreen-common';
import express from 'express';
import { z } from 'zod/v3';
import Router from 'express-promise-router';
import { EksVersionCatalog } from '../aws/EksVersionCatalog';
import { parseInput } from '../lib/parseInput';
import {
  requireTrafficAnnotations,
  TrafficStatusService,
} from './TrafficStatusService';

/** @internal */
export interface RouterOptions {
  httpAuth: HttpAuthService;
  catalog: CatalogService;
  permissions: PermissionsService;
  auditor: AuditorService;
  scaffolder: ScaffolderService;
  traffic: TrafficStatusService;
  eksVersions: EksVersionCatalog;
  cutoverTemplateRef: string;
}

/**
 * The /api/bluegreen routes. Every route needs credentials: the httpRouter's default
 * auth policy rejects anonymous calls, and each handler asks for the credentials it
 * accepts so that a later change of policy cannot open it.
 * @internal
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, catalog, permissions, auditor, scaffolder, traffic } =
    options;
  const router = Router();
  router.use(express.json());

  router.get('/health', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ status: 'ok' });
  });

  // The versions a new generation may use: the generation template's version field.
  router.get('/eks-versions', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user'] });
    res.json(await options.eksVersions.supported());
  });

  const entityRefOf = (params: Record<string, string>) =>
    stringifyEntityRef({
      kind: params.kind,
      namespace: params.namespace,
      name: params.name,
    });

  router.get('/entity/:kind/:namespace/:name/traffic', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const entityRef = entityRefOf(req.params);
    // Read with the caller's credentials, so catalog read permissions apply.
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) {
      throw new NotFoundError(`${entityRef} was not found`);
    }
    const fresh = parseInput(
      z.object({ refresh: z.enum(['true', 'false']).optional() }).passthrough(),
      req.query,
      'query',
    ).refresh;
    res.json(await traffic.status(entity, fresh === 'true'));
  });

  router.post('/entity/:kind/:namespace/:name/cutover', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const entityRef = entityRefOf(req.params);
    const audit = await auditor.createEvent({
      eventId: 'cutover',
      severityLevel: 'high',
      request: req,
      meta: { entityRef, plan: req.body },
    });
    try {
      const plan = parseInput(cutoverRequestSchema, req.body, 'cutover plan');
      const [decision] = await permissions.authorize(
        [{ permission: bluegreenCutoverPermission, resourceRef: entityRef }],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(
          `not allowed to cut over ${entityRef} (permission ${bluegreenCutoverPermission.name})`,
        );
      }
      const entity = await catalog.getEntityByRef(entityRef, { credentials });
      if (!entity) {
        throw new NotFoundError(`${entityRef} was not found`);
      }
      const annotations = requireTrafficAnnotations(entity);
      const status = await traffic.status(entity);
      const mode = plan.mode ?? status.mode;
      if (
        mode === 'route53' &&
        status.owner.kind === 'external-dns' &&
        !plan.force
      ) {
        throw new InputError(
          `mode: ${
            status.hostname
          } is owned by external-dns (owner ${status.owner.ownerIds.join(
            ', ',
          )}), which would revert a direct Route 53 change within about a minute; use mode gitops, or pause external-dns and set force`,
        );
      }
      if (mode === 'route53' && !annotations.hostedZone) {
        throw new InputError(
          `mode: route53 needs the ${ANNOTATION_HOSTED_ZONE} annotation on ${entityRef}, so that the change goes to the zone it names`,
        );
      }
      if (mode === 'gitops' && !annotations.generationRepo) {
        throw new InputError(
          `mode: gitops needs the ${ANNOTATION_GENERATION_REPO} annotation on ${entityRef} (the generation's repository)`,
        );
      }
      const { taskId } = await scaffolder.scaffold(
        {
          templateRef: options.cutoverTemplateRef,
          // The template reads the hostname, clusters, zone and repository from the
          // entity's annotations itself, so it can also be run by hand from /create.
          values: {
            entity: entityRef,
            weights: plan.weights,
            mode,
            ...(plan.expected && { expected: plan.expected }),
            force: plan.force ?? false,
          },
        },
        { credentials },
      );
      await audit.success({ meta: { taskId, mode } });
      const body: CutoverResponse = { taskId, mode };
      res.status(201).json(body);
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error;
    }
  });

  return router;
}

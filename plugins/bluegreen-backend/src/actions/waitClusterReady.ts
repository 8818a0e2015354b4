import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  CLUSTER_COLOURS,
  clusterName,
  ClusterColour,
  getBlueGreenAnnotations,
} from '@bluegreen/plugin-bluegreen-common';
import { z } from 'zod/v3';
import { readClusterReadiness } from '../kubernetes/ClusterReadiness';
import { parseInput } from '../lib/parseInput';
import { sleep } from '../lib/sleep';
import { Generations } from '../security/Generations';
import { KubernetesApi } from '../teardown/KubernetesProxyClient';
import { examples } from './waitClusterReady.examples';

/** A 403 from the Kubernetes backend (kubernetes.proxy) or from the cluster's RBAC. */
function isForbidden(error: unknown): boolean {
  const status = (error as { response?: { status?: number } })?.response
    ?.status;
  return status === 403 || /\(403\)/.test(String((error as Error)?.message));
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

const inputSchema = z
  .object({
    generation: z
      .string()
      .min(1, 'must not be empty')
      .describe(
        "The generation's System entity: its bluegreen/<colour>-cluster annotations name the clusters (default <name>-<colour>)",
      ),
    colours: z
      .array(
        z.enum(CLUSTER_COLOURS, {
          errorMap: () => ({ message: 'must be blue or green' }),
        }),
      )
      .min(1, 'list at least one colour')
      .describe('The clusters to wait for'),
    timeoutMinutes: z
      .number()
      .positive()
      .max(24 * 60)
      .optional()
      .describe(
        'Fail when a cluster is not ready after this long (default 30)',
      ),
    pollSeconds: z
      .number()
      .min(1)
      .max(600)
      .optional()
      .describe('How often to look (default 10)'),
    argocdNamespace: z
      .string()
      .regex(DNS_LABEL, 'must be a Kubernetes namespace name (a DNS label)')
      .optional()
      .describe("Argo CD's namespace (default argocd)"),
  })
  .strict();

const outputSchema = z.object({
  clusters: z
    .record(
      z.object({
        nodes: z.number(),
        applications: z.number(),
        waitedSeconds: z.number(),
      }),
    )
    .describe('Per cluster name: what was ready, and after how long'),
});

export interface WaitClusterReadyActionOptions {
  /** Reads the generation with the initiator's credentials. */
  catalog: CatalogService;
  /** A cluster's API through the Kubernetes backend, as the initiator. */
  clusterApi: (
    clusterName: string,
    credentials: BackstageCredentials,
  ) => KubernetesApi;
}

/**
 * Creates `bluegreen:wait-cluster-ready`: waits until each cluster has Ready nodes and
 * every Argo CD Application is Synced and Healthy, reading through the Kubernetes backend
 * with the initiator's credentials; a progress line names what is not ready yet.
 * @public
 */
export function createWaitClusterReadyAction(
  options: WaitClusterReadyActionOptions,
) {
  return createTemplateAction({
    id: 'bluegreen:wait-cluster-ready',
    description:
      "Waits until a generation's clusters are ready: nodes Ready, every Argo CD Application Synced and Healthy, read through the Kubernetes backend as the task's initiator. Logs what is not ready yet; fails after timeoutMinutes naming it; stops when the task is cancelled. A dry run only says what it would wait for.",
    examples,
    supportsDryRun: true,
    schema: {
      input: () => inputSchema,
      output: () => outputSchema,
    },
    async handler(ctx) {
      const input = parseInput(
        inputSchema,
        ctx.input,
        'input to bluegreen:wait-cluster-ready',
      );
      const credentials = await ctx.getInitiatorCredentials();
      const entityRef = Generations.refOf(input.generation);
      const entity = await options.catalog.getEntityByRef(entityRef, {
        credentials,
      });
      // A dry run of a new generation's template registers nothing: its names are the
      // default ones then.
      if (!entity && !ctx.isDryRun) {
        throw new NotFoundError(`generation: ${entityRef} was not found`);
      }
      const named: Partial<Record<ClusterColour, string>> = entity
        ? getBlueGreenAnnotations(entity).clusters
        : {};
      const nameOf = (colour: ClusterColour) =>
        named[colour] ??
        clusterName(
          entity?.metadata.name ?? parseEntityRef(entityRef).name,
          colour,
        );
      const namespace = input.argocdNamespace ?? 'argocd';
      const timeoutMs = (input.timeoutMinutes ?? 30) * 60_000;
      const pollMs = (input.pollSeconds ?? 10) * 1000;
      if (ctx.isDryRun) {
        for (const colour of input.colours) {
          ctx.logger.info(
            `Dry run: would wait up to ${timeoutMs / 60_000} min for ${nameOf(
              colour,
            )}: nodes Ready, every Argo CD Application in ${namespace} Synced and Healthy`,
          );
        }
        ctx.output('clusters', {});
        return;
      }
      const clusters: Record<
        string,
        { nodes: number; applications: number; waitedSeconds: number }
      > = {};
      for (const colour of input.colours) {
        // Each cluster gets the whole timeout: the second one comes up meanwhile too.
        const started = Date.now();
        const name = nameOf(colour);
        const api = options.clusterApi(name, credentials);
        let last = '';
        for (;;) {
          if (ctx.signal?.aborted) {
            throw new Error(
              `bluegreen:wait-cluster-ready was cancelled while waiting for ${name}`,
            );
          }
          let notReady: string[];
          let report;
          try {
            report = await readClusterReadiness(api, namespace);
            notReady = report.notReady;
          } catch (error) {
            if (isForbidden(error)) {
              throw new Error(
                `${name}: reading its nodes and Argo CD Applications is forbidden, which waiting does not change: ${
                  (error as Error).message
                }`,
              );
            }
            // A cluster being built answers errors for a while (not yet known to the
            // Kubernetes backend, API not up): not ready yet, not a failure.
            notReady = [`cannot read it yet: ${(error as Error).message}`];
          }
          if (notReady.length === 0 && report) {
            const waitedSeconds = Math.round((Date.now() - started) / 1000);
            ctx.logger.info(
              `${name} is ready: ${report.nodes} node(s) Ready, ${report.applications} Argo CD Application(s) Synced and Healthy`,
            );
            clusters[name] = {
              nodes: report.nodes,
              applications: report.applications,
              waitedSeconds,
            };
            break;
          }
          const summary = notReady.join('; ');
          if (Date.now() - started >= timeoutMs) {
            throw new Error(
              `${name} is not ready after ${
                timeoutMs / 60_000
              } min (timeoutMinutes): ${summary}`,
            );
          }
          if (summary !== last) {
            ctx.logger.info(`${name}: waiting for ${summary}`);
            last = summary;
          }
          await sleep(pollMs, ctx.signal);
        }
      }
      ctx.output('clusters', clusters);
    },
  });
}

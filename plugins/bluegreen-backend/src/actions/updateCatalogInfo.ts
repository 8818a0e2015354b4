import fs from 'node:fs/promises';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  ANNOTATION_CLUSTER_PENDING,
  CLUSTER_COLOURS,
  ClusterColour,
  clusterName,
  getBlueGreenAnnotations,
} from '@bluegreen/plugin-bluegreen-common';
import yaml from 'yaml';
import { z } from 'zod/v3';
import { parseInput } from '../lib/parseInput';
import { examples } from './updateCatalogInfo.examples';

const CATALOG_INFO = 'catalog-info.yaml';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

// The Kubernetes plugin's catalog cluster locator reads these annotations.
const API_SERVER = 'kubernetes.io/api-server';
const API_SERVER_CA = 'kubernetes.io/api-server-certificate-authority';
const AUTH_PROVIDER = 'kubernetes.io/auth-provider';
const AWS_CLUSTER_ID = 'kubernetes.io/x-k8s-aws-id';

// An EKS API server: the Kubernetes plugin sends its signed AWS token to this URL.
const EKS_ENDPOINT =
  /^https:\/\/[A-Za-z0-9.-]+\.eks\.amazonaws\.com(\.cn)?\/?$/;

const outputsSchema = z
  .object({
    cluster_name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, 'must be an EKS cluster name'),
    cluster_endpoint: z
      .string()
      .regex(
        EKS_ENDPOINT,
        'must be an EKS API server (https://<id>.<zone>.<region>.eks.amazonaws.com)',
      ),
    cluster_certificate_authority_data: z
      .string()
      .regex(BASE64, 'must be base64 (the PEM of the cluster CA)'),
    kubernetes_version: z
      .string()
      .regex(/^\d+\.\d+$/, 'must be a Kubernetes minor version')
      .optional(),
  })
  .passthrough();

const inputSchema = z
  .object({
    colour: z
      .enum(CLUSTER_COLOURS, {
        errorMap: () => ({ message: 'must be blue or green' }),
      })
      .describe(
        "The cluster whose Resource entity gets the annotations; outputs.cluster_name must be the generation's cluster of this colour",
      ),
    outputs: z
      .record(z.unknown())
      .optional()
      .describe(
        "The cluster stack's outputs, as bluegreen:apply returns them (outputs['eks-<colour>']): cluster_name, cluster_endpoint (an EKS API server), cluster_certificate_authority_data, optionally kubernetes_version",
      ),
    authProvider: z
      .enum(['aws', 'serviceAccount', 'oidc', 'google'])
      .optional()
      .describe(
        'kubernetes.io/auth-provider for the Kubernetes plugin (default aws)',
      ),
  })
  .strict();

/** The generation's cluster of a colour, as its own catalog-info.yaml names it. */
function clusterOf(documents: yaml.Document[], colour: ClusterColour) {
  const system = documents
    .map(doc => doc.toJS() as any)
    .find(entity => entity?.kind === 'System');
  if (!system?.metadata?.name) {
    throw new InputError(
      `${CATALOG_INFO}: declares no System, so the ${colour} cluster is unknown`,
    );
  }
  return (
    getBlueGreenAnnotations(system).clusters[colour] ??
    clusterName(system.metadata.name, colour)
  );
}

const outputSchema = z.object({
  entityName: z.string().describe('The Resource entity updated'),
  changed: z
    .boolean()
    .describe(
      'Whether catalog-info.yaml changed (false when it said so already)',
    ),
});

/**
 * Creates `bluegreen:update-catalog-info`: after a cluster stack's apply, writes its API
 * server, CA and auth provider into the cluster's Resource in the workspace's
 * catalog-info.yaml and drops bluegreen/cluster-pending, so that the Kubernetes plugin
 * finds the cluster once the change is merged. It edits that one document in place
 * (comments and the other documents kept), which catalog:write cannot: that action
 * replaces the whole file with one entity.
 * @public
 */
export function createUpdateCatalogInfoAction() {
  return createTemplateAction({
    id: 'bluegreen:update-catalog-info',
    description:
      "Writes a cluster's API server URL, CA (from its stack's outputs) and auth provider into its kubernetes-cluster Resource in the workspace's catalog-info.yaml, and removes bluegreen/cluster-pending; the other documents and comments stay as they are.",
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
        'input to bluegreen:update-catalog-info',
      );
      if (ctx.isDryRun && Object.keys(input.outputs ?? {}).length === 0) {
        // A dry run applies nothing, so there are no outputs to write.
        ctx.logger.info(
          `Dry run: would write the ${input.colour} cluster's API server, CA and auth provider from its stack's outputs into ${CATALOG_INFO}`,
        );
        ctx.output('entityName', '');
        ctx.output('changed', false);
        return;
      }
      const parsed = parseInput(
        z.object({
          outputs: outputsSchema.optional().refine(Boolean, {
            message:
              "required: the cluster stack's outputs from bluegreen:apply",
          }),
        }),
        { outputs: input.outputs },
        'input to bluegreen:update-catalog-info',
      );
      const outputs = parsed.outputs!;
      const file = resolveSafeChildPath(ctx.workspacePath, CATALOG_INFO);
      const text = await fs.readFile(file, 'utf8').catch(() => {
        throw new InputError(
          `${CATALOG_INFO}: not in the workspace root; fetch the generation repository first`,
        );
      });
      const documents = yaml.parseAllDocuments(text);
      const expected = clusterOf(documents, input.colour);
      if (outputs.cluster_name !== expected) {
        throw new InputError(
          `outputs.cluster_name: ${outputs.cluster_name} is not the ${input.colour} cluster of this generation (${expected})`,
        );
      }
      const target = documents.find(doc => {
        const entity = doc.toJS() as any;
        return (
          entity?.kind === 'Resource' &&
          entity?.spec?.type === 'kubernetes-cluster' &&
          entity?.metadata?.name === outputs.cluster_name
        );
      });
      if (!target) {
        throw new InputError(
          `outputs.cluster_name: ${CATALOG_INFO} has no kubernetes-cluster Resource named ${outputs.cluster_name}`,
        );
      }
      const annotations = ['metadata', 'annotations'];
      target.setIn([...annotations, API_SERVER], outputs.cluster_endpoint);
      target.setIn(
        [...annotations, API_SERVER_CA],
        outputs.cluster_certificate_authority_data,
      );
      const authProvider = input.authProvider ?? 'aws';
      target.setIn([...annotations, AUTH_PROVIDER], authProvider);
      if (authProvider === 'aws') {
        target.setIn([...annotations, AWS_CLUSTER_ID], outputs.cluster_name);
      }
      target.deleteIn([...annotations, ANNOTATION_CLUSTER_PENDING]);
      const version = outputs.kubernetes_version;
      const title = target.getIn(['metadata', 'title']);
      if (version && typeof title === 'string') {
        target.setIn(
          ['metadata', 'title'],
          title.replace(/\(Kubernetes [^)]*\)/, `(Kubernetes ${version})`),
        );
      }
      const description = target.getIn(['metadata', 'description']);
      if (typeof description === 'string') {
        // The generated text tells a person to add these annotations: now done.
        target.setIn(
          ['metadata', 'description'],
          description.replace(
            /\s*Its API server and certificate authority[\s\S]*$/,
            '',
          ),
        );
      }
      // Only the cluster's document is rewritten: the others keep their text as it is.
      const [start, , end] = target.range;
      const updated = `${text.slice(0, start)}${target.toString()}${text.slice(
        end,
      )}`;
      const changed = updated !== text;
      await fs.writeFile(file, updated);
      ctx.output('changed', changed);
      ctx.logger.info(
        `${CATALOG_INFO}: ${outputs.cluster_name} now has ${API_SERVER} ${outputs.cluster_endpoint}, its CA and ${AUTH_PROVIDER} ${authProvider}; ${ANNOTATION_CLUSTER_PENDING} removed`,
      );
      ctx.output('entityName', outputs.cluster_name);
    },
  });
}

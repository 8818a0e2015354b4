import fs from 'node:fs/promises';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  ANNOTATION_CLUSTER_PENDING,
  CLUSTER_COLOURS,
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

const inputSchema = z
  .object({
    colour: z
      .enum(CLUSTER_COLOURS, {
        errorMap: () => ({ message: 'must be blue or green' }),
      })
      .describe('The cluster whose Resource entity gets the annotations'),
    outputs: z
      .object({
        cluster_name: z
          .string()
          .regex(
            /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/,
            'must be an EKS cluster name',
          ),
        cluster_endpoint: z
          .string()
          .url('must be a URL')
          .refine(url => url.startsWith('https://'), 'must be an https URL'),
        cluster_certificate_authority_data: z
          .string()
          .regex(BASE64, 'must be base64 (the PEM of the cluster CA)'),
        kubernetes_version: z
          .string()
          .regex(/^\d+\.\d+$/, 'must be a Kubernetes minor version')
          .optional(),
      })
      .passthrough()
      .describe(
        "The cluster stack's outputs, as bluegreen:apply returns them (outputs['eks-<colour>'])",
      ),
    authProvider: z
      .enum(['aws', 'serviceAccount', 'oidc', 'google'])
      .optional()
      .describe(
        'kubernetes.io/auth-provider for the Kubernetes plugin (default aws)',
      ),
  })
  .strict();

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
      const { outputs } = input;
      const file = resolveSafeChildPath(ctx.workspacePath, CATALOG_INFO);
      const text = await fs.readFile(file, 'utf8').catch(() => {
        throw new InputError(
          `${CATALOG_INFO}: not in the workspace root; fetch the generation repository first`,
        );
      });
      const documents = yaml.parseAllDocuments(text);
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

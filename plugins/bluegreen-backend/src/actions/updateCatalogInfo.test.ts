import fs from 'node:fs';
import path from 'node:path';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { JsonObject } from '@backstage/types';
import yaml from 'yaml';
import { createUpdateCatalogInfoAction } from './updateCatalogInfo';
import { examples } from './updateCatalogInfo.examples';

const FIXTURE_CATALOG = path.resolve(
  __dirname,
  '../__fixtures__/generation/catalog-info.yaml',
);
const CA = Buffer.from('-----BEGIN CERTIFICATE-----\n').toString('base64');
const OUTPUTS = {
  cluster_name: 'eks-blueprint-green',
  cluster_endpoint: 'https://ABC.gr7.us-west-2.eks.amazonaws.com',
  cluster_certificate_authority_data: CA,
  kubernetes_version: '1.35',
  aws_region: 'us-west-2',
};

describe('bluegreen:update-catalog-info', () => {
  const workspace = createMockDirectory();
  const action = createUpdateCatalogInfoAction();
  const original = fs.readFileSync(FIXTURE_CATALOG, 'utf8');

  beforeEach(() => {
    workspace.setContent({ 'catalog-info.yaml': original });
  });

  async function run(input: JsonObject) {
    const ctx = createMockActionContext({
      input,
      workspacePath: workspace.path,
      logger: mockServices.logger.mock(),
    });
    await action.handler(ctx as any);
    return ctx;
  }

  const read = () =>
    fs.readFileSync(workspace.resolve('catalog-info.yaml'), 'utf8');
  const entities = () => yaml.parseAllDocuments(read()).map(doc => doc.toJS());

  it("fills in the cluster's API server, CA and auth provider and drops cluster-pending; every other document keeps its text", async () => {
    const ctx = await run({ colour: 'green', outputs: OUTPUTS });
    const green = entities().find(
      e => e.metadata.name === 'eks-blueprint-green',
    );
    expect(green.metadata.annotations).toEqual({
      'kubernetes.io/api-server': OUTPUTS.cluster_endpoint,
      'kubernetes.io/api-server-certificate-authority': CA,
      'kubernetes.io/auth-provider': 'aws',
      'kubernetes.io/x-k8s-aws-id': 'eks-blueprint-green',
    });
    expect(green.metadata.title).toBe('eks-blueprint-green (Kubernetes 1.35)');
    const before = original.split('\n---\n');
    const after = read().split('\n---\n');
    expect(after).toHaveLength(before.length);
    // System and blue are byte for byte as they were.
    expect(after.slice(0, 2)).toEqual(before.slice(0, 2));
    expect(ctx.output).toHaveBeenCalledWith('changed', true);
  });

  it('changes nothing the second time (changed: false), so the templates open no empty pull request', async () => {
    await run({ colour: 'green', outputs: OUTPUTS });
    const once = read();
    const ctx = await run({ colour: 'green', outputs: OUTPUTS });
    expect(read()).toBe(once);
    expect(ctx.output).toHaveBeenCalledWith('changed', false);
  });

  it.each([
    [
      { ...OUTPUTS, cluster_endpoint: 'https://attacker.example.com' },
      'outputs.cluster_endpoint: must be an EKS API server',
    ],
    [
      { ...OUTPUTS, cluster_name: 'eks-blueprint-blue' },
      'outputs.cluster_name: eks-blueprint-blue is not the green cluster of this generation (eks-blueprint-green)',
    ],
    [
      { ...OUTPUTS, cluster_certificate_authority_data: 'not base64!' },
      'outputs.cluster_certificate_authority_data: must be base64',
    ],
  ])(
    'refuses bad outputs naming the field, writing nothing: %j',
    async (outputs, message) => {
      await expect(run({ colour: 'green', outputs })).rejects.toThrow(message);
      expect(read()).toBe(original);
    },
  );

  it('in a dry run (apply returned no outputs) says what it would write and writes nothing', async () => {
    const ctx = createMockActionContext({
      input: { colour: 'green', outputs: {} },
      workspacePath: workspace.path,
      logger: mockServices.logger.mock(),
    });
    await action.handler({ ...ctx, isDryRun: true } as any);
    expect(read()).toBe(original);
    expect(ctx.output).toHaveBeenCalledWith('changed', false);
  });

  it.each(examples.map(example => [example.description, example]))(
    'example: %s',
    async (_description, example) => {
      const step = yaml.parse(example.example).steps[0];
      expect(step.action).toBe('bluegreen:update-catalog-info');
      await run({ ...step.input, outputs: OUTPUTS });
      expect(read()).toContain('kubernetes.io/api-server: https://ABC.gr7');
    },
  );
});

import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadBalancerDimension } from '../cloudwatch/getMetricData';
import { startSandbox, Sandbox } from '../server';
import { loadBalancerConfig } from './config';

const BLUE = 'eks-blueprint-blue';
const GREEN = 'eks-blueprint-green';

describe('load balancer stand-ins in the sandbox', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await startSandbox({
      throttle: false,
      loadBalancers: { clusters: [BLUE, GREEN] },
    });
  });
  afterEach(() => sandbox.close());

  const faults = (body: unknown) =>
    fetch(`${sandbox.url}/_sandbox/load-balancers/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it("answers like the seed's burnham page, naming the cluster, until a fault is switched on through the inspection API", async () => {
    const { urls } = await (
      await fetch(`${sandbox.url}/_sandbox/load-balancers`)
    ).json();
    const page = await fetch(urls[GREEN]);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`CLUSTER_NAME: ${GREEN}`);

    expect((await faults({ cluster: GREEN, errorRate: 1 })).status).toBe(200);
    const failing = await fetch(urls[GREEN]);
    expect(failing.status).toBe(503);
    expect((await fetch(urls[BLUE])).status).toBe(200);
    const { served } = await (
      await fetch(`${sandbox.url}/_sandbox/load-balancers`)
    ).json();
    expect(served).toEqual({
      [BLUE]: { 200: 1 },
      [GREEN]: { 200: 1, 503: 1 },
    });
  });

  it('refuses a fault it cannot apply, naming the field', async () => {
    const rate = await faults({ cluster: GREEN, errorRate: 2 });
    expect(rate.status).toBe(400);
    expect((await rate.json()).message).toBe(
      'errorRate must be a number from 0 to 1',
    );
    const form = await fetch(`${sandbox.url}/_sandbox/load-balancers/faults`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ cluster: GREEN, errorRate: 1 }),
    });
    expect(form.status).toBe(415);
    const unknown = await faults({ cluster: 'constructor' });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).message).toBe(
      "no load balancer stand-in for cluster 'constructor'",
    );
  });
});

describe('loadBalancerConfig', () => {
  it("maps every fixture record's load balancer to its cluster's stand-in", async () => {
    const sandbox = await startSandbox({
      throttle: false,
      loadBalancers: { clusters: [BLUE, GREEN] },
    });
    try {
      const config = loadBalancerConfig(sandbox.loadBalancers!);
      expect(config).toHaveLength(4); // burnham's and checkout's, blue and green
      expect(config).toContainEqual({
        dnsName:
          'k8s-teamburn-burnham-6a7f9e2c41-2222222222.us-west-2.elb.amazonaws.com.',
        url: sandbox.loadBalancers!.urls[GREEN],
        cloudWatchDimension: loadBalancerDimension(
          'k8s-teamburn-burnham-6a7f9e2c41-2222222222.us-west-2.elb.amazonaws.com',
        ),
      });
    } finally {
      await sandbox.close();
    }
  });

  it("is what the example's app-config.yaml maps, with the standalone sandbox's ports (4581 blue, 4582 green)", async () => {
    const sandbox = await startSandbox({
      throttle: false,
      loadBalancers: { clusters: [BLUE, GREEN], ports: [4581, 4582] },
    });
    try {
      const appConfig = parse(
        fs.readFileSync(
          path.resolve(__dirname, '../../../app-config.yaml'),
          'utf8',
        ),
      );
      const normalize = (entries: Array<{ dnsName: string }>) =>
        entries
          .map(e => ({ ...e, dnsName: e.dnsName.replace(/\.$/, '') }))
          .sort((a, b) => a.dnsName.localeCompare(b.dnsName));
      expect(
        normalize(appConfig.bluegreen.cutover.staged.loadBalancers),
      ).toEqual(normalize(loadBalancerConfig(sandbox.loadBalancers!)));
    } finally {
      await sandbox.close();
    }
  });
});

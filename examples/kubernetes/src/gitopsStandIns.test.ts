/*
 * The GitOps Bridge chain's LOCAL STAND-INS (Argo CD's weight sync, external-dns) on the
 * example's real kube-apiservers, writing the AWS sandbox's Route 53 through the real
 * SDK: a weight set on the Argo CD cluster secret with the real kubectl reaches the
 * Ingress and then the records external-dns owns; records it does not own stay as they
 * are; a direct Route 53 edit of an owned record is reverted.
 */
import {
  ListResourceRecordSetsCommand,
  ChangeResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { Sandbox, startSandbox } from '@bluegreen/example-sandbox';
import { ExampleClusters, startExampleClusters } from './exampleClusters';
import { playArgoCdWeights } from './argoCdWeights';
import { playExternalDns, reconcileExternalDns } from './externalDns';

jest.setTimeout(120_000);

// The sandbox fixture's eks-blueprint.example.com zone.
const ZONE = 'Z0SANDBOXEKSBP0001';
const BLUE = 'eks-blueprint-blue';
const GREEN = 'eks-blueprint-green';

describe('the GitOps Bridge stand-ins (Argo CD weight sync, external-dns) on real kube-apiservers', () => {
  let example: ExampleClusters;
  let sandbox: Sandbox;
  let route53: Route53Client;
  const players: Array<{ stop(): Promise<void> }> = [];
  beforeAll(async () => {
    example = await startExampleClusters();
    sandbox = await startSandbox({ insyncDelayMs: 0, throttle: false });
    route53 = new Route53Client({
      endpoint: sandbox.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    });
    for (const cluster of Object.values(example.clusters)) {
      players.push(playArgoCdWeights(cluster, { pollMs: 100 }));
      players.push(playExternalDns(cluster, route53, { intervalMs: 100 }));
    }
  });
  afterAll(async () => {
    await Promise.all(players.map(p => p.stop()));
    route53?.destroy();
    await sandbox?.close();
    await example?.stop();
  });

  async function weights(host: string) {
    const { ResourceRecordSets = [] } = await route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: ZONE,
        StartRecordName: host,
      }),
    );
    return Object.fromEntries(
      ResourceRecordSets.filter(
        r => r.Name === `${host}.` && r.Type === 'A',
      ).map(r => [r.SetIdentifier, r.Weight]),
    );
  }
  async function eventually(
    what: string,
    check: () => Promise<boolean>,
  ): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`never: ${what}`);
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  }
  const annotateWeight = (cluster: string, weight: number) =>
    example.clusters[cluster].kubectl([
      'annotate',
      'secret',
      '-n',
      'argocd',
      cluster,
      `route53_weight=${weight}`,
      '--overwrite',
    ]);

  const ingressWeight = async (cluster: string, namespace: string) =>
    JSON.parse(
      await example.clusters[cluster].kubectl([
        'get',
        'ingress',
        '-n',
        namespace,
        namespace.replace('team-', ''),
        '-o',
        'json',
      ]),
    ).metadata.annotations['external-dns.alpha.kubernetes.io/aws-weight'];

  it("carries route53_weight from each cluster's Argo CD secret to its Ingresses and to the Route 53 records its external-dns owns (checkout), and leaves the ones it does not own (burnham: no registry record for green, another owner's for blue)", async () => {
    expect(await weights('checkout.eks-blueprint.example.com')).toEqual({
      [BLUE]: 100,
      [GREEN]: 0,
    });
    // burnham's blue record, registered to another external-dns whose owner id starts
    // with blue's: owner ids compare whole.
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: ZONE,
        ChangeBatch: {
          Changes: [
            {
              Action: 'CREATE',
              ResourceRecordSet: {
                Name: 'a-burnham.eks-blueprint.example.com.',
                Type: 'TXT',
                SetIdentifier: BLUE,
                Weight: 100,
                TTL: 300,
                ResourceRecords: [
                  {
                    Value: `"heritage=external-dns,external-dns/owner=${BLUE}-old"`,
                  },
                ],
              },
            },
          ],
        },
      }),
    );
    // Gaining first, as a GitOps cutover applies the stacks: never both at 0.
    await annotateWeight(GREEN, 100);
    await annotateWeight(BLUE, 0);
    await eventually('checkout at 0/100 in Route 53', async () => {
      const now = await weights('checkout.eks-blueprint.example.com');
      return now[BLUE] === 0 && now[GREEN] === 100;
    });
    // The hop in between, as kubectl shows it.
    const ingress = JSON.parse(
      await example.clusters[GREEN].kubectl([
        'get',
        'ingress',
        '-n',
        'team-checkout',
        'checkout',
        '-o',
        'json',
      ]),
    );
    expect(
      ingress.metadata.annotations[
        'external-dns.alpha.kubernetes.io/aws-weight'
      ],
    ).toBe('100');
    // burnham's Ingresses say 0/100 now too; a reconcile of each cluster still leaves
    // its records alone.
    await eventually("burnham's Ingresses at 0/100", async () => {
      return (
        (await ingressWeight(BLUE, 'team-burnham')) === '0' &&
        (await ingressWeight(GREEN, 'team-burnham')) === '100'
      );
    });
    for (const cluster of [BLUE, GREEN]) {
      expect(
        (await reconcileExternalDns(example.clusters[cluster], route53)).filter(
          change => change.startsWith('burnham.'),
        ),
      ).toEqual([]);
    }
    expect(await weights('burnham.eks-blueprint.example.com')).toEqual({
      [BLUE]: 100,
      [GREEN]: 0,
    });
  });

  it('reverts a weight changed in Route 53 directly on a record it owns, as external-dns does', async () => {
    const { ResourceRecordSets = [] } = await route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: ZONE,
        StartRecordName: 'checkout.eks-blueprint.example.com',
      }),
    );
    const green = ResourceRecordSets.find(
      r => r.Type === 'A' && r.SetIdentifier === GREEN,
    )!;
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: ZONE,
        ChangeBatch: {
          Changes: [
            { Action: 'UPSERT', ResourceRecordSet: { ...green, Weight: 7 } },
          ],
        },
      }),
    );
    const ingress = Number(await ingressWeight(GREEN, 'team-checkout'));
    expect(ingress).not.toBe(7);
    await eventually('green back at its Ingress weight', async () => {
      const now = await weights('checkout.eks-blueprint.example.com');
      return now[GREEN] === ingress;
    });
  });
});

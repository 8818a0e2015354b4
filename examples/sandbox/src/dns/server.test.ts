/*
 * The DNS stand-in read by the real `dig` (Debian's dnsutils): what the unmodified AWS
 * SDK wrote to the sandbox's Route 53 is what a resolver is answered.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  ChangeResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { loadFixtures } from '../fixtures';
import { Sandbox, startSandbox } from '../server';
import { aliasAddress } from './server';

const ZONE = 'Z0SANDBOXEKSBP0001';
const BURNHAM = 'burnham.eks-blueprint.example.com';
const QUERIES = 400;

// 400 dig processes take about 10 s on 2 cores.
jest.setTimeout(60_000);

/** burnham's two weighted alias records in the fixtures. */
const burnhamRecords = () =>
  (loadFixtures().route53?.hostedZones ?? [])
    .flatMap(z => z.records ?? [])
    .filter(r => r.name === `${BURNHAM}.` && r.aliasTarget);
/** burnham's set identifiers, by the address the stand-in gives each alias target. */
const burnhamTargets = () =>
  Object.fromEntries(
    burnhamRecords().map(r => [
      aliasAddress(r.aliasTarget!.dnsName),
      r.setIdentifier!,
    ]),
  );

describe('the DNS stand-in, read by dig', () => {
  let sandbox: Sandbox;
  let route53: Route53Client;

  beforeAll(async () => {
    await promisify(execFile)('dig', ['-v']).catch(() => {
      throw new Error(
        "This test reads the DNS stand-in with dig: install Debian's dnsutils (`sudo apt-get install dnsutils`, which scripts/install-system-deps.sh does).",
      );
    });
  });
  beforeEach(async () => {
    sandbox = await startSandbox({
      insyncDelayMs: 0,
      throttle: false,
      dns: {},
    });
    route53 = new Route53Client({
      endpoint: sandbox.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    });
  });
  afterEach(async () => {
    route53.destroy();
    await sandbox.close();
  });

  const dig = async (name: string, ...extra: string[]) =>
    (
      await promisify(execFile)('dig', [
        `@${sandbox.dns!.host}`,
        '-p',
        String(sandbox.dns!.port),
        // Retries: 20 dig processes at once on 2 cores can miss a 1 s reply window.
        '+tries=3',
        '+time=3',
        ...extra,
        name,
        'A',
      ])
    ).stdout;
  /** `QUERIES` answers, counted by set identifier (10 digs at a time). */
  async function answersBySetIdentifier() {
    const targets = burnhamTargets();
    const counts: Record<string, number> = {};
    for (let i = 0; i < QUERIES; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, () => dig(BURNHAM, '+short')),
      );
      for (const out of batch) {
        // A retried query adds dig's own ";;" lines (a timeout, the late first reply's
        // ID mismatch) before the answer: the answer is the last other line.
        const answer =
          out
            .split('\n')
            .map(line => line.trim())
            .filter(line => line && !line.startsWith(';;'))
            .pop() ?? '';
        const who = targets[answer] ?? `unknown ${out.trim()}`;
        counts[who] = (counts[who] ?? 0) + 1;
      }
    }
    return counts;
  }
  async function setWeights(blue: number, green: number) {
    const records = burnhamRecords();
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: ZONE,
        ChangeBatch: {
          Changes: records.map(r => ({
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: r.name,
              Type: 'A',
              SetIdentifier: r.setIdentifier,
              Weight: r.setIdentifier === 'eks-blueprint-blue' ? blue : green,
              AliasTarget: {
                HostedZoneId: r.aliasTarget!.hostedZoneId,
                DNSName: r.aliasTarget!.dnsName,
                EvaluateTargetHealth: r.aliasTarget!.evaluateTargetHealth,
              },
            },
          })),
        },
      }),
    );
  }

  it('answers every query with blue at 100/0, authoritatively, with the alias target TTL of 60 s', async () => {
    const full = await dig(BURNHAM);
    expect(full).toMatch(/status: NOERROR/);
    expect(full).toMatch(/flags: qr aa/);
    expect(full).toMatch(
      new RegExp(`^${BURNHAM}\\.\\s+60\\s+IN\\s+A\\s+198\\.1[89]\\.`, 'm'),
    );
    expect(await answersBySetIdentifier()).toEqual({
      'eks-blueprint-blue': QUERIES,
    });
  });

  it(`splits ${QUERIES} answers by weight once the SDK wrote 50/50: each cluster within 40-60 % (about 4.5 standard deviations)`, async () => {
    await setWeights(50, 50);
    const counts = await answersBySetIdentifier();
    expect(Object.keys(counts).sort()).toEqual([
      'eks-blueprint-blue',
      'eks-blueprint-green',
    ]);
    for (const count of Object.values(counts)) {
      expect(count).toBeGreaterThanOrEqual(QUERIES * 0.4);
      expect(count).toBeLessThanOrEqual(QUERIES * 0.6);
    }
  });

  it("answers a load balancer's own name (an alias target) with the address its alias record answers, so an address maps back to its cluster", async () => {
    for (const record of burnhamRecords()) {
      const answer = (await dig(record.aliasTarget!.dnsName, '+short')).trim();
      expect(burnhamTargets()[answer]).toBe(record.setIdentifier);
    }
  });

  it('says NXDOMAIN for a name the zone does not have, and refuses a name outside every zone', async () => {
    expect(await dig(`nothing.eks-blueprint.example.com`)).toMatch(
      /status: NXDOMAIN/,
    );
    expect(await dig('example.org')).toMatch(/status: REFUSED/);
  });
});

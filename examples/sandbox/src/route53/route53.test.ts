/*
 * Pins the sandbox's Route 53 semantics to AWS's documented error codes, through the
 * unmodified AWS SDK v3 client.
 */
import {
  Change,
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  ResourceRecordSet,
  Route53Client,
  Route53ClientConfig,
} from '@aws-sdk/client-route-53';
import { Sandbox, SandboxOptions, startSandbox } from '../server';

const ZONE = 'Z0SANDBOXEKSBP0001';
const BURNHAM = 'burnham.eks-blueprint.example.com.';

function client(sandbox: Sandbox, extra: Partial<Route53ClientConfig> = {}) {
  return new Route53Client({
    endpoint: sandbox.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    ...extra,
  });
}

/** The fixture's burnham record for a set identifier, as the SDK lists it. */
async function current(r53: Route53Client, setIdentifier: string) {
  const out = await r53.send(
    new ListResourceRecordSetsCommand({
      HostedZoneId: ZONE,
      StartRecordName: BURNHAM,
      StartRecordType: 'A',
    }),
  );
  const found = out.ResourceRecordSets!.find(
    r =>
      r.Name === BURNHAM && r.Type === 'A' && r.SetIdentifier === setIdentifier,
  );
  if (!found) throw new Error(`no ${setIdentifier}`);
  return found;
}

async function change(r53: Route53Client, changes: Change[]) {
  return r53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: ZONE,
      ChangeBatch: { Changes: changes },
    }),
  );
}

async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the request to fail');
}

function withSandbox(options: SandboxOptions = {}) {
  const ctx = {} as { sandbox: Sandbox; r53: Route53Client };
  beforeEach(async () => {
    ctx.sandbox = await startSandbox({ throttle: false, ...options });
    ctx.r53 = client(ctx.sandbox);
  });
  afterEach(async () => {
    ctx.r53.destroy();
    await ctx.sandbox.close();
  });
  return ctx;
}

describe('hosted zones', () => {
  const ctx = withSandbox();

  it('lists zones by name in reversed-label order with /hostedzone/ ids', async () => {
    const out = await ctx.r53.send(new ListHostedZonesByNameCommand({}));
    expect(out.HostedZones!.map(z => [z.Id, z.Name])).toEqual([
      ['/hostedzone/Z0SANDBOXEXAMPLE01', 'example.com.'],
      ['/hostedzone/Z0SANDBOXEKSBP0001', 'eks-blueprint.example.com.'],
    ]);
    const byName = await ctx.r53.send(
      new ListHostedZonesByNameCommand({
        DNSName: 'eks-blueprint.example.com',
        MaxItems: 1,
      }),
    );
    expect(byName.HostedZones!.map(z => z.Name)).toEqual([
      'eks-blueprint.example.com.',
    ]);
    expect(byName.IsTruncated).toBe(false);
    const all = await ctx.r53.send(new ListHostedZonesCommand({}));
    expect(all.HostedZones).toHaveLength(2);
  });

  it('gets a zone and its delegation set, and delegates the child zone', async () => {
    const out = await ctx.r53.send(
      new GetHostedZoneCommand({ Id: `/hostedzone/${ZONE}` }),
    );
    expect(out.HostedZone!.Name).toBe('eks-blueprint.example.com.');
    expect(out.HostedZone!.Config!.PrivateZone).toBe(false);
    expect(out.DelegationSet!.NameServers).toHaveLength(4);
    const parent = await ctx.r53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: 'Z0SANDBOXEXAMPLE01',
        StartRecordName: 'eks-blueprint.example.com.',
        StartRecordType: 'NS',
        MaxItems: 1,
      }),
    );
    expect(
      parent.ResourceRecordSets![0].ResourceRecords!.map(r => r.Value),
    ).toEqual(out.DelegationSet!.NameServers!.map(ns => `${ns}.`));
  });

  it('answers NoSuchHostedZone for an unknown zone', async () => {
    const e = await rejection(
      ctx.r53.send(new GetHostedZoneCommand({ Id: 'ZNOPE' })),
    );
    expect(e.name).toBe('NoSuchHostedZone');
    expect(e.$metadata.httpStatusCode).toBe(404);
    const e2 = await rejection(
      ctx.r53.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: 'ZNOPE' }),
      ),
    );
    expect(e2.name).toBe('NoSuchHostedZone');
  });
});

describe('fixture records', () => {
  const ctx = withSandbox();

  it('has the weighted burnham aliases without a TXT registry, and checkout owned by external-dns', async () => {
    const out = await ctx.r53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: ZONE }),
    );
    const rrs = out.ResourceRecordSets!;
    const blue = rrs.find(
      r => r.Name === BURNHAM && r.SetIdentifier === 'eks-blueprint-blue',
    )!;
    expect(blue).toMatchObject({
      Type: 'A',
      Weight: 100,
      AliasTarget: {
        HostedZoneId: 'Z1H1FL5HABSF5',
        EvaluateTargetHealth: true,
      },
    });
    expect(blue.TTL).toBeUndefined();
    expect(rrs.some(r => r.Name === `a-${BURNHAM}`)).toBe(false);
    const txt = rrs.filter(
      r => r.Name === 'a-checkout.eks-blueprint.example.com.',
    );
    expect(txt.map(r => [r.Type, r.SetIdentifier, r.Weight, r.TTL])).toEqual([
      ['TXT', 'eks-blueprint-blue', 100, 300],
      ['TXT', 'eks-blueprint-green', 0, 300],
    ]);
    expect(txt[0].ResourceRecords![0].Value).toBe(
      '"heritage=external-dns,external-dns/owner=eks-blueprint-blue,external-dns/resource=ingress/team-checkout/checkout"',
    );
  });

  it('pages with maxitems 1 through weighted groups without repeats or gaps', async () => {
    const all = await ctx.r53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: ZONE }),
    );
    const walked: ResourceRecordSet[] = [];
    let usedIdentifier = false;
    let cursor: {
      StartRecordName?: string;
      StartRecordType?: any;
      StartRecordIdentifier?: string;
    } = {};
    for (;;) {
      const page = await ctx.r53.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: ZONE,
          MaxItems: 1,
          ...cursor,
        }),
      );
      expect(page.ResourceRecordSets).toHaveLength(1);
      walked.push(...page.ResourceRecordSets!);
      if (!page.IsTruncated) break;
      if (page.NextRecordIdentifier) usedIdentifier = true;
      cursor = {
        StartRecordName: page.NextRecordName,
        StartRecordType: page.NextRecordType,
        StartRecordIdentifier: page.NextRecordIdentifier,
      };
    }
    expect(usedIdentifier).toBe(true);
    expect(walked).toEqual(all.ResourceRecordSets);
    // AWS's order: labels reversed, then type, then set identifier.
    expect(
      walked.map(r => `${r.Name} ${r.Type} ${r.SetIdentifier ?? ''}`.trim()),
    ).toEqual([
      'eks-blueprint.example.com. NS',
      'eks-blueprint.example.com. SOA',
      'a-checkout.eks-blueprint.example.com. TXT eks-blueprint-blue',
      'a-checkout.eks-blueprint.example.com. TXT eks-blueprint-green',
      'burnham.eks-blueprint.example.com. A eks-blueprint-blue',
      'burnham.eks-blueprint.example.com. A eks-blueprint-green',
      'checkout.eks-blueprint.example.com. A eks-blueprint-blue',
      'checkout.eks-blueprint.example.com. A eks-blueprint-green',
    ]);
  });

  it('refuses a StartRecordType without a StartRecordName with InvalidInput', async () => {
    const e = await rejection(
      ctx.r53.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: ZONE,
          StartRecordType: 'A',
        }),
      ),
    );
    expect(e.name).toBe('InvalidInput');
  });
});

describe('ChangeResourceRecordSets', () => {
  const ctx = withSandbox();

  const unchanged = async () => {
    expect((await current(ctx.r53, 'eks-blueprint-blue')).Weight).toBe(100);
    expect((await current(ctx.r53, 'eks-blueprint-green')).Weight).toBe(0);
    expect(ctx.sandbox.changeLog()).toEqual([]);
  };

  it('rejects a DELETE whose values differ with InvalidChangeBatch and changes nothing', async () => {
    const blue = await current(ctx.r53, 'eks-blueprint-blue');
    const e = await rejection(
      change(ctx.r53, [
        { Action: 'DELETE', ResourceRecordSet: { ...blue, Weight: 50 } },
      ]),
    );
    expect(e.name).toBe('InvalidChangeBatch');
    expect(e.$metadata.httpStatusCode).toBe(400);
    expect(e.message).toBe(
      `[Tried to delete resource record set [name='${BURNHAM}', type='A', set-identifier='eks-blueprint-blue'] but the values provided do not match the current values]`,
    );
    const e2 = await rejection(
      change(ctx.r53, [
        {
          Action: 'DELETE',
          ResourceRecordSet: {
            ...blue,
            AliasTarget: { ...blue.AliasTarget!, EvaluateTargetHealth: false },
          },
        },
      ]),
    );
    expect(e2.name).toBe('InvalidChangeBatch');
    await unchanged();
  });

  it('rejects a DELETE of a missing record', async () => {
    const blue = await current(ctx.r53, 'eks-blueprint-blue');
    const e = await rejection(
      change(ctx.r53, [
        {
          Action: 'DELETE',
          ResourceRecordSet: { ...blue, SetIdentifier: 'eks-blueprint-red' },
        },
      ]),
    );
    expect(e.name).toBe('InvalidChangeBatch');
    expect(e.message).toContain(
      `set-identifier='eks-blueprint-red'] but it was not found`,
    );
    await unchanged();
  });

  it('rejects a CREATE of an existing record', async () => {
    const green = await current(ctx.r53, 'eks-blueprint-green');
    const e = await rejection(
      change(ctx.r53, [
        { Action: 'CREATE', ResourceRecordSet: { ...green, Weight: 10 } },
      ]),
    );
    expect(e.name).toBe('InvalidChangeBatch');
    expect(e.message).toContain('but it already exists');
    await unchanged();
  });

  it('applies nothing when a later change of the batch is invalid', async () => {
    const blue = await current(ctx.r53, 'eks-blueprint-blue');
    const green = await current(ctx.r53, 'eks-blueprint-green');
    const e = await rejection(
      change(ctx.r53, [
        { Action: 'UPSERT', ResourceRecordSet: { ...green, Weight: 100 } },
        { Action: 'DELETE', ResourceRecordSet: { ...blue, Weight: 99 } },
      ]),
    );
    expect(e.name).toBe('InvalidChangeBatch');
    await unchanged();
  });

  it('validates each change against the state as it evolves within the batch', async () => {
    const green = await current(ctx.r53, 'eks-blueprint-green');
    // The second DELETE no longer matches: the first one removed the record.
    const e = await rejection(
      change(ctx.r53, [
        { Action: 'DELETE', ResourceRecordSet: green },
        { Action: 'DELETE', ResourceRecordSet: green },
      ]),
    );
    expect(e.message).toContain('but it was not found');
    await unchanged();
  });

  it('accepts a compare-and-swap batch (DELETE exact old + CREATE new), PENDING', async () => {
    const blue = await current(ctx.r53, 'eks-blueprint-blue');
    const green = await current(ctx.r53, 'eks-blueprint-green');
    const out = await change(ctx.r53, [
      { Action: 'DELETE', ResourceRecordSet: blue },
      { Action: 'CREATE', ResourceRecordSet: { ...blue, Weight: 50 } },
      { Action: 'DELETE', ResourceRecordSet: green },
      { Action: 'CREATE', ResourceRecordSet: { ...green, Weight: 50 } },
    ]);
    expect(out.ChangeInfo!.Id).toMatch(/^\/change\/C[A-Z0-9]+$/);
    expect(out.ChangeInfo!.Status).toBe('PENDING');
    expect(out.ChangeInfo!.SubmittedAt).toBeInstanceOf(Date);
    // Listing returns the new data while the change is still PENDING.
    expect((await current(ctx.r53, 'eks-blueprint-blue')).Weight).toBe(50);
    expect((await current(ctx.r53, 'eks-blueprint-green')).Weight).toBe(50);
    const log = ctx.sandbox.changeLog();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      id: out.ChangeInfo!.Id,
      zoneId: `/hostedzone/${ZONE}`,
    });
    expect(log[0].changes.map(c => [c.action, c.record.weight])).toEqual([
      ['DELETE', 100],
      ['CREATE', 50],
      ['DELETE', 0],
      ['CREATE', 50],
    ]);
    // The same compare-and-swap replayed fails: the old values are gone.
    const e = await rejection(
      change(ctx.r53, [
        { Action: 'DELETE', ResourceRecordSet: blue },
        { Action: 'CREATE', ResourceRecordSet: { ...blue, Weight: 50 } },
      ]),
    );
    expect(e.name).toBe('InvalidChangeBatch');
  });

  it('matches names case-insensitively with or without the trailing dot', async () => {
    const green = await current(ctx.r53, 'eks-blueprint-green');
    await change(ctx.r53, [
      {
        Action: 'UPSERT',
        ResourceRecordSet: {
          ...green,
          Name: 'BURNHAM.eks-blueprint.example.com',
          Weight: 1,
        },
      },
    ]);
    expect((await current(ctx.r53, 'eks-blueprint-green')).Weight).toBe(1);
  });

  it('refuses weight 256 with InvalidInput', async () => {
    const green = await current(ctx.r53, 'eks-blueprint-green');
    const e = await rejection(
      change(ctx.r53, [
        { Action: 'UPSERT', ResourceRecordSet: { ...green, Weight: 256 } },
      ]),
    );
    expect(e.name).toBe('InvalidInput');
    await unchanged();
  });

  it('refuses TTL together with AliasTarget with InvalidInput', async () => {
    const green = await current(ctx.r53, 'eks-blueprint-green');
    const e = await rejection(
      change(ctx.r53, [
        { Action: 'UPSERT', ResourceRecordSet: { ...green, TTL: 60 } },
      ]),
    );
    expect(e.name).toBe('InvalidInput');
  });

  it('keeps weighted and non-weighted sets of one name and type apart', async () => {
    const e = await rejection(
      change(ctx.r53, [
        {
          Action: 'CREATE',
          ResourceRecordSet: {
            Name: BURNHAM,
            Type: 'A',
            TTL: 60,
            ResourceRecords: [{ Value: '192.0.2.10' }],
          },
        },
      ]),
    );
    expect(e.name).toBe('InvalidChangeBatch');
    expect(e.message).toContain(
      'cannot be created as a weighted set exists with the same name and type',
    );

    await change(ctx.r53, [
      {
        Action: 'CREATE',
        ResourceRecordSet: {
          Name: 'simple.eks-blueprint.example.com.',
          Type: 'A',
          TTL: 60,
          ResourceRecords: [{ Value: '192.0.2.10' }],
        },
      },
    ]);
    const e2 = await rejection(
      change(ctx.r53, [
        {
          Action: 'CREATE',
          ResourceRecordSet: {
            Name: 'simple.eks-blueprint.example.com.',
            Type: 'A',
            SetIdentifier: 'eks-blueprint-blue',
            Weight: 1,
            TTL: 60,
            ResourceRecords: [{ Value: '192.0.2.11' }],
          },
        },
      ]),
    );
    expect(e2.name).toBe('InvalidChangeBatch');
    expect(e2.message).toContain(
      'cannot be created as a non-weighted set exists with the same name and type',
    );
  });

  it('answers NoSuchHostedZone for a change to an unknown zone', async () => {
    const e = await rejection(
      ctx.r53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: 'ZNOPE',
          ChangeBatch: {
            Changes: [
              {
                Action: 'CREATE',
                ResourceRecordSet: {
                  Name: 'x.example.com.',
                  Type: 'A',
                  TTL: 60,
                  ResourceRecords: [{ Value: '192.0.2.1' }],
                },
              },
            ],
          },
        }),
      ),
    );
    expect(e.name).toBe('NoSuchHostedZone');
  });
});

describe('GetChange', () => {
  let clock = new Date('2026-11-26T12:00:00Z');
  const ctx = withSandbox({ insyncDelayMs: 2000, now: () => clock });

  it('is PENDING until insyncDelayMs has passed, then INSYNC', async () => {
    const green = await current(ctx.r53, 'eks-blueprint-green');
    const out = await change(ctx.r53, [
      { Action: 'UPSERT', ResourceRecordSet: { ...green, Weight: 1 } },
    ]);
    expect(out.ChangeInfo!.SubmittedAt).toEqual(clock);
    const get = () =>
      ctx.r53.send(new GetChangeCommand({ Id: out.ChangeInfo!.Id }));
    expect((await get()).ChangeInfo!.Status).toBe('PENDING');
    clock = new Date(clock.getTime() + 1999);
    expect((await get()).ChangeInfo!.Status).toBe('PENDING');
    clock = new Date(clock.getTime() + 1);
    expect((await get()).ChangeInfo!.Status).toBe('INSYNC');
  });

  it('keeps changes PENDING for as long as the insyncDelay fault says, from then on', async () => {
    const green = await current(ctx.r53, 'eks-blueprint-green');
    const out = await change(ctx.r53, [
      { Action: 'UPSERT', ResourceRecordSet: { ...green, Weight: 3 } },
    ]);
    const get = () =>
      ctx.r53.send(new GetChangeCommand({ Id: out.ChangeInfo!.Id }));
    ctx.sandbox.faults.insyncDelay(60_000);
    clock = new Date(clock.getTime() + 59_999);
    expect((await get()).ChangeInfo!.Status).toBe('PENDING');
    ctx.sandbox.faults.insyncDelay(2000);
    expect((await get()).ChangeInfo!.Status).toBe('INSYNC');
  });

  it('answers NoSuchChange for an unknown id', async () => {
    const e = await rejection(
      ctx.r53.send(new GetChangeCommand({ Id: '/change/CNOPE' })),
    );
    expect(e.name).toBe('NoSuchChange');
    expect(e.$metadata.httpStatusCode).toBe(404);
  });
});

describe('GetChange on the real clock', () => {
  const ctx = withSandbox({ insyncDelayMs: 150 });

  it('turns INSYNC after the delay', async () => {
    const green = await current(ctx.r53, 'eks-blueprint-green');
    const out = await change(ctx.r53, [
      { Action: 'UPSERT', ResourceRecordSet: { ...green, Weight: 2 } },
    ]);
    const get = () =>
      ctx.r53.send(new GetChangeCommand({ Id: out.ChangeInfo!.Id }));
    expect((await get()).ChangeInfo!.Status).toBe('PENDING');
    await new Promise(r => setTimeout(r, 200));
    expect((await get()).ChangeInfo!.Status).toBe('INSYNC');
  });
});

describe('PriorRequestNotComplete', () => {
  const ctx = withSandbox({ priorRequestWindowMs: 60_000 });

  it('refuses a second change to the zone within the window', async () => {
    const green = await current(ctx.r53, 'eks-blueprint-green');
    await change(ctx.r53, [
      { Action: 'UPSERT', ResourceRecordSet: { ...green, Weight: 1 } },
    ]);
    const noRetry = client(ctx.sandbox, { maxAttempts: 1 });
    const e = await rejection(
      change(noRetry, [
        { Action: 'UPSERT', ResourceRecordSet: { ...green, Weight: 2 } },
      ]),
    );
    noRetry.destroy();
    expect(e.name).toBe('PriorRequestNotComplete');
    expect(e.$metadata.httpStatusCode).toBe(400);
    expect((await current(ctx.r53, 'eks-blueprint-green')).Weight).toBe(1);
    expect(ctx.sandbox.changeLog()).toHaveLength(1);
  });
});

describe('throttling', () => {
  const sandboxes: Sandbox[] = [];
  afterEach(async () => {
    await Promise.all(sandboxes.splice(0).map(s => s.close()));
  });

  it('answers Throttling (HTTP 400, Rate exceeded) when the bucket is empty', async () => {
    const sandbox = await startSandbox({
      throttle: { burst: 2, refillPerSecond: 0.001 },
    });
    sandboxes.push(sandbox);
    const r53 = client(sandbox, { maxAttempts: 1 });
    await r53.send(new GetHostedZoneCommand({ Id: ZONE }));
    await r53.send(new GetHostedZoneCommand({ Id: ZONE }));
    const e = await rejection(r53.send(new GetHostedZoneCommand({ Id: ZONE })));
    r53.destroy();
    expect(e.name).toBe('Throttling');
    expect(e.message).toBe('Rate exceeded');
    expect(e.$metadata.httpStatusCode).toBe(400);
    expect(sandbox.requestCounts()).toEqual({
      GetHostedZone: 2,
      Throttled: 1,
      'Throttled:GetHostedZone': 1,
    });
  });

  it('lets the SDK standard retries complete a burst', async () => {
    // 25 requests against 10 tokens and 10/s: only arrivals spread over more than 1.5 s
    // would escape throttling, so a loaded machine cannot make this pass without it;
    // five attempts leave the jittered retries (0-1 s, 0-2 s, ...) room to finish.
    const sandbox = await startSandbox({
      throttle: { burst: 10, refillPerSecond: 10 },
    });
    sandboxes.push(sandbox);
    const r53 = client(sandbox, { maxAttempts: 5 });
    const results = await Promise.all(
      Array.from({ length: 25 }, () =>
        r53.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: ZONE,
            MaxItems: 1,
          }),
        ),
      ),
    );
    r53.destroy();
    expect(results).toHaveLength(25);
    const counts = sandbox.requestCounts();
    expect(counts.ListResourceRecordSets).toBe(25);
    expect(counts.Throttled).toBeGreaterThan(0);
  });
});

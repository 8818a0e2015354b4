/* Authentication refusal and the /_sandbox/ inspection endpoints, over plain HTTP. */
import { GetHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { Sandbox, startSandbox } from './server';

describe('sandbox server', () => {
  let sandbox: Sandbox;

  beforeEach(async () => {
    sandbox = await startSandbox({ throttle: false });
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it('refuses Route 53 and EKS requests without an Authorization header with 403', async () => {
    const r53 = await fetch(
      `${sandbox.url}/2013-04-01/hostedzone/Z0SANDBOXEKSBP0001`,
    );
    expect(r53.status).toBe(403);
    expect(await r53.text()).toContain(
      '<Code>MissingAuthenticationToken</Code>',
    );
    const eks = await fetch(`${sandbox.url}/clusters/eks-blueprint-blue`);
    expect(eks.status).toBe(403);
    expect(eks.headers.get('x-amzn-errortype')).toBe(
      'MissingAuthenticationTokenException',
    );
    expect(sandbox.requestCounts()).toEqual({ Unauthenticated: 2 });
  });

  it('serves request counts and the change log under /_sandbox/', async () => {
    const r53 = new Route53Client({
      endpoint: sandbox.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    });
    await r53.send(new GetHostedZoneCommand({ Id: 'Z0SANDBOXEKSBP0001' }));
    r53.destroy();
    const counts = await (
      await fetch(`${sandbox.url}/_sandbox/requests`)
    ).json();
    expect(counts).toEqual({ GetHostedZone: 1 });
    expect(
      await (await fetch(`${sandbox.url}/_sandbox/changes`)).json(),
    ).toEqual([]);
    const reset = await fetch(`${sandbox.url}/_sandbox/reset-requests`, {
      method: 'POST',
    });
    expect(reset.status).toBe(200);
    expect(sandbox.requestCounts()).toEqual({});
  });
});

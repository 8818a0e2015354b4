import http from 'node:http';
import { AddressInfo } from 'node:net';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { CutoverRunsClient } from './CutoverRunsClient';

describe('CutoverRunsClient', () => {
  let server: http.Server;
  const seen: Array<{ method?: string; url?: string; authorization?: string }> =
    [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({
        method: req.method,
        url: req.url,
        authorization: req.headers.authorization,
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'run-1', status: 'running', events: [] }));
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise(resolve => server.close(resolve)));

  const client = () =>
    new CutoverRunsClient({
      auth: mockServices.auth({ pluginId: 'scaffolder' }),
      discovery: {
        getBaseUrl: async () =>
          `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        getExternalBaseUrl: async () => '',
      },
    });

  it("aborts as the task's initiator, but follows the run with the module's own credentials (a run outlives the initiator's token)", async () => {
    seen.length = 0;
    const user = mockCredentials.user('user:default/platform-engineer');
    await client().abort(user, 'run-1', 'cancelled');
    await client().follow('run-1', 3);
    expect(seen.map(s => `${s.method} ${s.url}`)).toEqual([
      'POST /cutover-runs/run-1/abort',
      'GET /cutover-runs/run-1?after=3&waitMs=20000',
    ]);
    // Mock tokens spell out their principal: the abort is the user's (on behalf of
    // them), the follow the scaffolder module's own.
    expect(seen[0].authorization).toContain(
      '"obo":"user:default/platform-engineer"',
    );
    expect(seen[1].authorization).toContain('"sub":"plugin:scaffolder"');
    expect(seen[1].authorization).not.toContain('obo');
  });
});

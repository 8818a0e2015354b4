import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import request from 'supertest';
import bluegreenBackend from './index';

describe('bluegreen backend (feature loader)', () => {
  async function startBackend() {
    return startTestBackend({
      features: [
        scaffolderPlugin,
        bluegreenBackend,
        // An anonymous request must look anonymous: the mock's default is a user.
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
      ],
    });
  }

  it('registers the bluegreen actions with the scaffolder', async () => {
    const { server } = await startBackend();

    const res = await request(server)
      .get('/api/scaffolder/v2/actions')
      .set('Authorization', mockCredentials.user.header());

    expect(res.status).toBe(200);
    const ids = (res.body as Array<{ id: string }>).map(action => action.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'bluegreen:link-tfvars',
        'bluegreen:apply',
        'bluegreen:destroy-ordered',
        'bluegreen:set-weight',
      ]),
    );
    const action = (res.body as Array<any>).find(
      a => a.id === 'bluegreen:link-tfvars',
    );
    expect(action.schema.input.properties.stacks.type).toBe('array');
    expect(action.examples.length).toBeGreaterThan(0);
  });

  it('answers /api/bluegreen/health to users and services, not to anonymous callers', async () => {
    const { server } = await startBackend();

    const asUser = await request(server)
      .get('/api/bluegreen/health')
      .set('Authorization', mockCredentials.user.header());
    expect(asUser.status).toBe(200);
    expect(asUser.body).toEqual({ status: 'ok' });

    const asService = await request(server)
      .get('/api/bluegreen/health')
      .set('Authorization', mockCredentials.service.header());
    expect(asService.status).toBe(200);

    const anonymous = await request(server).get('/api/bluegreen/health');
    expect(anonymous.status).toBe(401);
  });
});

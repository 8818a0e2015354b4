import { ConfigReader } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { awsEnvironment } from './awsEnvironment';

describe('awsEnvironment', () => {
  it('is empty without a credentials manager', async () => {
    expect(await awsEnvironment(undefined)).toEqual({});
  });

  it('gives the CLI the credentials of the configured account', async () => {
    const manager = DefaultAwsCredentialsManager.fromConfig(
      new ConfigReader({
        aws: {
          mainAccount: {
            accessKeyId: 'AKIAMAINACCOUNT00000',
            secretAccessKey: 'main-secret',
          },
          accounts: [
            {
              accountId: '111122223333',
              accessKeyId: 'AKIAOTHERACCOUNT0000',
              secretAccessKey: 'other-secret',
            },
          ],
        },
      }),
    );

    expect(await awsEnvironment(manager)).toEqual({
      AWS_ACCESS_KEY_ID: 'AKIAMAINACCOUNT00000',
      AWS_SECRET_ACCESS_KEY: 'main-secret',
    });
    expect(await awsEnvironment(manager, '111122223333')).toEqual({
      AWS_ACCESS_KEY_ID: 'AKIAOTHERACCOUNT0000',
      AWS_SECRET_ACCESS_KEY: 'other-secret',
    });
  });
});

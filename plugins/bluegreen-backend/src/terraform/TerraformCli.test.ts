import { createMockDirectory } from '@backstage/backend-test-utils';
import { cliEnvironment } from './TerraformCli';

describe('cliEnvironment', () => {
  const dir = createMockDirectory({ content: { tofurc: '' } });

  it('passes only the allow-listed variables and the automation settings', () => {
    const env = cliEnvironment(
      {
        PATH: '/usr/bin',
        HOME: '/home/backstage',
        GITHUB_TOKEN: 'ghp_secret',
        BACKEND_SECRET: 'secret',
        AWS_SECRET_ACCESS_KEY: 'from-the-process',
      },
      { AWS_REGION: 'eu-west-1' },
    );

    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/backstage',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
      AWS_REGION: 'eu-west-1',
    });
  });

  it('keeps a CLI configuration file that exists and drops one that does not', () => {
    expect(
      cliEnvironment({ TF_CLI_CONFIG_FILE: dir.resolve('tofurc') })
        .TF_CLI_CONFIG_FILE,
    ).toBe(dir.resolve('tofurc'));
    expect(
      cliEnvironment({ TF_CLI_CONFIG_FILE: dir.resolve('missing') })
        .TF_CLI_CONFIG_FILE,
    ).toBeUndefined();
  });
});

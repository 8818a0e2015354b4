import os from 'node:os';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { cliEnvironment, TerraformCli } from './TerraformCli';

describe('cliEnvironment', () => {
  const dir = createMockDirectory({ content: { tofurc: '' } });
  const run = {
    home: '/work/ws/.bluegreen/run-1/home',
    dataDir: '/work/ws/.bluegreen/run-1/data/eks-blue',
  };
  const backend = {
    PATH: '/usr/bin',
    HOME: '/home/backstage',
    GITHUB_TOKEN: 'ghp_secret',
    BACKEND_SECRET: 'secret',
    AWS_SECRET_ACCESS_KEY: 'from-the-process',
    HTTP_PROXY: 'http://user:pass@proxy:3128',
    HTTPS_PROXY: 'http://user:pass@proxy:3128',
    NO_PROXY: 'localhost',
    http_proxy: 'http://user:pass@proxy:3128',
    https_proxy: 'http://user:pass@proxy:3128',
    no_proxy: 'localhost',
  };

  it("passes only the allow-listed variables, the automation settings, the run's HOME and data directory, and extra", () => {
    const env = cliEnvironment(backend, {
      ...run,
      extra: { AWS_REGION: 'eu-west-1' },
    });

    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: run.home,
      TF_DATA_DIR: run.dataDir,
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: 'eu-west-1',
    });
  });

  it("HOME is the given home, never the backend's, even when the backend has none", () => {
    expect(cliEnvironment(backend, run).HOME).toBe(run.home);
    expect(cliEnvironment({ PATH: '/usr/bin' }, run).HOME).toBe(run.home);
  });

  it('passes no proxy variable of the backend by default (a proxy URL can carry credentials)', () => {
    const env = cliEnvironment(backend, run);
    for (const name of [
      'HTTP_PROXY',
      'HTTPS_PROXY',
      'NO_PROXY',
      'http_proxy',
      'https_proxy',
      'no_proxy',
    ]) {
      expect(env).not.toHaveProperty(name);
    }
    expect(
      cliEnvironment(backend, { ...run, passProxyVariables: false }),
    ).not.toHaveProperty('HTTP_PROXY');
  });

  it('passes the proxy variables with passProxyVariables, and still not HOME', () => {
    const env = cliEnvironment(backend, { ...run, passProxyVariables: true });
    expect(env).toMatchObject({
      HTTP_PROXY: 'http://user:pass@proxy:3128',
      HTTPS_PROXY: 'http://user:pass@proxy:3128',
      NO_PROXY: 'localhost',
      http_proxy: 'http://user:pass@proxy:3128',
      https_proxy: 'http://user:pass@proxy:3128',
      no_proxy: 'localhost',
      HOME: run.home,
    });
    expect(env).not.toHaveProperty('GITHUB_TOKEN');
  });

  it('keeps a CLI configuration file that exists and drops one that does not', () => {
    expect(
      cliEnvironment({ TF_CLI_CONFIG_FILE: dir.resolve('tofurc') }, run)
        .TF_CLI_CONFIG_FILE,
    ).toBe(dir.resolve('tofurc'));
    expect(
      cliEnvironment({ TF_CLI_CONFIG_FILE: dir.resolve('missing') }, run)
        .TF_CLI_CONFIG_FILE,
    ).toBeUndefined();
  });
});

describe('TerraformCli process handling', () => {
  // Node itself stands in for the CLI here: only the signals and streams matter.
  const cli = (graceMs: number) =>
    new TerraformCli(process.execPath, {
      environment: async () =>
        cliEnvironment(process.env, {
          home: os.tmpdir(),
          dataDir: os.tmpdir(),
        }),
      cancelGracePeriodMs: graceMs,
    });

  it('interrupts with SIGINT and reports a clean stop', async () => {
    const controller = new AbortController();
    const lines: string[] = [];
    const running = cli(5_000).run({
      args: [
        '-e',
        "process.on('SIGINT', () => { console.log('interrupted'); process.exit(130); }); console.log('ready'); setInterval(() => {}, 1000);",
      ],
      cwd: process.cwd(),
      signal: controller.signal,
      onStdoutLine: line => {
        lines.push(line);
        if (line === 'ready') {
          controller.abort();
        }
      },
    });

    await expect(running).resolves.toEqual({
      exitCode: 130,
      interrupted: true,
      killed: false,
    });
    expect(lines).toEqual(['ready', 'interrupted']);
  });

  it('kills a CLI that ignores SIGINT after the grace period', async () => {
    const controller = new AbortController();
    const running = cli(300).run({
      args: [
        '-e',
        "process.on('SIGINT', () => {}); console.log('ready'); setInterval(() => {}, 1000);",
      ],
      cwd: process.cwd(),
      signal: controller.signal,
      onStdoutLine: line => line === 'ready' && controller.abort(),
    });

    await expect(running).resolves.toEqual({
      exitCode: null,
      interrupted: true,
      killed: true,
    });
  });

  it('does not start when already cancelled, and says when the binary is missing', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      cli(300).run({
        args: ['-e', ''],
        cwd: process.cwd(),
        signal: controller.signal,
      }),
    ).resolves.toEqual({ exitCode: null, interrupted: true, killed: false });

    await expect(
      new TerraformCli('/nonexistent/tofu', {
        environment: async () => ({}),
        cancelGracePeriodMs: 300,
      }).run({ args: ['version'], cwd: process.cwd() }),
    ).rejects.toThrow('could not run the Terraform CLI "/nonexistent/tofu"');
  });

  it('survives a line handler that throws', async () => {
    const seen: string[] = [];
    const result = await cli(300).run({
      args: ['-e', "console.log('one'); console.log('two');"],
      cwd: process.cwd(),
      onStdoutLine: line => {
        seen.push(line);
        throw new Error('handler bug');
      },
    });
    expect(result.exitCode).toBe(0);
    expect(seen).toEqual(['one', 'two']);
  });
});

/*
 * bench/apply-overhead: wall time of bluegreen:apply against the raw CLI on the same
 * fixture stack (init + apply -json of the eks-blue fixture, a fresh copy each run).
 * Goal: median(action) / median(raw) <= 1.05.
 *
 * Run: bash bench/apply-overhead/run.sh [runs]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { createApplyAction } from '../../plugins/bluegreen-backend/src/actions/apply';
import { cliEnvironment } from '../../plugins/bluegreen-backend/src/terraform/TerraformCli';
import { median } from '../lib/stats';

const FIXTURE = path.resolve(
  __dirname,
  '../../plugins/bluegreen-backend/src/__fixtures__/generation',
);
const STACK = 'eks-blue';

const binary = process.env.BLUEGREEN_TOFU;
if (!binary || !fs.existsSync(binary)) {
  throw new Error(
    'set BLUEGREEN_TOFU to an OpenTofu binary (bash scripts/ensure-tofu.sh prints one)',
  );
}
const runs = Number(process.argv[2] ?? 9);

function freshWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bluegreen-bench-'));
  fs.cpSync(FIXTURE, dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

function rawCli(workspace: string) {
  const cwd = path.join(workspace, STACK);
  const env = cliEnvironment(process.env);
  for (const args of [
    ['init', '-input=false', '-no-color'],
    ['apply', '-auto-approve', '-input=false', '-json'],
  ]) {
    const result = spawnSync(binary!, args, { cwd, env, encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(`${args[0]} failed: ${result.stderr}`);
    }
  }
}

const action = createApplyAction({
  config: new ConfigReader({ bluegreen: { terraform: { binary } } }),
});
const quietLogger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return quietLogger;
  },
};

async function viaAction(workspace: string) {
  await action.handler({
    input: { stacks: [STACK] },
    workspacePath: workspace,
    logger: quietLogger,
    output() {},
    checkpoint: async ({ fn }: { fn: () => unknown }) => fn(),
    createTemporaryDirectory: async () => fs.mkdtempSync(os.tmpdir()),
    getInitiatorCredentials: async () => ({}),
    task: { id: 'bench' },
  } as any);
}

async function time(fn: (workspace: string) => unknown): Promise<number> {
  const workspace = freshWorkspace();
  try {
    const start = process.hrtime.bigint();
    await fn(workspace);
    return Number(process.hrtime.bigint() - start) / 1e6;
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

async function main() {
  // One warm-up of each so that neither side pays for cold caches.
  await time(rawCli);
  await time(viaAction);
  const raw: number[] = [];
  const act: number[] = [];
  // Interleaved so that drift in machine load hits both sides alike.
  for (let i = 0; i < runs; i++) {
    raw.push(await time(rawCli));
    act.push(await time(viaAction));
  }
  const fmt = (values: number[]) => values.map(v => v.toFixed(0)).join(' ');
  console.log(
    `runs: ${runs} each, interleaved, fixture ${STACK} (7 resources)`,
  );
  console.log(`raw CLI ms:    ${fmt(raw)}  median ${median(raw).toFixed(0)}`);
  console.log(`action ms:     ${fmt(act)}  median ${median(act).toFixed(0)}`);
  console.log(
    `median ratio action/raw: ${(median(act) / median(raw)).toFixed(
      3,
    )} (goal <= 1.05)`,
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});

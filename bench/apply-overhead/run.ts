/*
 * bench/apply-overhead: wall time of bluegreen:apply against the raw CLI on the same
 * fixture stack (init + apply -json of the eks-blue fixture, a fresh copy each run).
 * The action's time includes its gate: authorising the initiator, resolving the
 * generation and comparing the workspace with its repository (the fixture, served from
 * disk). Goal: median(action) / median(raw) <= 1.05.
 *
 * Run: bash bench/apply-overhead/run.sh [runs]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AuditorService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createApplyAction } from '../../plugins/bluegreen-backend/src/actions/apply';
import { fixtureUrlReader } from '../../plugins/bluegreen-backend/src/__testUtils__/fixtureRepository';
import { ActionGuard } from '../../plugins/bluegreen-backend/src/security/ActionGuard';
import { GenerationGuard } from '../../plugins/bluegreen-backend/src/security/GenerationGuard';
import { GenerationRepositories } from '../../plugins/bluegreen-backend/src/security/GenerationRepositories';
import { Generations } from '../../plugins/bluegreen-backend/src/security/Generations';
import { WorkspaceVerifier } from '../../plugins/bluegreen-backend/src/security/WorkspaceVerifier';
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
const USAGE =
  'usage: bash bench/apply-overhead/run.sh [runs]  (runs: a positive integer, default 9)';
if (process.argv[2] === '--help' || process.argv[2] === '-h') {
  console.log(USAGE);
  process.exit(0);
}
const runs = Number(process.argv[2] ?? 9);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(USAGE);
  process.exit(2);
}

function freshWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bluegreen-bench-'));
  fs.cpSync(FIXTURE, dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

function rawCli(workspace: string) {
  const cwd = path.join(workspace, STACK);
  // The same clean environment as the action's: a fresh HOME and data directory.
  const home = path.join(workspace, '.bench', 'home');
  fs.mkdirSync(home, { recursive: true });
  const env = cliEnvironment(process.env, {
    home,
    dataDir: path.join(workspace, '.bench', 'data'),
  });
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

// The generation the action is asked for, and the repository the configuration allows.
const GENERATION = 'system:default/eks-blueprint';
const REPOSITORY_URL = 'https://github.com/example/eks-blueprint-generation';
const generationEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: {
    name: 'eks-blueprint',
    namespace: 'default',
    annotations: {
      'bluegreen/generation-repo':
        'github.com?owner=example&repo=eks-blueprint-generation',
    },
  },
  spec: { owner: 'group:default/team-burnham' },
};
const config = new ConfigReader({
  bluegreen: {
    terraform: { binary },
    generations: { repositories: [{ host: 'github.com', owner: 'example' }] },
  },
});
// A permission service that allows, an auditor that drops the events, a catalog of one
// entity: what the real ones cost is not the action's overhead.
const permissions = {
  async authorize(queries: unknown[]) {
    return queries.map(() => ({ result: AuthorizeResult.ALLOW }));
  },
} as unknown as PermissionsService;
const auditor = {
  async createEvent() {
    return { async success() {}, async fail() {} };
  },
} as unknown as AuditorService;
const catalog = {
  async getEntityByRef() {
    return generationEntity;
  },
} as unknown as CatalogService;

const action = createApplyAction({
  config,
  generationGuard: new GenerationGuard({
    guard: new ActionGuard({ permissions, auditor }),
    generations: new Generations({
      catalog,
      repositories: GenerationRepositories.fromConfig(config),
    }),
    verifier: new WorkspaceVerifier(fixtureUrlReader(REPOSITORY_URL)),
    userInfo: {
      async getUserInfo() {
        throw new Error('the benchmark applies no new generation');
      },
    },
  }),
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
    input: { generation: GENERATION, stacks: [STACK] },
    workspacePath: workspace,
    logger: quietLogger,
    output() {},
    checkpoint: async ({ fn }: { fn: () => unknown }) => fn(),
    createTemporaryDirectory: async () => fs.mkdtempSync(os.tmpdir()),
    getInitiatorCredentials: async () => ({
      $$type: '@backstage/BackstageCredentials',
      principal: { type: 'user', userEntityRef: 'user:default/bench' },
    }),
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

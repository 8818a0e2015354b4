/*
 * The fresh-app test: a user's first install. It packs the three packages as a publisher
 * would, makes a new app with @backstage/create-app (pinned; it needs the npm registry),
 * follows the README's install steps (the tarballs, the one backend line, no frontend
 * code), and then checks the app on two Backstage lines: the 1.55 create-app makes today
 * and 1.57 (this repository's line) after `yarn up '@backstage/*'`. On each: the app's own `yarn tsc`, its backend
 * (the bluegreen actions in the scaffolder's list, /api/bluegreen/health), and its built
 * frontend in Chromium (card, tab and team card exactly where the README says).
 *
 * The AWS sandbox (examples/sandbox; a local stand-in, not AWS) runs in this process, and
 * the example's two clusters as real kube-apiservers (examples/kubernetes), which the
 * app's Kubernetes backend is configured with.
 * The app lives in a temporary directory, removed afterwards unless
 * BLUEGREEN_KEEP_FRESH_APP=1; Yarn's and npm's caches stay in .cache/fresh-app/, so a
 * second run downloads little. Logs and screenshots go to .cache/fresh-app/runs/<time>/.
 *
 * The steps depend on each other: a step after a failed one fails at once, naming it.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ExampleClusters,
  startExampleClusters,
} from '@bluegreen/example-kubernetes';
import { Sandbox, startSandbox } from '@bluegreen/example-sandbox';
import {
  awaitBackend,
  ExampleBackend,
  freePort,
} from '@bluegreen/example-backend/launch';
import { Browser } from 'playwright-core';
import { launchChromium, requireChromium } from '../__testUtils__/browser';
import {
  FRESH_APP_CACHE,
  freshAppEnv,
  REPO_ROOT,
  run,
  startRemembered,
  stopAll,
} from './__testUtils__/commands';
import {
  CREATE_APP,
  createApp,
  installedVersion,
} from './__testUtils__/createApp';
import { checkBluegreenPages } from './__testUtils__/checkPages';
import {
  BACKEND_LINE,
  installBluegreen,
  writeLocalConfig,
} from './__testUtils__/installBluegreen';
import { packPackages, Tarballs } from './__testUtils__/packPackages';
import { stepsInOrder } from './__testUtils__/steps';

const MINUTE = 60_000;
const RUNS = path.join(FRESH_APP_CACHE, 'runs');
const RUN_DIR = path.join(RUNS, new Date().toISOString().replace(/[:.]/g, '-'));
const LOG = path.join(RUN_DIR, 'commands.log');
/** Older runs' logs and screenshots beyond these many are removed. */
const RUNS_KEPT = 5;

/** The packages whose versions say which Backstage line the app is on. */
const LINE_MARKERS = [
  '@backstage/backend-defaults',
  '@backstage/backend-plugin-api',
  '@backstage/frontend-plugin-api',
  '@backstage/plugin-catalog-react',
  '@backstage/plugin-scaffolder-node',
];
const minor = (version: string) => version.split('.').slice(0, 2).join('.');
/** This repository's own versions of the markers: the 1.57 line it builds against. */
const repositoryLine = () =>
  Object.fromEntries(
    LINE_MARKERS.map(name => [name, minor(installedVersion(REPO_ROOT, name))]),
  );

/** What a line needs before its checks: for 1.55 the fix of create-app's own bug. */
const LINES = [
  {
    name: '1.55',
    /**
     * The stock 1.55 app's backend does not start: its plugin-signals-backend range
     * resolves to 0.3.21, which calls httpRouter.addWebSocketHandler, new in
     * backend-defaults 0.19 (1.57), while the app pins backend-defaults ^0.18. Pinning
     * signals to 1.55's own release is the smallest fix a user would make.
     */
    align: (appDir: string) =>
      run(
        'pinning @backstage/plugin-signals-backend to 0.3.19 (1.55)',
        'yarn',
        [
          'workspace',
          'backend',
          'add',
          '@backstage/plugin-signals-backend@0.3.19',
        ],
        { cwd: appDir, logFile: LOG, timeoutMs: 8 * MINUTE },
      ),
    expected: () => ({ '@backstage/backend-defaults': '0.18' }),
  },
  {
    name: '1.57',
    /**
     * What a user does to move to the newest release when versions:bump cannot reach
     * versions.backstage.io. The newest must be this repository's line: once a newer
     * Backstage is out, this fails, saying which versions the app got.
     */
    align: (appDir: string) =>
      run(
        "moving the app to the newest Backstage with yarn up '@backstage/*'",
        'yarn',
        ['up', '@backstage/*'],
        { cwd: appDir, logFile: LOG, timeoutMs: 15 * MINUTE },
      ),
    expected: repositoryLine,
  },
];

describe(`a new app from ${CREATE_APP} takes the packed packages with one backend line and no frontend code`, () => {
  let work: string;
  let tarballs: Tarballs;
  let appDir: string;
  let sandbox: Sandbox | undefined;
  let clusters: ExampleClusters | undefined;
  let backend: ExampleBackend | undefined;
  let browser: Browser | undefined;
  const steps = stepsInOrder();

  beforeAll(async () => {
    requireChromium();
    fs.mkdirSync(RUN_DIR, { recursive: true });
    for (const old of fs.readdirSync(RUNS).sort().slice(0, -RUNS_KEPT)) {
      fs.rmSync(path.join(RUNS, old), { recursive: true, force: true });
    }
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bluegreen-fresh-app-'));
    // Inside this repository, the app's Yarn would find the repository's project.
    if (!path.relative(REPO_ROOT, work).startsWith('..')) {
      throw new Error(
        `the fresh app must be created outside ${REPO_ROOT}; TMPDIR puts it at ${work}`,
      );
    }
    sandbox = await startSandbox();
    clusters = await startExampleClusters();
  }, 5 * MINUTE);

  afterAll(async () => {
    // Whatever a step that timed out left running, first.
    await stopAll();
    await browser?.close();
    await clusters?.stop();
    await sandbox?.close();
    if (work && process.env.BLUEGREEN_KEEP_FRESH_APP !== '1') {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 2 * MINUTE);

  it(
    'packs the three packages; each tarball holds every file its package.json names, and no sources',
    async () => {
      tarballs = await packPackages(work, LOG);
      // An unbuilt package packed to a 665-byte tarball.
      for (const tarball of Object.values(tarballs)) {
        expect(fs.statSync(tarball).size).toBeGreaterThan(20_000);
      }
      steps.passed();
    },
    8 * MINUTE,
  );

  it(
    `${CREATE_APP} makes a Backstage 1.55.0 app on the new frontend system`,
    async () => {
      const app = await createApp(work, LOG);
      appDir = app.dir;
      expect(app.release).toBe('1.55.0');
      steps.passed();
    },
    25 * MINUTE,
  );

  it(
    "the README's install steps: the tarballs in vendor/, the common package through resolutions, the one backend line",
    async () => {
      await installBluegreen(appDir, tarballs, LOG);
      expect(
        fs.readFileSync(
          path.join(appDir, 'packages/backend/src/index.ts'),
          'utf8',
        ),
      ).toContain(BACKEND_LINE);
      steps.passed();
    },
    20 * MINUTE,
  );

  describe.each(LINES)('on Backstage $name', line => {
    it(
      "the app's dependencies are aligned to the line",
      async () => {
        await line.align(appDir);
        const versions = Object.fromEntries(
          LINE_MARKERS.map(name => [name, installedVersion(appDir, name)]),
        );
        fs.appendFileSync(
          LOG,
          `\n==> ${line.name}: ${JSON.stringify(versions)}\n`,
        );
        const expected = line.expected();
        expect(
          Object.fromEntries(
            Object.keys(expected).map(name => [name, minor(versions[name])]),
          ),
        ).toEqual(expected);
        steps.passed();
      },
      20 * MINUTE,
    );

    it(
      "the app's yarn tsc passes, with a file that uses both entry points of the frontend package",
      async () => {
        await run(`${line.name}: yarn tsc`, 'yarn', ['tsc'], {
          cwd: appDir,
          logFile: LOG,
          timeoutMs: 8 * MINUTE,
        });
        expect(
          fs.existsSync(
            path.join(appDir, 'packages/app/src/bluegreenTypesCheck.ts'),
          ),
        ).toBe(true);
        steps.passed();
      },
      10 * MINUTE,
    );

    it(
      'the built frontend is served by the backend, which lists the bluegreen actions and answers /api/bluegreen/health',
      async () => {
        await run(
          `${line.name}: yarn workspace app build`,
          'yarn',
          ['workspace', 'app', 'build'],
          { cwd: appDir, logFile: LOG, timeoutMs: 8 * MINUTE },
        );
        const port = await freePort();
        writeLocalConfig(appDir, {
          port,
          sandboxUrl: sandbox!.url,
          kubernetes: clusters!.kubernetesConfig(),
        });
        backend = await awaitBackend(
          startRemembered('yarn', ['workspace', 'backend', 'start'], {
            cwd: appDir,
            env: freshAppEnv(),
          }),
          `http://localhost:${port}`,
          5 * MINUTE,
        );
        const token = await backend.guestToken();
        const get = async (route: string) => {
          const res = await fetch(`${backend!.baseUrl}${route}`, {
            headers: { Authorization: `Bearer ${token}` },
          });
          if (res.status !== 200) {
            throw new Error(
              `GET ${route} answered ${res.status}: ${await res.text()}`,
            );
          }
          return res.json();
        };
        const actions = (await get('/api/scaffolder/v2/actions')) as Array<{
          id: string;
        }>;
        const ids = actions
          .map(action => action.id)
          .filter(id => id.startsWith('bluegreen:'))
          .sort();
        fs.appendFileSync(
          LOG,
          `\n==> ${line.name}: actions ${ids.join(' ')}\n`,
        );
        expect(ids).toEqual([
          'bluegreen:apply',
          'bluegreen:cutover',
          'bluegreen:destroy-ordered',
          'bluegreen:link-tfvars',
          'bluegreen:set-cluster-version',
          'bluegreen:set-weight',
          'bluegreen:update-catalog-info',
          'bluegreen:validate-generation',
          'bluegreen:wait-cluster-ready',
        ]);
        expect(await get('/api/bluegreen/health')).toEqual({ status: 'ok' });
        // Ready is not ingested: the in-memory catalog reads the locations anew on each
        // start, and the browser step opens these pages.
        const started = backend;
        for (const ref of [
          'component/default/burnham',
          'system/default/eks-blueprint',
          'system/default/examples',
          'group/default/team-burnham',
          'group/default/guests',
        ]) {
          await started.waitFor(
            `the catalog to have ${ref}`,
            async () => {
              const res = await fetch(
                `${started.baseUrl}/api/catalog/entities/by-name/${ref}`,
                { headers: { Authorization: `Bearer ${token}` } },
              );
              return res.ok ? true : undefined;
            },
            3 * MINUTE,
          );
        }
        steps.passed();
      },
      15 * MINUTE,
    );

    it(
      "Chromium sees the card on burnham, the tab only on the generation's System, the team card only on the team owning burnham",
      async () => {
        browser ??= await launchChromium();
        try {
          const seen = await checkBluegreenPages(
            browser,
            backend!.baseUrl,
            RUN_DIR,
            line.name,
          );
          expect(seen.bluePanel).toMatch(/100\s*% of traffic/);
        } finally {
          fs.appendFileSync(
            LOG,
            `\n==> ${line.name}: the app's backend's output\n${backend!.log()}`,
          );
          await backend!.stop();
          backend = undefined;
        }
        steps.passed();
      },
      15 * MINUTE,
    );
  });
});

/*
 * A real browser test of the cutover: Debian's Chromium, driven by playwright-core, signs in
 * to the example app as the guest, opens component:default/burnham, checks the blue/green
 * card (weights, shares, workloads), sees the dialog's pre-flight hold the cutover while
 * green's burnham-worker is not ready, makes it ready, cuts the traffic over to green
 * through the dialog and checks that the card and the AWS sandbox show the new weights.
 *
 * Everything runs on free ports: the AWS sandbox in this process (examples/sandbox; a local
 * stand-in, not AWS), the example's two clusters as real kube-apiservers
 * (examples/kubernetes), the example backend and the example frontend as `yarn start` runs them (`backstage-cli package start`
 * with examples/app-config.yaml), each in its own process group.
 *
 * Screenshots of the card before and after go to .cache/e2e-screenshots/<timestamp>/ at the
 * repository root, each beside what the real kubectl prints for burnham's deployments in
 * both clusters (kubectl-*.txt), which the test checks against the card; on failure that folder also gets a full-page screenshot, the browser's
 * console errors and failed requests, and the last lines of both processes' logs.
 */

import fs from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import {
  BACKSTAGE_SERVICE_ACCOUNT,
  ExampleClusters,
  startExampleClusters,
} from '@bluegreen/example-kubernetes';
import {
  changeSplits,
  stagedChecksEnv,
  Sandbox,
  startSandbox,
} from '@bluegreen/example-sandbox';
import {
  ExampleApp,
  ExampleBackend,
  freePort,
  kubernetesClustersEnv,
  startExampleApp,
  startExampleBackend,
} from '@bluegreen/example-backend/launch';
import { Browser, Locator, Page } from 'playwright-core';
import {
  launchChromium,
  requireChromium,
  UI_TIMEOUT_MS,
  waitForText,
} from './__testUtils__/browser';

const BACKEND_STARTUP_TIMEOUT_MS = 240_000;
// The first rspack bundle of the app takes 1-2 minutes on a 2-core machine.
const FRONTEND_STARTUP_TIMEOUT_MS = 300_000;
const CUTOVER_TIMEOUT_MS = 60_000;
// The card re-reads the status with ?refresh=true when the task completes, and every 15 s.
const NEW_WEIGHTS_TIMEOUT_MS = 45_000;

jest.setTimeout(15 * 60_000);

const REPO_ROOT = path.resolve(__dirname, '../../..');
const SCREENSHOT_DIR = path.join(
  REPO_ROOT,
  '.cache',
  'e2e-screenshots',
  new Date().toISOString().replace(/[:.]/g, '-'),
);

const HOSTNAME = 'burnham.eks-blueprint.example.com';

function log(message: string) {
  // eslint-disable-next-line no-console
  console.log(`[e2e] ${message}`);
}

const isReactWarning = (line: string) =>
  line.startsWith('console error: Warning:');

describe('the blue/green card in a real browser', () => {
  let sandbox: Sandbox | undefined;
  let kubernetes: ExampleClusters | undefined;
  let backend: ExampleBackend | undefined;
  let app: ExampleApp | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  /** Console errors, page errors, failed requests and HTTP errors seen by the browser. */
  const browserProblems: string[] = [];
  const timings: Array<[string, number]> = [];

  async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
    const started = Date.now();
    log(`${name}…`);
    const result = await run();
    const ms = Date.now() - started;
    timings.push([name, ms]);
    log(`${name}: done in ${(ms / 1000).toFixed(1)} s`);
    return result;
  }

  /** Saves what helps to understand a failure and returns the error with their path. */
  async function reportFailure(error: unknown): Promise<Error> {
    const saved: string[] = [];
    const save = (file: string, text: string) => {
      try {
        fs.writeFileSync(path.join(SCREENSHOT_DIR, file), text);
        saved.push(file);
      } catch {
        // Best effort: the original error matters more.
      }
    };
    if (page) {
      try {
        await page.screenshot({
          path: path.join(SCREENSHOT_DIR, 'failure-page.png'),
          fullPage: true,
          timeout: 15_000,
        });
        saved.push('failure-page.png');
      } catch {
        // The page may be gone.
      }
      save('failure-page-url.txt', `${page.url()}\n`);
      try {
        save('failure-page.html', await page.content());
      } catch {
        // The page may be gone.
      }
    }
    const tail = (text: string) =>
      stripVTControlCharacters(text).split('\n').slice(-60).join('\n');
    if (backend) {
      save(
        'backend.log',
        `${tail(
          backend.log(),
        )}\n(restarts since ready: ${backend.restarts()})\n`,
      );
    }
    if (app) {
      save('frontend.log', tail(app.log()));
    }
    save('browser.log', `${browserProblems.join('\n')}\n`);

    const original = error instanceof Error ? error : new Error(String(error));
    const problems = browserProblems.length
      ? `\nBrowser console errors and failed requests (${
          browserProblems.length
        }; all in browser.log), the first 10 (first line each):\n${[
          // React's development warnings last: they are rarely the cause.
          ...browserProblems.filter(line => !isReactWarning(line)),
          ...browserProblems.filter(isReactWarning),
        ]
          .slice(0, 10)
          .map(line => `  ${line.split('\n')[0]}`)
          .join('\n')}`
      : '';
    // A new error: jest prints the stack, which an error carries from its creation.
    const err = new Error(
      `${
        original.message
      }\nFailure artefacts in ${SCREENSHOT_DIR}: ${saved.join(
        ', ',
      )}${problems}`,
    );
    err.stack = `${err.message}\n${(original.stack ?? '')
      .split('\n')
      .filter(line => /^\s+at /.test(line))
      .join('\n')}`;
    return err;
  }

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await Promise.allSettled([app?.stop(), backend?.stop()]);
    await Promise.allSettled([kubernetes?.stop(), sandbox?.close()]);
    if (timings.length) {
      log(
        `timings: ${timings
          .map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`)
          .join(' · ')}`,
      );
    }
  });

  /**
   * From 0/100, the dialog's staged preset toward blue (10/90, 50/50, 100/0). The card's
   * timeline must show each step's weights within 2 s of its change batch reaching the
   * sandbox (the run's events, not the 15 s poll). At 50/50 blue's load balancer starts
   * failing every request: the run rolls back in stages (50/50 → 10/90 → 0/100) and the
   * history says why.
   */
  async function stagedCutoverRolledBack(
    p: Page,
    card: Locator,
    dialog: Locator,
  ) {
    const changesBefore = sandbox!.changeLog().length;
    await p
      .getByTestId('bluegreen-cutover-button')
      .click({ timeout: UI_TIMEOUT_MS });
    await dialog.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await dialog
      .getByRole('radio', { name: 'Shift back to blue (blue 100, green 0)' })
      .check({ timeout: UI_TIMEOUT_MS });
    expect(await dialog.getByTestId('bluegreen-staged').isChecked()).toBe(true);
    await waitForText(
      dialog.getByTestId('bluegreen-staged-plan'),
      /^Plan \(blue\/green\): 0\/100 → 10\/90 → 50\/50 → 100\/0/,
      'the staged plan',
    );
    await dialog
      .getByTestId('bluegreen-cutover-confirm')
      .check({ timeout: UI_TIMEOUT_MS });
    await dialog.screenshot({
      path: path.join(SCREENSHOT_DIR, 'burnham-staged-dialog.png'),
      animations: 'disabled',
    });
    await dialog
      .getByTestId('bluegreen-cutover-submit')
      .click({ timeout: UI_TIMEOUT_MS });
    await dialog.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });

    // When each split first shows, recorded in the page as it renders (the loop below,
    // which also takes screenshots, would notice late).
    await p.evaluate(() => {
      const shown: Array<{ split: string; at: number }> = [];
      (window as any).bluegreenSplitsShown = shown;
      const record = () => {
        const split = document
          .querySelector(
            '[data-testid="bluegreen-cutover-run"] [data-testid="bluegreen-run-weights"]',
          )
          ?.textContent?.trim();
        if (split && split !== shown[shown.length - 1]?.split) {
          shown.push({ split, at: Date.now() });
        }
      };
      new MutationObserver(record).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
      });
      record();
    });
    // Watch the timeline's weights every 100 ms, to inject the fault at 50/50.
    const timeline = card.getByTestId('bluegreen-cutover-run');
    const seen: Array<{ split: string; at: number }> = [];
    let faulted = false;
    let screenshotTaken = false;
    let greenChecksSeen = '';
    const deadline = Date.now() + 120_000;
    for (;;) {
      const history = await card
        .getByTestId('bluegreen-run-history-entry')
        .first()
        .innerText({ timeout: 1_000 })
        .catch(() => '');
      if (/rolled-back/.test(history)) break;
      const weights = await timeline
        .getByTestId('bluegreen-run-weights')
        .innerText({ timeout: 1_000 })
        .catch(() => undefined);
      if (weights && weights !== seen[seen.length - 1]?.split) {
        seen.push({ split: weights, at: Date.now() });
      }
      // A 10/90 hold (forward, or rolling back) once a verification with every check's
      // numbers for green is on the card (direct probe, share, DNS, CloudWatch).
      const greenChecks =
        weights === '10/90' && !screenshotTaken
          ? await timeline
              .getByTestId('bluegreen-run-probe-green')
              .innerText({ timeout: 1_000 })
              .catch(() => '')
          : '';
      // CloudWatch comes last: it needs a whole metrics period (1 s) of the hold.
      if (/CloudWatch/.test(greenChecks) && !screenshotTaken) {
        screenshotTaken = true;
        greenChecksSeen = greenChecks;
        await card.screenshot({
          path: path.join(SCREENSHOT_DIR, 'burnham-staged-during.png'),
          animations: 'disabled',
        });
      }
      if (weights === '50/50' && !faulted) {
        faulted = true;
        sandbox!.loadBalancers!.setFaults('eks-blueprint-blue', {
          errorRate: 1,
        });
      }
      if (Date.now() > deadline) {
        throw new Error(
          `the staged run did not roll back; the timeline showed ${JSON.stringify(
            seen.map(x => x.split),
          )}`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    sandbox!.loadBalancers!.setFaults('eks-blueprint-blue', {});
    expect(greenChecksSeen).toMatch(
      /^green: 100 % of 10 ok · p95 \d+ ms · share \d+(\.\d)? % \(90 % expected\) · DNS \d+(\.\d)? % · CloudWatch 0 % 5xx of \d+/,
    );

    // Route 53 went 10/90, 50/50, then back 10/90 and 0/100: one batch each, never 0/0.
    const changes = sandbox!.changeLog().slice(changesBefore);
    const batches = changeSplits(changes, {
      blue: 'eks-blueprint-blue',
      green: 'eks-blueprint-green',
    }).map((split, i) => ({ split, at: Date.parse(changes[i].submittedAt) }));
    expect(batches.map(b => b.split)).toEqual([
      '10/90',
      '50/50',
      '10/90',
      '0/100',
    ]);
    // Each split the card showed, against the batch that made it.
    expect(seen.map(s => s.split)).toEqual(
      expect.arrayContaining(['10/90', '50/50']),
    );
    const shown: Array<{ split: string; at: number }> = await p.evaluate(
      () => (window as any).bluegreenSplitsShown,
    );
    const delays = batches.slice(0, 2).map(batch => {
      const shownAt = shown.find(
        s => s.split === batch.split && s.at >= batch.at,
      )?.at;
      return shownAt === undefined ? Infinity : shownAt - batch.at;
    });
    log(
      `the timeline showed 10/90 and 50/50 ${delays.join(
        ' ms and ',
      )} ms after their change batches`,
    );
    for (const delay of delays) expect(delay).toBeLessThanOrEqual(2000);

    const entry = await waitForText(
      card.getByTestId('bluegreen-run-history-entry').first(),
      /rolled-back: step 2 \(50\/50\) failed verification: blue: 0 % of 10 probes succeeded/,
      'the history entry of the rolled-back run',
    );
    expect(entry).toContain('user:default/platform-engineer');
    await waitForText(
      card.getByTestId('bluegreen-weight-value-green'),
      '100',
      "green's weight after the rollback",
      NEW_WEIGHTS_TIMEOUT_MS,
    );
    await card.screenshot({
      path: path.join(SCREENSHOT_DIR, 'burnham-staged-after.png'),
      animations: 'disabled',
    });
  }

  it('cuts burnham over from blue to green through the dialog', async () => {
    requireChromium();

    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    log(`screenshots go to ${SCREENSHOT_DIR}`);

    try {
      await step(
        'starting the AWS sandbox and the two kube-apiservers',
        async () => {
          sandbox = await startSandbox({
            insyncDelayMs: 500,
            // The clusters' load balancers, which staged cutovers probe (stand-ins).
            loadBalancers: {
              clusters: ['eks-blueprint-blue', 'eks-blueprint-green'],
            },
            // The DNS stand-in, which the DNS and share checks ask.
            dns: {},
          });
          kubernetes = await startExampleClusters();
        },
      );

      const appUrl = `http://localhost:${await freePort()}`;
      const backendPort = await freePort();
      const backendUrl = `http://localhost:${backendPort}`;
      // The same overrides for both processes, so that they agree on the URLs.
      const env: Record<string, string> = {
        APP_CONFIG_app_baseUrl: appUrl,
        APP_CONFIG_backend_baseUrl: backendUrl,
        APP_CONFIG_backend_listen_port: String(backendPort),
        APP_CONFIG_backend_cors_origin: appUrl,
        APP_CONFIG_bluegreen_aws_endpoint: sandbox!.url,
        APP_CONFIG_bluegreen_traffic_cacheSeconds: '1',
        // Staged cutovers: the DNS floor scaled down to 2 s TTL + 0.5 s INSYNC (the
        // sandbox's), probes every 0.5 s; every check against the sandbox's stand-ins.
        APP_CONFIG_bluegreen_cutover_staged_ttlSeconds: '2',
        APP_CONFIG_bluegreen_cutover_staged_insyncSeconds: '0.5',
        APP_CONFIG_bluegreen_cutover_staged_probeIntervalSeconds: '0.5',
        APP_CONFIG_bluegreen_cutover_staged_probe_requests: '10',
        ...stagedChecksEnv(sandbox!),
        ...kubernetesClustersEnv(kubernetes!.clusterLocatorMethods()),
      };

      await step(
        `starting the example backend (${backendUrl}) and frontend (${appUrl})`,
        async () => {
          // In parallel: the first frontend bundle takes longest. Both must be up, and
          // both are stopped in afterAll whichever fails.
          const [backendResult, appResult] = await Promise.allSettled([
            startExampleBackend({
              port: backendPort,
              env,
              startupTimeoutMs: BACKEND_STARTUP_TIMEOUT_MS,
            }),
            startExampleApp({
              baseUrl: appUrl,
              env,
              startupTimeoutMs: FRONTEND_STARTUP_TIMEOUT_MS,
            }),
          ]);
          if (backendResult.status === 'fulfilled') {
            backend = backendResult.value;
          }
          if (appResult.status === 'fulfilled') {
            app = appResult.value;
          }
          for (const result of [backendResult, appResult]) {
            if (result.status === 'rejected') {
              throw result.reason;
            }
          }
        },
      );

      await step('waiting for burnham in the catalog', async () => {
        const token = await backend!.guestToken();
        await backend!.waitFor(
          'component:default/burnham in the catalog',
          async () => {
            const res = await fetch(
              `${backendUrl}/api/catalog/entities/by-name/component/default/burnham`,
              { headers: { Authorization: `Bearer ${token}` } },
            );
            return res.ok ? true : undefined;
          },
          90_000,
        );
      });
      expect(sandbox!.changeLog()).toHaveLength(0);

      await step('launching Chromium', async () => {
        browser = await launchChromium();
        const context = await browser.newContext({
          viewport: { width: 1400, height: 1000 },
        });
        page = await context.newPage();
        page.on('console', message => {
          if (message.type() === 'error') {
            browserProblems.push(`console error: ${message.text()}`);
          }
        });
        page.on('pageerror', error =>
          browserProblems.push(`page error: ${error.message}`),
        );
        page.on('requestfailed', request =>
          browserProblems.push(
            `request failed: ${request.method()} ${request.url()}: ${
              request.failure()?.errorText
            }`,
          ),
        );
        page.on('response', response => {
          if (response.status() >= 400) {
            browserProblems.push(
              `HTTP ${response.status()}: ${response
                .request()
                .method()} ${response.url()}`,
            );
          }
        });
      });
      const p = page!;

      await step('signing in as the guest on the burnham page', async () => {
        await p.goto(`${appUrl}/catalog/default/component/burnham`, {
          timeout: UI_TIMEOUT_MS,
        });
        await p
          .getByRole('button', { name: 'Enter' })
          .click({ timeout: UI_TIMEOUT_MS });
      });

      const blue = p.getByTestId('bluegreen-cluster-blue');
      const green = p.getByTestId('bluegreen-cluster-green');
      /**
       * The seed's own check, `kubectl get deployment -n team-burnham -l app=burnham`, as
       * Backstage's service account, against each cluster: every deployment's READY
       * column is what that cluster's panel shows. Its output goes beside the screenshot.
       */
      const kubectlAgreesWithCard = async (stage: string) => {
        const args = [
          'get',
          'deployment',
          '-n',
          'team-burnham',
          '-l',
          'app=burnham',
        ];
        const transcript: string[] = [];
        for (const [cluster, panel] of [
          ['eks-blueprint-blue', blue],
          ['eks-blueprint-green', green],
        ] as const) {
          const out = await kubernetes!.clusters[cluster].kubectl(args, {
            as: BACKSTAGE_SERVICE_ACCOUNT.identity,
          });
          transcript.push(
            `$ kubectl --context ${cluster} ${args.join(' ')}`,
            out,
          );
          const rows = out
            .trim()
            .split('\n')
            .slice(1)
            .map(line => line.split(/\s+/));
          expect(rows.map(([name]) => name)).toEqual([
            'burnham',
            'burnham-worker',
          ]);
          const shown = await panel.innerText();
          for (const [name, ready] of rows) {
            expect(`${cluster}: ${shown}`).toContain(`${name} ${ready} ready`);
          }
        }
        fs.writeFileSync(
          path.join(SCREENSHOT_DIR, `kubectl-${stage}.txt`),
          transcript.join('\n'),
        );
      };
      // The InfoCard that holds the panels: the nearest MUI Card around them. Its class is
      // MuiCard-root, with a counter suffix in the example app (MuiCard-root-888).
      const card = blue.locator(
        'xpath=ancestor::div[contains(@class, "MuiCard-root")][1]',
      );

      await step('waiting for the blue/green card', async () => {
        await blue.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
        await green.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
        await card
          .getByText(HOSTNAME)
          .first()
          .waitFor({ timeout: UI_TIMEOUT_MS });
      });

      await step('checking weights 100 / 0 and the workloads', async () => {
        await waitForText(
          blue.getByTestId('bluegreen-weight-value-blue'),
          '100',
          "blue's weight",
        );
        await waitForText(
          green.getByTestId('bluegreen-weight-value-green'),
          '0',
          "green's weight",
        );
        await waitForText(
          blue.getByTestId('bluegreen-share-blue'),
          '100%',
          "blue's share",
        );
        await waitForText(
          green.getByTestId('bluegreen-share-green'),
          '0%',
          "green's share",
        );
        // The workloads come from the real API servers (examples/kubernetes/fixtures).
        await waitForText(
          blue,
          /burnham 3\/3 ready/,
          'the blue panel (its workloads)',
        );
        // Green's not-ready deployment, with the waiting reason of its crash-looping pod
        // as the API server holds it.
        await waitForText(
          green,
          /burnham-worker 1\/2 ready\s+—\s+not ready:\s+burnham-worker-[a-z0-9]+-[a-z0-9]+\s+\(CrashLoopBackOff, 5 restarts\)/,
          'the green panel (its workloads)',
        );
      });

      await step(
        "the next step before the move: cut over to green, the new generation; blue's upgrade insights from the EKS stand-in",
        async () => {
          await waitForText(
            card.getByTestId('bluegreen-next-step'),
            /blue serves 100 % · green idle on 1\.34 .*newer than blue's 1\.33 — cut over to green/,
            'the next-step line (before)',
          );
          await waitForText(
            blue.getByTestId('bluegreen-insights'),
            /argocd-application-controller/,
            "blue's upgrade insights",
          );
        },
      );

      await step('kubectl reads what the card shows (before)', () =>
        kubectlAgreesWithCard('before'),
      );
      await card.screenshot({
        path: path.join(SCREENSHOT_DIR, 'burnham-card-before.png'),
        animations: 'disabled',
      });

      const dialog = p.getByTestId('bluegreen-cutover-dialog');
      await step(
        "the dialog's pre-flight holds the cutover while green's burnham-worker is 1/2 ready",
        async () => {
          await p
            .getByTestId('bluegreen-cutover-button')
            .click({ timeout: UI_TIMEOUT_MS });
          await dialog.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
          await waitForText(
            dialog.getByTestId('bluegreen-preflight'),
            /green workloads ready: eks-blueprint-green: burnham-worker 1\/2 not ready/,
            'the failed pre-flight check',
          );
          await dialog
            .getByTestId('bluegreen-cutover-confirm')
            .check({ timeout: UI_TIMEOUT_MS });
          // Staged (the default here): never forced past a failing check.
          await waitForText(
            dialog.getByText(
              'A staged cutover starts only when every pre-flight check passes',
            ),
            'A staged cutover starts only when every pre-flight check passes',
            'the staged refusal',
          );
          expect(
            await dialog.getByTestId('bluegreen-cutover-submit').isDisabled(),
          ).toBe(true);
          // In one step, the example user may not force (only
          // group:default/platform-admins may).
          await dialog
            .getByTestId('bluegreen-staged')
            .uncheck({ timeout: UI_TIMEOUT_MS });
          await dialog
            .getByTestId('bluegreen-cutover-confirm')
            .check({ timeout: UI_TIMEOUT_MS });
          expect(
            await dialog.getByTestId('bluegreen-cutover-force').isDisabled(),
          ).toBe(true);
          expect(
            await dialog.getByTestId('bluegreen-cutover-submit').isDisabled(),
          ).toBe(true);
          await dialog.screenshot({
            path: path.join(SCREENSHOT_DIR, 'burnham-preflight-refused.png'),
            animations: 'disabled',
          });
          await dialog
            .getByRole('button', { name: 'Cancel' })
            .click({ timeout: UI_TIMEOUT_MS });
          await dialog.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
        },
      );

      await step("green's burnham-worker becomes ready", async () => {
        // The harness plays green's kubelet and Deployment controller.
        await kubernetes!.makeDeploymentReady(
          'eks-blueprint-green',
          'team-burnham',
          'burnham-worker',
        );
        await p.reload();
        await waitForText(
          p.getByTestId('bluegreen-cluster-green'),
          /burnham-worker 2\/2 ready/,
          'the green panel (its workloads)',
        );
      });

      await step('cutting over to green through the dialog', async () => {
        await p
          .getByTestId('bluegreen-cutover-button')
          .click({ timeout: UI_TIMEOUT_MS });
        await dialog.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
        const toGreen = dialog.getByRole('radio', {
          name: 'Shift to green (blue 0, green 100)',
        });
        await toGreen.waitFor({ state: 'attached', timeout: UI_TIMEOUT_MS });
        expect(await toGreen.isChecked()).toBe(true);
        // The one-step cutover: a task, followed in the dialog.
        await dialog
          .getByTestId('bluegreen-staged')
          .uncheck({ timeout: UI_TIMEOUT_MS });
        await dialog
          .getByTestId('bluegreen-cutover-confirm')
          .check({ timeout: UI_TIMEOUT_MS });
        await dialog
          .getByTestId('bluegreen-cutover-submit')
          .click({ timeout: UI_TIMEOUT_MS });
        await dialog
          .getByTestId('bluegreen-cutover-progress')
          .waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
        const summary = await waitForText(
          dialog.getByTestId('bluegreen-cutover-summary'),
          /^Cutover (completed|failed)$/,
          'the cutover summary',
          CUTOVER_TIMEOUT_MS,
        );
        expect(summary).toBe('Cutover completed');
        await dialog
          .getByRole('button', { name: 'Close' })
          .click({ timeout: UI_TIMEOUT_MS });
        await dialog.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
      });

      await step('waiting for the card to show 0 / 100', async () => {
        await waitForText(
          blue.getByTestId('bluegreen-weight-value-blue'),
          '0',
          "blue's weight after the cutover",
          NEW_WEIGHTS_TIMEOUT_MS,
        );
        await waitForText(
          green.getByTestId('bluegreen-weight-value-green'),
          '100',
          "green's weight after the cutover",
          NEW_WEIGHTS_TIMEOUT_MS,
        );
        await waitForText(
          blue.getByTestId('bluegreen-share-blue'),
          '0%',
          "blue's share after the cutover",
        );
        await waitForText(
          green.getByTestId('bluegreen-share-green'),
          '100%',
          "green's share after the cutover",
        );
        // The reload shows a progress bar for a moment; the screenshot is nicer without.
        await card
          .getByRole('progressbar')
          .waitFor({ state: 'detached', timeout: 5_000 })
          .catch(() => {});
      });

      await step('kubectl reads what the card shows (after)', () =>
        kubectlAgreesWithCard('after'),
      );
      await card.screenshot({
        path: path.join(SCREENSHOT_DIR, 'burnham-card-after.png'),
        animations: 'disabled',
      });

      await step(
        'the next step after the move: retire blue or rebuild it at 1.35; the link opens "Upgrade the idle cluster" prefilled',
        async () => {
          await waitForText(
            card.getByTestId('bluegreen-next-step'),
            /Next: green serves 100 % · blue idle on 1\.33 \(extended support, \$0\.60 per hour, about \$438 a month\) — retire it or rebuild it at 1\.35/,
            'the next-step line (after)',
          );
          await card.screenshot({
            path: path.join(SCREENSHOT_DIR, 'burnham-card-next-step.png'),
            animations: 'disabled',
          });
          await card
            .getByRole('link', { name: 'rebuild it at 1.35' })
            .click({ timeout: UI_TIMEOUT_MS });
          await p.waitForURL(
            /\/create\/templates\/default\/upgrade-idle-cluster\?formData=/,
            { timeout: UI_TIMEOUT_MS },
          );
          await waitForText(
            p.getByTestId('eks-upgrade-version-help'),
            /green \(eks-blueprint-green\) serves on Kubernetes 1\.34/,
            'the upgrade form (serving cluster and rule)',
          );
          await waitForText(
            p.getByTestId('bluegreen-insights'),
            /argocd-application-controller/,
            "the serving cluster's insights in the upgrade form",
          );
          await p.screenshot({
            path: path.join(SCREENSHOT_DIR, 'upgrade-form.png'),
            fullPage: true,
          });
          await p.goBack();
        },
      );

      // Exactly one Route 53 change: burnham's two weighted records, blue 0 and green 100.
      const changes = sandbox!.changeLog();
      expect(changes).toHaveLength(1);
      const written = changes[0].changes
        .filter(change => change.action !== 'DELETE')
        .map(({ record }) => ({
          name: record.name,
          setIdentifier: record.setIdentifier,
          weight: record.weight,
        }))
        .sort((a, b) =>
          String(a.setIdentifier).localeCompare(String(b.setIdentifier)),
        );
      expect(written).toEqual([
        {
          name: `${HOSTNAME}.`,
          setIdentifier: 'eks-blueprint-blue',
          weight: 0,
        },
        {
          name: `${HOSTNAME}.`,
          setIdentifier: 'eks-blueprint-green',
          weight: 100,
        },
      ]);

      await step(
        'a staged cutover back to blue from the dialog, rolled back in stages when blue fails at 50/50',
        () => stagedCutoverRolledBack(p, card, dialog),
      );

      if (browserProblems.length) {
        log(
          `the browser reported ${
            browserProblems.length
          } console error(s) or failed request(s):\n${browserProblems
            .map(line => `  ${line.split('\n')[0]}`)
            .join('\n')}`,
        );
      }
      log(
        `passed; screenshots: ${path.join(
          SCREENSHOT_DIR,
          'burnham-card-before.png',
        )} and burnham-card-after.png`,
      );
    } catch (error) {
      throw await reportFailure(error);
    }
  });
});

/*
 * The card through a fleet, in a real browser: Debian's Chromium on the example frontend,
 * whose backend is two example backends on one real PostgreSQL and one real Redis behind
 * the round-robin proxy (examples/replicas; the proxy is a local stand-in for a load
 * balancer), against the AWS sandbox (a LOCAL STAND-IN for Route 53 and EKS, with its load
 * balancer and DNS stand-ins) and the example's two real kube-apiservers. A staged cutover
 * runs while the replica that wrote its first step is killed with SIGKILL; the card must
 * keep showing the run, step after step, until it is in the history as completed.
 *
 * Screenshots go to .cache/e2e-screenshots/replicas-<time>/ at the repository root.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  ExampleClusters,
  startExampleClusters,
} from '@bluegreen/example-kubernetes';
import {
  Sandbox,
  stagedChecksEnv,
  startSandbox,
} from '@bluegreen/example-sandbox';
import {
  ExampleApp,
  freePort,
  kubernetesClustersEnv,
  startExampleApp,
} from '@bluegreen/example-backend/launch';
import {
  changeSender,
  Replicas,
  startReplicas,
} from '@bluegreen/example-replicas';
import type { CutoverPlan } from '@bluegreen/plugin-bluegreen-common';
import { Browser, Page } from 'playwright-core';
import {
  launchChromium,
  requireChromium,
  UI_TIMEOUT_MS,
  waitUntil,
} from './__testUtils__/browser';

jest.setTimeout(20 * 60_000);

const REPO_ROOT = path.resolve(__dirname, '../../..');
const SCREENSHOT_DIR = path.join(
  REPO_ROOT,
  '.cache',
  'e2e-screenshots',
  `replicas-${new Date().toISOString().replace(/[:.]/g, '-')}`,
);
const ENTITY = 'component/default/burnham';
const CLUSTERS = ['eks-blueprint-blue', 'eks-blueprint-green'];

function log(message: string) {
  // eslint-disable-next-line no-console
  console.log(`[e2e replicas] ${message}`);
}

/** What the page showed of the run at one moment (recorded in the page). */
interface Sample {
  at: number;
  /** The timeline's data-status, or absent. */
  status: string;
  weights: string;
  history: string;
}

let sandbox: Sandbox | undefined;
let kubernetes: ExampleClusters | undefined;
let fleet: Replicas | undefined;
let app: ExampleApp | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close().catch(() => {});
  await Promise.allSettled([app?.stop(), fleet?.stop()]);
  await Promise.allSettled([kubernetes?.stop(), sandbox?.close()]);
});

it('the card follows a staged cutover through the proxy while the replica that wrote its first step is killed: no gap, every step shown, then completed in the history', async () => {
  requireChromium();
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  log(`screenshots go to ${SCREENSHOT_DIR}`);

  sandbox = await startSandbox({
    insyncDelayMs: 500,
    loadBalancers: { clusters: CLUSTERS },
    dns: {},
  });
  kubernetes = await startExampleClusters({ allReady: true });
  const appUrl = `http://localhost:${await freePort()}`;
  fleet = await startReplicas({
    env: {
      APP_CONFIG_app_baseUrl: appUrl,
      APP_CONFIG_backend_cors_origin: appUrl,
      APP_CONFIG_bluegreen_aws_endpoint: sandbox.url,
      ...kubernetesClustersEnv(kubernetes.clusterLocatorMethods()),
      ...stagedChecksEnv(sandbox),
      APP_CONFIG_bluegreen_cutover_staged_ttlSeconds: '3',
      APP_CONFIG_bluegreen_cutover_staged_insyncSeconds: '0.5',
      APP_CONFIG_bluegreen_cutover_staged_probeIntervalSeconds: '1',
      APP_CONFIG_bluegreen_cutover_staged_probe_requests: '5',
    },
    log,
  });
  app = await startExampleApp({
    baseUrl: appUrl,
    env: { APP_CONFIG_backend_baseUrl: fleet.proxy.url },
  });
  const token = await fleet.backends[0].guestToken();
  const call = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(`${fleet!.proxy.url}${url}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
      },
    });
    return { status: res.status, body: await res.json() };
  };
  await waitUntil(
    'burnham in the catalog of both replicas',
    () =>
      Promise.all(
        fleet!.backends.map(b =>
          fetch(`${b.baseUrl}/api/bluegreen/entity/${ENTITY}/traffic`, {
            headers: { Authorization: `Bearer ${token}` },
          }).then(res => res.status),
        ),
      ),
    statuses => statuses.every(s => s === 200),
    180_000,
  );

  browser = await launchChromium();
  const page: Page = await (
    await browser.newContext({ viewport: { width: 1400, height: 1000 } })
  ).newPage();
  await page.goto(`${appUrl}/catalog/default/component/burnham`, {
    timeout: UI_TIMEOUT_MS,
  });
  await page
    .getByRole('button', { name: 'Enter' })
    .click({ timeout: UI_TIMEOUT_MS });
  await page
    .getByTestId('bluegreen-cluster-blue')
    .waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });

  // 100/0 → 10/90 (held 10 s longer, for the kill) → 50/50 → 0/100.
  const plan: CutoverPlan = {
    from: { blue: 100, green: 0 },
    steps: [
      { weights: { blue: 90, green: 10 }, soakSeconds: 10 },
      { weights: { blue: 50, green: 50 }, soakSeconds: 0 },
      { weights: { blue: 0, green: 100 }, soakSeconds: 0 },
    ],
  };
  const started = await call(`/api/bluegreen/entity/${ENTITY}/cutover`, {
    method: 'POST',
    body: JSON.stringify({ plan }),
  });
  expect(started.status).toBe(201);
  const runId: string = started.body.runId;
  // The card lists the entity's runs when it loads: reload to show this one at once.
  await page.reload({ timeout: UI_TIMEOUT_MS });
  const timeline = page.getByTestId('bluegreen-cutover-run');
  await timeline.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });

  // From now on the page records what it shows at every change of the DOM, in the page:
  // a slow test loop cannot miss a moment.
  await page.evaluate(() => {
    const w = window as any;
    w.bluegreenSamples = [];
    const record = () => {
      const run = document.querySelector(
        '[data-testid="bluegreen-cutover-run"]',
      );
      const sample = {
        at: Date.now(),
        status: run?.getAttribute('data-status') ?? 'absent',
        weights:
          run?.querySelector('[data-testid="bluegreen-run-weights"]')
            ?.textContent ?? '',
        history:
          document.querySelector('[data-testid="bluegreen-run-history-entry"]')
            ?.textContent ?? '',
      };
      const last = w.bluegreenSamples[w.bluegreenSamples.length - 1];
      if (
        !last ||
        last.status !== sample.status ||
        last.weights !== sample.weights ||
        last.history !== sample.history
      ) {
        w.bluegreenSamples.push(sample);
      }
    };
    new MutationObserver(record).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
    });
    record();
  });

  // The first step holds: the replica that wrote it dies now.
  await waitUntil(
    "the first step's hold",
    async () =>
      (
        await call(`/api/bluegreen/cutover-runs/${runId}`)
      ).body as {
        stepIndex: number;
        holdLeftMs?: number;
      },
    run => run.stepIndex === 0 && (run.holdLeftMs ?? 0) > 5000,
    60_000,
  );
  const victim = changeSender(fleet.backends, sandbox.changeLog()[0].id);
  expect(victim).toBeGreaterThanOrEqual(0);
  const killedAt = Date.now();
  await fleet.backends[victim].kill();
  log(`killed replica ${victim} (SIGKILL) during the hold of 90/10`);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'after-kill.png') });

  const end = await waitUntil(
    'the run to end',
    async () => (await call(`/api/bluegreen/cutover-runs/${runId}`)).body,
    run => !['running', 'paused'].includes(run.status),
    120_000,
  );
  expect(end.status).toBe('completed');
  await page
    .getByTestId('bluegreen-run-history-entry')
    .first()
    .filter({ hasText: 'completed' })
    .waitFor({ timeout: UI_TIMEOUT_MS });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'completed.png') });

  const samples: Sample[] = await page.evaluate(
    () => (window as any).bluegreenSamples,
  );
  fs.writeFileSync(
    path.join(SCREENSHOT_DIR, 'samples.json'),
    JSON.stringify(samples, null, 2),
  );
  const endedAt = Date.parse(end.updatedAt);
  // Until the run ended, the timeline was always on the card, running.
  const beforeEnd = samples.filter(s => s.at < endedAt);
  expect(beforeEnd.filter(s => s.status !== 'running')).toEqual([]);
  // Every step it reached, in order, the ones after the kill included.
  const shown = [...new Set(beforeEnd.map(s => s.weights))];
  expect(shown.filter(w => ['90/10', '50/50', '0/100'].includes(w))).toEqual([
    '90/10',
    '50/50',
    '0/100',
  ]);
  expect(beforeEnd.some(s => s.at > killedAt && s.weights === '50/50')).toBe(
    true,
  );
  expect(samples[samples.length - 1]).toMatchObject({ status: 'absent' });
  expect(samples[samples.length - 1].history).toContain('completed');
});

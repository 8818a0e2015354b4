import path from 'node:path';
import { Browser, Locator } from 'playwright-core';
import { UI_TIMEOUT_MS, waitForText } from '../../__testUtils__/browser';

/** How long a loaded page that should not get a bluegreen extension is watched for one. */
const ABSENCE_WATCH_MS = 3_000;

export interface PagesSeen {
  /** The burnham card's blue panel, as read from the page (share and workloads). */
  bluePanel: string;
  screenshots: string[];
}

/**
 * What the README says the new frontend system shows with no code, in the app's built
 * frontend (served by its backend): the card on the annotated Component, the Blue/green
 * tab on the generation's System only, the team card on the team owning burnham only.
 */
export async function checkBluegreenPages(
  browser: Browser,
  baseUrl: string,
  screenshotDir: string,
  prefix: string,
): Promise<PagesSeen> {
  const page = await browser.newPage({
    viewport: { width: 1400, height: 1000 },
  });
  const screenshots: string[] = [];
  const shoot = async (name: string) => {
    const file = path.join(screenshotDir, `${prefix}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    screenshots.push(file);
  };
  const open = async (entityPath: string, heading: string) => {
    await page.goto(`${baseUrl}/catalog/default/${entityPath}`, {
      timeout: UI_TIMEOUT_MS,
    });
    await page
      .getByRole('heading', { name: heading, exact: true })
      .first()
      .waitFor({ timeout: UI_TIMEOUT_MS });
  };
  const expectAbsent = async (
    what: string,
    locator: Locator,
    where: string,
  ) => {
    await page.waitForTimeout(ABSENCE_WATCH_MS);
    if ((await locator.count()) > 0) {
      await shoot(`unexpected-${where.replace(/\W+/g, '-')}`);
      throw new Error(`${what} shows on ${where}, which has nothing bluegreen`);
    }
  };
  // The entity tabs are links to their paths (role tab or not, by release).
  const blueGreenTab = () => page.locator('a[href$="/blue-green"]');
  try {
    await page.goto(baseUrl, { timeout: UI_TIMEOUT_MS });
    await page
      .getByRole('button', { name: 'Enter' })
      .click({ timeout: UI_TIMEOUT_MS });

    await open('component/burnham', 'burnham');
    await waitForText(
      page.getByTestId('bluegreen-share-blue'),
      /^100\s*%/,
      "the card's blue share on burnham",
    );
    // Read through the app's Kubernetes backend from the example's real API servers.
    const bluePanel = await waitForText(
      page.getByTestId('bluegreen-cluster-blue'),
      /burnham 3\/3 ready/,
      "the card's blue panel (its workloads)",
    );
    await page
      .getByText('eks-blueprint-green', { exact: true })
      .first()
      .waitFor({
        timeout: UI_TIMEOUT_MS,
      });
    await shoot('burnham-card');

    await open('system/eks-blueprint', 'eks-blueprint');
    await blueGreenTab().first().click({ timeout: UI_TIMEOUT_MS });
    await page
      .getByText('Components on both clusters', { exact: true })
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await shoot('eks-blueprint-tab');

    await open('system/examples', 'examples');
    await expectAbsent(
      'the Blue/green tab',
      blueGreenTab(),
      'the System examples',
    );

    await open('group/team-burnham', 'team-burnham');
    await page
      .getByText('Workloads on the clusters', { exact: true })
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await page
      .getByTestId('bluegreen-row-burnham')
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await shoot('team-burnham-card');

    // The team card looks up the team's components before it shows or not: only after
    // that answer does its absence say anything.
    const guestsLookup = page.waitForResponse(
      response =>
        response.url().includes('/api/catalog/entities/by-refs') &&
        (response.request().postData() ?? '').includes(
          'component:default/example-website',
        ),
      { timeout: UI_TIMEOUT_MS },
    );
    await open('group/guests', 'guests');
    await guestsLookup;
    await expectAbsent(
      'the team card',
      page.getByText('Workloads on the clusters', { exact: true }),
      'the Group guests',
    );
    return { bluePanel, screenshots };
  } catch (error) {
    await shoot('failure').catch(() => undefined);
    throw error;
  } finally {
    await page.close();
  }
}

import fs from 'node:fs';
import path from 'node:path';
import { freshAppEnv, run } from './commands';

/**
 * The create-app this test pins: the latest on 2026-12-03. It makes a Backstage 1.55.0
 * app on the new frontend system.
 */
export const CREATE_APP = '@backstage/create-app@0.9.2';

export interface CreatedApp {
  dir: string;
  /** backstage.json's version: the Backstage release create-app made. */
  release: string;
}

/**
 * `npx @backstage/create-app --path <dir>` as a new user runs it (it installs the app's
 * dependencies too), without a terminal: the app's name comes from BACKSTAGE_APP_NAME.
 * Checks that the app is on the new frontend system: `createApp` from
 * @backstage/frontend-defaults and `app.packages: all`, so installed plugins are found.
 */
export async function createApp(
  parent: string,
  logFile: string,
): Promise<CreatedApp> {
  const dir = path.join(parent, 'app');
  await run(`npx ${CREATE_APP}`, 'npx', ['-y', CREATE_APP, '--path', dir], {
    cwd: parent,
    logFile,
    timeoutMs: 20 * 60_000,
    env: freshAppEnv({ BACKSTAGE_APP_NAME: 'app' }),
  });
  const appSource = fs.readFileSync(
    path.join(dir, 'packages/app/src/App.tsx'),
    'utf8',
  );
  if (!appSource.includes("from '@backstage/frontend-defaults'")) {
    throw new Error(
      `${CREATE_APP} made an app not on the new frontend system; its App.tsx:\n${appSource}`,
    );
  }
  if (
    !/^\s+packages: all$/m.test(
      fs.readFileSync(path.join(dir, 'app-config.yaml'), 'utf8'),
    )
  ) {
    throw new Error(`${CREATE_APP}'s app-config.yaml has no app.packages: all`);
  }
  const { version } = JSON.parse(
    fs.readFileSync(path.join(dir, 'backstage.json'), 'utf8'),
  );
  return { dir, release: version };
}

/** The version of `name` the app's root node_modules holds (what its backend loads). */
export function installedVersion(appDir: string, name: string): string {
  return JSON.parse(
    fs.readFileSync(
      path.join(appDir, 'node_modules', name, 'package.json'),
      'utf8',
    ),
  ).version;
}

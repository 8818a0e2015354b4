/*
 * Starts the example frontend as `yarn backstage-cli repo start` starts it: the rspack dev
 * server of `backstage-cli package start --config ../app-config.yaml` in examples/app, on
 * the port of the given app.baseUrl, in its own process group. The caller passes the same
 * APP_CONFIG_* overrides it gives the backend (app.baseUrl, backend.baseUrl, ...), so that
 * both processes agree on the URLs.
 */

import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { startPackageProcess } from './packageProcess';

export interface ExampleAppOptions {
  /** http://localhost:<port>; the dev server listens on that port. */
  baseUrl: string;
  /** APP_CONFIG_* overrides (app.baseUrl is set from baseUrl). */
  env?: Record<string, string>;
  /** How long to wait for the first bundle. Default 300 s. */
  startupTimeoutMs?: number;
}

export interface ExampleApp {
  baseUrl: string;
  /** Everything the dev server has written to stdout and stderr so far. */
  log(): string;
  /** The last lines of the log (default 40), for error messages. */
  logTail(lines?: number): string;
  /** SIGTERM to the process group, SIGKILL after 10 s. Safe to call more than once. */
  stop(): Promise<void>;
}

/** examples/app, where `yarn start` runs the frontend. */
const APP_DIR = resolvePackagePath('@bluegreen/example-app');

export async function startExampleApp(
  options: ExampleAppOptions,
): Promise<ExampleApp> {
  const { baseUrl } = options;
  const proc = startPackageProcess(APP_DIR, {
    ...options.env,
    // react-dev-utils' openBrowser: do not open a browser window.
    BROWSER: 'none',
    APP_CONFIG_app_baseUrl: baseUrl,
  });
  const { child, exited, logTail, stop } = proc;

  // The dev server answers a page only once the first bundle is compiled (its middleware
  // holds requests until then), so a 200 with the app's HTML means it is ready.
  const timeoutMs = options.startupTimeoutMs ?? 300_000;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (proc.hasExited()) {
        throw new Error(
          `the example frontend exited with code ${child.exitCode}${
            child.signalCode ? ` (${child.signalCode})` : ''
          } before it served the app:\n${logTail()}`,
        );
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for the example frontend at ${baseUrl}:\n${logTail()}`,
        );
      }
      const ready = await Promise.race([
        fetch(`${baseUrl}/catalog`, { signal: AbortSignal.timeout(remaining) })
          .then(async res => res.ok && (await res.text()).includes('<script'))
          .catch(() => false),
        exited.then(() => false),
      ]);
      if (ready) {
        break;
      }
      await new Promise(resolve => setTimeout(resolve, 1000));
    }
  } catch (error) {
    await stop();
    throw error;
  }

  return { baseUrl, log: proc.log, logTail, stop };
}

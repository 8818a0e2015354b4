import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { REPO_ROOT, run } from './commands';
import { Tarballs } from './packPackages';

/** The one line the README tells users to add to packages/backend/src/index.ts. */
export const BACKEND_LINE =
  "backend.add(import('@bluegreen/plugin-bluegreen-backend'));";

/**
 * The README's install steps for an app create-app made, from tarballs: the common
 * package through the root `resolutions` (it is on no registry), the frontend package
 * into packages/app (no code: the new frontend system discovers it), the backend package
 * into packages/backend plus its one line.
 */
export async function installBluegreen(
  appDir: string,
  tarballs: Tarballs,
  logFile: string,
): Promise<void> {
  const rootManifestFile = path.join(appDir, 'package.json');
  const rootManifest = JSON.parse(fs.readFileSync(rootManifestFile, 'utf8'));
  rootManifest.resolutions = {
    ...rootManifest.resolutions,
    '@bluegreen/plugin-bluegreen-common': `file:${tarballs.common}`,
  };
  fs.writeFileSync(
    rootManifestFile,
    `${JSON.stringify(rootManifest, null, 2)}\n`,
  );
  const options = { cwd: appDir, logFile, timeoutMs: 10 * 60_000 };
  await run(
    'adding the frontend package to packages/app',
    'yarn',
    [
      'workspace',
      'app',
      'add',
      `@bluegreen/plugin-bluegreen@file:${tarballs.frontend}`,
    ],
    options,
  );
  await run(
    'adding the backend package to packages/backend',
    'yarn',
    [
      'workspace',
      'backend',
      'add',
      `@bluegreen/plugin-bluegreen-backend@file:${tarballs.backend}`,
    ],
    options,
  );
  const indexFile = path.join(appDir, 'packages/backend/src/index.ts');
  const index = fs.readFileSync(indexFile, 'utf8');
  if (!index.includes('\nbackend.start();')) {
    throw new Error(
      `${indexFile} has no backend.start(); to add the line before`,
    );
  }
  fs.writeFileSync(
    indexFile,
    index.replace(
      '\nbackend.start();',
      `\n${BACKEND_LINE}\n\nbackend.start();`,
    ),
  );
}

export interface LocalConfig {
  port: number;
  /** The AWS sandbox (a local stand-in for Route 53 and EKS). */
  sandboxUrl: string;
}

/**
 * app-config.local.yaml, which `backstage-cli package start` reads after app-config.yaml:
 * the port, bluegreen's zones and repositories (the example's, served by the sandbox),
 * and the example catalog's generation, service and teams beside the app's own examples
 * (whose System and Group must not get the bluegreen tab and team card).
 */
export function writeLocalConfig(appDir: string, config: LocalConfig): void {
  const appConfig = YAML.parse(
    fs.readFileSync(path.join(appDir, 'app-config.yaml'), 'utf8'),
  );
  const baseUrl = `http://localhost:${config.port}`;
  const exampleCatalog = ['eks-blueprint.yaml', 'burnham.yaml', 'org.yaml'].map(
    file => ({
      type: 'file',
      target: path.join(REPO_ROOT, 'examples/catalog', file),
      rules: [{ allow: ['Component', 'System', 'Resource', 'Group', 'User'] }],
    }),
  );
  const local = {
    app: { baseUrl },
    backend: { baseUrl, listen: { port: config.port } },
    aws: {
      mainAccount: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    },
    bluegreen: {
      aws: { endpoint: config.sandboxUrl },
      traffic: {
        hostedZones: [
          {
            zone: 'eks-blueprint.example.com',
            hostnames: ['*.eks-blueprint.example.com'],
          },
        ],
      },
      generations: { repositories: [{ host: 'github.com', owner: 'example' }] },
    },
    // A list in a later config file replaces the earlier one: keep the app's own.
    catalog: {
      locations: [...(appConfig.catalog?.locations ?? []), ...exampleCatalog],
    },
  };
  fs.writeFileSync(
    path.join(appDir, 'app-config.local.yaml'),
    YAML.stringify(local),
  );
}

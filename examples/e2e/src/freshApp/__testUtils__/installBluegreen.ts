import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { REPO_ROOT, run } from './commands';
import { Tarballs } from './packPackages';

/** The one line the README tells users to add to packages/backend/src/index.ts. */
export const BACKEND_LINE =
  "backend.add(import('@bluegreen/plugin-bluegreen-backend'));";

/**
 * A file that uses both entry points of the frontend package in the app's own `tsc`
 * (whose skipLibCheck would otherwise leave the packed .d.ts files unread): the app's
 * code never imports the package, discovery loads it. Nothing imports this file.
 */
const TYPES_CHECK = `// Written by bluegreen's fresh-app test: type-checks the packed package's entry points.
import bluegreenPlugin from '@bluegreen/plugin-bluegreen/alpha';
import {
  EntityBlueGreenCard,
  isBlueGreenSystem,
  type EksVersionsPickerValue,
} from '@bluegreen/plugin-bluegreen';

export const pluginId: string = bluegreenPlugin.pluginId;
export const card: () => JSX.Element = EntityBlueGreenCard;
export const tabShown: boolean = isBlueGreenSystem({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: { name: 'eks-blueprint' },
});
export const versions: EksVersionsPickerValue = { blue: '1.33', green: '1.34' };
`;

/**
 * The README's install steps for an app create-app made, from tarballs kept in the app's
 * vendor/bluegreen/: the common package through the root `resolutions` (it is on no
 * registry), the frontend package into packages/app (no code: the new frontend system
 * discovers it), the backend package into packages/backend plus its one line. Checks that
 * the common package came from its tarball, not from a registry.
 */
export async function installBluegreen(
  appDir: string,
  tarballs: Tarballs,
  logFile: string,
): Promise<void> {
  const vendor = path.join(appDir, 'vendor/bluegreen');
  fs.mkdirSync(vendor, { recursive: true });
  for (const [key, tarball] of Object.entries(tarballs)) {
    fs.copyFileSync(tarball, path.join(vendor, `${key}.tgz`));
  }
  const rootManifestFile = path.join(appDir, 'package.json');
  const rootManifest = JSON.parse(fs.readFileSync(rootManifestFile, 'utf8'));
  rootManifest.resolutions = {
    ...rootManifest.resolutions,
    '@bluegreen/plugin-bluegreen-common': 'file:./vendor/bluegreen/common.tgz',
  };
  fs.writeFileSync(
    rootManifestFile,
    `${JSON.stringify(rootManifest, null, 2)}\n`,
  );
  const options = { cwd: appDir, logFile, timeoutMs: 8 * 60_000 };
  // Relative to the workspace (packages/app, packages/backend), as Yarn reads file: ranges.
  await run(
    'adding the frontend package to packages/app',
    'yarn',
    [
      'workspace',
      'app',
      'add',
      '@bluegreen/plugin-bluegreen@file:../../vendor/bluegreen/frontend.tgz',
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
      '@bluegreen/plugin-bluegreen-backend@file:../../vendor/bluegreen/backend.tgz',
    ],
    options,
  );
  const lockfile = fs.readFileSync(path.join(appDir, 'yarn.lock'), 'utf8');
  const commonEntries = lockfile
    .split('\n')
    .filter(line => line.startsWith('"@bluegreen/plugin-bluegreen-common@'));
  if (
    commonEntries.length !== 1 ||
    !commonEntries[0].includes('@file:./vendor/bluegreen/common.tgz')
  ) {
    throw new Error(
      `the app's yarn.lock should resolve @bluegreen/plugin-bluegreen-common to its tarball only; it has: ${commonEntries.join(
        ' | ',
      )}`,
    );
  }
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
  fs.writeFileSync(
    path.join(appDir, 'packages/app/src/bluegreenTypesCheck.ts'),
    TYPES_CHECK,
  );
}

export interface LocalConfig {
  port: number;
  /** The AWS sandbox (a local stand-in for Route 53 and EKS). */
  sandboxUrl: string;
  /** The Kubernetes backend's config for the example's clusters (real kube-apiservers). */
  kubernetes: object;
}

/**
 * app-config.local.yaml, which `backstage-cli package start` reads after app-config.yaml:
 * the port, the Kubernetes backend's clusters (create-app installs the backend with none),
 * bluegreen's zones and repositories (the example's, served by the sandbox),
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
    kubernetes: config.kubernetes,
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

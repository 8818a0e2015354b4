import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, run } from './commands';

/** The published packages, by the file name their tarball gets. */
export const PACKAGES = {
  common: '@bluegreen/plugin-bluegreen-common',
  backend: '@bluegreen/plugin-bluegreen-backend',
  frontend: '@bluegreen/plugin-bluegreen',
} as const;

const PACKAGE_DIRS: Record<keyof typeof PACKAGES, string> = {
  common: path.join(REPO_ROOT, 'plugins/bluegreen-common'),
  backend: path.join(REPO_ROOT, 'plugins/bluegreen-backend'),
  frontend: path.join(REPO_ROOT, 'plugins/bluegreen'),
};

export type Tarballs = Record<keyof typeof PACKAGES, string>;

/** Every file a packed package.json points at: entry points, types, config schema. */
function namedFiles(manifest: any): string[] {
  const files = new Set<string>();
  const add = (target: unknown) => {
    if (typeof target === 'string') {
      files.add(target.replace(/^\.\//, ''));
    } else if (target && typeof target === 'object') {
      Object.values(target).forEach(add);
    }
  };
  add(manifest.main);
  add(manifest.module);
  add(manifest.types);
  add(manifest.configSchema);
  for (const [key, target] of Object.entries(manifest.exports ?? {})) {
    if (key !== './package.json') {
      add(target);
    }
  }
  for (const targets of Object.values(manifest.typesVersions?.['*'] ?? {})) {
    add(targets);
  }
  // `backstage` in exports names a feature type, not a file.
  return [...files].filter(file => !file.startsWith('@backstage/'));
}

/**
 * `yarn workspace <package> pack` of the three packages, as a publisher would (each
 * package's prepack refuses a missing or stale build); then checks that each tarball
 * holds every file its package.json names and no `src/`.
 */
export async function packPackages(
  dir: string,
  logFile: string,
): Promise<Tarballs> {
  const tarballs = {} as Tarballs;
  for (const [key, name] of Object.entries(PACKAGES) as Array<
    [keyof typeof PACKAGES, string]
  >) {
    const tarball = path.join(dir, `${key}.tgz`);
    // prepack rewrites the package's package.json for the tarball and postpack restores it.
    const manifestFile = path.join(PACKAGE_DIRS[key], 'package.json');
    const before = fs.readFileSync(manifestFile, 'utf8');
    await run(
      `yarn pack of ${name}`,
      'yarn',
      ['workspace', name, 'pack', '--out', tarball],
      // A command of this repository: its own environment, not the fresh app's.
      { cwd: REPO_ROOT, logFile, timeoutMs: 2 * 60_000, env: process.env },
    );
    if (
      fs.readFileSync(manifestFile, 'utf8') !== before ||
      fs.existsSync(`${manifestFile}-prepack`)
    ) {
      throw new Error(`yarn pack of ${name} left ${manifestFile} rewritten`);
    }
    const listing = (
      await run(`listing ${tarball}`, 'tar', ['-tzf', tarball], {
        cwd: dir,
        logFile,
        timeoutMs: 30_000,
      })
    )
      .split('\n')
      .filter(Boolean)
      .map(file => file.replace(/^package\//, ''));
    const manifest = JSON.parse(
      await run(
        `reading ${name}'s package.json`,
        'tar',
        ['-xzOf', tarball, 'package/package.json'],
        {
          cwd: dir,
          logFile: '/dev/null',
          timeoutMs: 30_000,
        },
      ),
    );
    const missing = namedFiles(manifest).filter(
      file => !listing.includes(file),
    );
    if (missing.length > 0) {
      throw new Error(
        `${name}'s tarball lacks files its package.json names: ${missing.join(
          ', ',
        )}`,
      );
    }
    const sources = listing.filter(file => file.startsWith('src/'));
    if (sources.length > 0) {
      throw new Error(
        `${name}'s tarball holds sources: ${sources.slice(0, 5).join(', ')}`,
      );
    }
    if (JSON.stringify(manifest).includes('workspace:')) {
      throw new Error(
        `${name}'s packed package.json still has a workspace: range`,
      );
    }
    tarballs[key] = tarball;
  }
  return tarballs;
}

/*
 * scripts/require-build.mjs, which each published package's prepack runs: `yarn pack`
 * of a package without a current build must fail instead of packing an empty or stale
 * dist/. Run on copies of a package's layout in a temporary directory.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SCRIPT = path.resolve(__dirname, '../../../scripts/require-build.mjs');

/**
 * A repository of one package, plugins/fake, with the script in scripts/ (it finds the
 * root tsc's dist-types/ from there); returns the package's folder.
 */
function fakePackage(files: Record<string, string>): string {
  const root = fs.mkdtempSync(
    path.join(os.tmpdir(), 'bluegreen-require-build-'),
  );
  fs.mkdirSync(path.join(root, 'scripts'));
  fs.copyFileSync(SCRIPT, path.join(root, 'scripts/require-build.mjs'));
  const dir = path.join(root, 'plugins/fake');
  fs.mkdirSync(dir, { recursive: true });
  const manifest = {
    name: '@bluegreen/fake',
    main: 'src/index.ts',
    exports: { '.': './src/index.ts', './alpha': './src/alpha.tsx' },
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest));
  for (const [file, content] of Object.entries(files)) {
    const target = file.startsWith('dist-types/')
      ? path.join(root, file)
      : path.join(dir, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
  return dir;
}

function setMtime(dir: string, file: string, secondsAgo: number) {
  const time = new Date(Date.now() - secondsAgo * 1000);
  const target = file.startsWith('dist-types/')
    ? path.join(dir, '../..', file)
    : path.join(dir, file);
  fs.utimesSync(target, time, time);
}

/** Runs the copy in the fake repository, in the package's folder, as prepack does. */
const requireBuild = (dir: string) =>
  spawnSync(
    process.execPath,
    [path.join(dir, '../../scripts/require-build.mjs')],
    { cwd: dir, encoding: 'utf8' },
  );

const SOURCES = {
  'src/index.ts': 'export {};',
  'src/alpha.tsx': 'export {};',
  'src/lib/util.ts': 'export {};',
  'src/lib/util.test.ts': 'test',
};
const BUILD = {
  'dist-types/plugins/fake/src/index.d.ts': '',
  'dist-types/plugins/fake/src/alpha.d.ts': '',
  'dist-types/plugins/fake/src/lib/util.d.ts': '',
  'dist/index.d.ts': '',
  'dist/index.esm.js': '',
  'dist/alpha.d.ts': '',
  'dist/alpha.esm.js': '',
};

describe('prepack refuses a package without a current build', () => {
  it('refuses a package never built, saying so and how to build', () => {
    const result = requireBuild(fakePackage(SOURCES));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      '@bluegreen/fake: refusing to pack without a current build: there is no dist/ (it was never built).',
    );
    expect(result.stderr).toContain('yarn build:all');
  });

  it('refuses a build that lacks one entry point (./alpha)', () => {
    const { 'dist/alpha.esm.js': _, ...partial } = BUILD;
    const result = requireBuild(fakePackage({ ...SOURCES, ...partial }));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'dist/alpha.cjs.js or dist/alpha.esm.js is missing (the build of src/alpha.tsx)',
    );
  });

  it('refuses a build older than a source file', () => {
    const dir = fakePackage({ ...SOURCES, ...BUILD });
    for (const file of Object.keys(BUILD)) {
      setMtime(dir, file, 60);
    }
    for (const file of Object.keys(SOURCES)) {
      setMtime(dir, file, 120);
    }
    setMtime(dir, 'src/lib/util.ts', 0);
    const result = requireBuild(dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'src/lib/util.ts changed after the last build of dist/',
    );
  });

  it('refuses a package build made without the root tsc after an edit (stale types)', () => {
    const dir = fakePackage({ ...SOURCES, ...BUILD });
    for (const file of Object.keys(SOURCES)) {
      setMtime(dir, file, 120);
    }
    setMtime(dir, 'src/lib/util.ts', 60);
    // tsc last ran before the edit; the package build after it.
    setMtime(dir, 'dist-types/plugins/fake/src/lib/util.d.ts', 90);
    const result = requireBuild(dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'src/lib/util.ts changed after the root tsc wrote its types',
    );
  });

  it('passes a current build, whatever tests changed since', () => {
    const dir = fakePackage({ ...SOURCES, ...BUILD });
    for (const file of Object.keys(SOURCES)) {
      setMtime(dir, file, 120);
    }
    setMtime(dir, 'src/lib/util.test.ts', 0);
    for (const file of Object.keys(BUILD)) {
      setMtime(dir, file, 60);
    }
    const result = requireBuild(dir);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

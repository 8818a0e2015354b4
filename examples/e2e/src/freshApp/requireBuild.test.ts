/*
 * scripts/require-build.mjs, which each published package's prepack runs: `yarn pack`
 * of a package without a current build must fail instead of packing an empty or stale
 * dist/. Run on copies of a package's layout in a temporary directory.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SCRIPT = path.resolve(__dirname, '../../../../scripts/require-build.mjs');

function fakePackage(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(
    path.join(os.tmpdir(), 'bluegreen-require-build-'),
  );
  const manifest = {
    name: '@bluegreen/fake',
    main: 'src/index.ts',
    exports: { '.': './src/index.ts', './alpha': './src/alpha.tsx' },
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

function setMtime(dir: string, file: string, secondsAgo: number) {
  const time = new Date(Date.now() - secondsAgo * 1000);
  fs.utimesSync(path.join(dir, file), time, time);
}

const requireBuild = (dir: string) =>
  spawnSync(process.execPath, [SCRIPT], { cwd: dir, encoding: 'utf8' });

const SOURCES = {
  'src/index.ts': 'export {};',
  'src/alpha.tsx': 'export {};',
  'src/lib/util.ts': 'export {};',
  'src/lib/util.test.ts': 'test',
};
const BUILD = {
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

// Each publishable package's prepack runs this first: `yarn pack` (and `npm publish`) of
// a package that was never built, or was changed after its build, exits 0 with a tarball
// of stale or missing dist/ files, so it refuses instead and says how to build.
import fs from 'node:fs';
import path from 'node:path';

const dir = process.cwd();
const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
const howToBuild =
  'Run `yarn build:all` at the repository root first (the root tsc, then every package build).';

// The entry points: src/index.ts, plus src/alpha.tsx and the like from `exports`.
const sources = new Set([pkg.main]);
for (const target of Object.values(pkg.exports ?? {})) {
  if (typeof target === 'string' && target.startsWith('./src/')) {
    sources.add(target.slice(2));
  }
}

const problems = [];
let oldestOutput = Infinity;
if (!fs.existsSync(path.join(dir, 'dist'))) {
  problems.push('there is no dist/ (it was never built)');
}
for (const source of problems.length > 0 ? [] : sources) {
  const base = path.basename(source).replace(/\.tsx?$/, '');
  const outputs = [`dist/${base}.d.ts`];
  const code = [`dist/${base}.cjs.js`, `dist/${base}.esm.js`];
  const builtCode = code.filter(file => fs.existsSync(path.join(dir, file)));
  if (builtCode.length === 0) {
    problems.push(`${code.join(' or ')} is missing (the build of ${source})`);
  }
  outputs.push(...builtCode);
  for (const output of outputs) {
    const file = path.join(dir, output);
    if (!fs.existsSync(file)) {
      problems.push(`${output} is missing (the build of ${source})`);
      continue;
    }
    oldestOutput = Math.min(oldestOutput, fs.statSync(file).mtimeMs);
  }
}

// Any source file newer than the build means the tarball would not hold it. Tests and
// their fixtures (`__testUtils__`, `__fixtures__`) are not built.
function newestSource(current) {
  let newest = { file: undefined, mtimeMs: 0 };
  for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
    if (entry.name.startsWith('__') || /\.test\.tsx?$/.test(entry.name)) {
      continue;
    }
    const file = path.join(current, entry.name);
    const candidate = entry.isDirectory()
      ? newestSource(file)
      : { file, mtimeMs: fs.statSync(file).mtimeMs };
    if (candidate.mtimeMs > newest.mtimeMs) {
      newest = candidate;
    }
  }
  return newest;
}
if (problems.length === 0) {
  const newest = newestSource(path.join(dir, 'src'));
  if (newest.mtimeMs > oldestOutput) {
    problems.push(
      `${path.relative(
        dir,
        newest.file,
      )} changed after the last build of dist/`,
    );
  }
}

if (problems.length > 0) {
  console.error(
    `${pkg.name}: refusing to pack without a current build: ${problems.join(
      '; ',
    )}. ${howToBuild}`,
  );
  process.exit(1);
}

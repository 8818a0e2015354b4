// Each publishable package's prepack runs this first: `yarn pack` (and `yarn npm
// publish`) of a package that was never built, or was changed after its build, exits 0
// with a tarball of stale or missing dist/ files, so it refuses instead and says how to
// build. Run in the package's folder.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.cwd();
const repoRoot = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
);
const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
const howToBuild =
  'Run `yarn build:all` at the repository root first (the root tsc, then every package build).';

function refuse(problems) {
  console.error(
    `${pkg.name}: refusing to pack without a current build: ${problems.join(
      '; ',
    )}. ${howToBuild}`,
  );
  process.exit(1);
}

// The entry points, named as backstage-cli names their output: `.` is index, `./alpha`
// is alpha. Without `exports`, `main` is the only one.
const entries = [];
if (pkg.exports) {
  for (const [mount, target] of Object.entries(pkg.exports)) {
    if (mount === './package.json') {
      continue;
    }
    if (typeof target !== 'string' || !target.startsWith('./src/')) {
      refuse([`exports["${mount}"] is not a ./src/ path this check can read`]);
    }
    entries.push({
      name: mount === '.' ? 'index' : mount.slice(2),
      source: target.slice(2),
    });
  }
} else if (typeof pkg.main === 'string') {
  entries.push({ name: 'index', source: pkg.main });
} else {
  refuse(['package.json has neither exports nor main']);
}

if (!fs.existsSync(path.join(dir, 'dist'))) {
  refuse(['there is no dist/ (it was never built)']);
}
const problems = [];
let oldestOutput = Infinity;
for (const { name, source } of entries) {
  const code = [`dist/${name}.cjs.js`, `dist/${name}.esm.js`].filter(file =>
    fs.existsSync(path.join(dir, file)),
  );
  if (code.length === 0) {
    problems.push(
      `dist/${name}.cjs.js or dist/${name}.esm.js is missing (the build of ${source})`,
    );
  }
  for (const output of [`dist/${name}.d.ts`, ...code]) {
    const file = path.join(dir, output);
    if (!fs.existsSync(file)) {
      problems.push(`${output} is missing (the build of ${source})`);
      continue;
    }
    oldestOutput = Math.min(oldestOutput, fs.statSync(file).mtimeMs);
  }
}
if (problems.length > 0) {
  refuse(problems);
}

// Every built source file: not tests and their fixtures (`__testUtils__`, `__fixtures__`).
function sources(current) {
  return fs.readdirSync(current, { withFileTypes: true }).flatMap(entry => {
    if (entry.name.startsWith('__') || /\.test\.tsx?$/.test(entry.name)) {
      return [];
    }
    const file = path.join(current, entry.name);
    return entry.isDirectory() ? sources(file) : [file];
  });
}

// dist/*.d.ts are rolled up from the root tsc's dist-types/: a package build after an
// edit but without tsc gets fresh files with old types. So each source must be older
// than both its declaration there and the package's dist/.
const distTypes = path.join(
  repoRoot,
  'dist-types',
  path.relative(repoRoot, dir),
);
for (const file of sources(path.join(dir, 'src'))) {
  const relative = path.relative(dir, file);
  const mtime = fs.statSync(file).mtimeMs;
  if (mtime > oldestOutput) {
    problems.push(`${relative} changed after the last build of dist/`);
  }
  if (/\.tsx?$/.test(file) && !file.endsWith('.d.ts')) {
    const declaration = path.join(
      distTypes,
      relative.replace(/\.tsx?$/, '.d.ts'),
    );
    if (
      !fs.existsSync(declaration) ||
      fs.statSync(declaration).mtimeMs < mtime
    ) {
      problems.push(`${relative} changed after the root tsc wrote its types`);
    }
  }
}
if (problems.length > 0) {
  refuse(problems.slice(0, 5));
}

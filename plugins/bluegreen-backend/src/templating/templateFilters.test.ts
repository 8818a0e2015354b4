/*
 * hclString against the real thing: random strings rendered through the real skeleton
 * file with the scaffolder's template engine (nunjitsu, as fetch:template configures it)
 * and read back by the real OpenTofu CLI.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JsonValue } from '@backstage/types';
import { createTemplateRenderer } from 'nunjitsu';
import { tofuBinary } from '../__testUtils__/tofu';
import { hclString, hclStringBody, templateFilters } from './templateFilters';

jest.setTimeout(120_000);

const SKELETON = path.resolve(
  __dirname,
  '../../../../templates/eks-blue-green/skeleton',
);
const TFVARS_TEMPLATE = fs.readFileSync(
  path.join(SKELETON, 'terraform.tfvars.njk'),
  'utf8',
);

/** The assignments of the template: `name = "${{ values.name ... }}"` or unquoted. */
const assignments = [
  ...TFVARS_TEMPLATE.matchAll(/^(\w+)\s*=\s*("?)\$\{\{ values\.(\w+)\b/gm),
].map(([, name, quote, value]) => ({ name, quoted: quote === '"', value }));
const stringNames = assignments.filter(a => a.quoted).map(a => a.name);

/** mulberry32: a small seeded generator, so that a failure can be replayed. */
function generator(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TRICKY = [
  '"',
  '\\',
  '${',
  '%{',
  '$${',
  '%%{',
  '$',
  '%',
  '{',
  '}',
  '\n',
  '\t',
  '\r\n',
  '#',
  '//',
  '/*',
  '*/',
  '<<EOF',
  '=',
  ' ',
  "'",
  '\u0000',
  '\b',
  '\f',
  '\u007f',
  '\u0085',
  '\u2028',
  'e\u0301',
];
// Old, stable scripts and emoji: Go's and ICU's Unicode versions agree on their NFC.
const UNICODE_RANGES: Array<[number, number]> = [
  [0x00a0, 0x024f],
  [0x0370, 0x03ff],
  [0x0400, 0x04ff],
  [0x3040, 0x309f],
  [0x4e00, 0x9fff],
  [0x1f300, 0x1f64f],
];

function randomString(random: () => number): string {
  const pick = (n: number) => Math.floor(random() * n);
  let text = '';
  for (let pieces = pick(25); pieces > 0; pieces--) {
    const kind = random();
    if (kind < 0.4) {
      text += TRICKY[pick(TRICKY.length)];
    } else if (kind < 0.8) {
      text += String.fromCharCode(0x20 + pick(0x7f - 0x20));
    } else {
      const [from, to] = UNICODE_RANGES[pick(UNICODE_RANGES.length)];
      text += String.fromCodePoint(from + pick(to - from + 1));
    }
  }
  // HCL normalises every string to NFC; only NFC input can come back unchanged.
  return text.normalize('NFC');
}

/** Named cases first, so that every run covers them. */
const NAMED = [
  'x"\nevil = "y',
  '${var.aws_region}',
  '%{ if true }x%{ endif }',
  '$${literal}',
  '%%{literal}',
  '\\"',
  '\\',
  'ends with $',
  'ends with %',
  '',
  '# not a comment // nor this /* nor */',
];

function tofu(dir: string, args: string[]) {
  const result = spawnSync(tofuBinary(), args, {
    cwd: dir,
    encoding: 'utf8',
    // A CLI configuration file named but missing makes the CLI print a warning on stdout.
    env: { ...process.env, TF_CLI_CONFIG_FILE: undefined },
  });
  if (result.status !== 0) {
    throw new Error(
      `tofu ${args.join(' ')} failed: ${result.stdout}${result.stderr}`,
    );
  }
  return result.stdout;
}

describe('hclStringBody', () => {
  it.each([
    ['plain', 'plain'],
    ['"', '\\"'],
    ['\\', '\\\\'],
    ['\\n', '\\\\n'],
    ['${var.x}', '$${var.x}'],
    ['%{ if x }', '%%{ if x }'],
    ['$${x}', '$$${x}'],
    ['%%{x}', '%%%{x}'],
    ['$ % { }', '$ % { }'],
    ['a\nb\r\tc', 'a\\nb\\r\\tc'],
    // JSON's \b and \f are not HCL escapes.
    [
      '\b\f\u0000\u001f\u007f\u009f',
      '\\u0008\\u000c\\u0000\\u001f\\u007f\\u009f',
    ],
    ['# // /* */', '# // /* */'],
    ['é 中 😀', 'é 中 😀'],
    [60, '60'],
  ])('writes %j as %j', (value, body) => {
    expect(hclStringBody(value)).toBe(body);
  });

  it('refuses a lone surrogate, which has no UTF-8 encoding', () => {
    expect(() => hclStringBody('a\ud800b')).toThrow('lone UTF-16 surrogate');
  });
});

describe('hclString in the generation skeleton', () => {
  it.each([undefined, null, ['a'], { a: 1 }])(
    'refuses %j rather than rendering it',
    value => {
      expect(() => templateFilters.hclString(value as any)).toThrow(
        'hclString: expects a string, number or boolean',
      );
    },
  );

  it('quotes every value inside an HCL string of the skeleton; only numbers are bare', () => {
    const hclFiles = fs
      .readdirSync(SKELETON, { recursive: true, encoding: 'utf8' })
      .filter(file => /\.(tf|tfvars)\.njk$/.test(file));
    const unescaped: string[] = [];
    const bare: string[] = [];
    for (const file of hclFiles) {
      const text = fs.readFileSync(path.join(SKELETON, file), 'utf8');
      for (const line of text.split('\n')) {
        for (const match of line.matchAll(/\$\{\{(.*?)\}\}/g)) {
          const quotesBefore = line.slice(0, match.index).split('"').length - 1;
          if (quotesBefore % 2 === 0) {
            bare.push(match[1].trim());
          } else if (!/\| hclString\s*$/.test(match[1])) {
            unescaped.push(`${file}: ${line.trim()}`);
          }
        }
      }
    }
    expect(hclFiles.length).toBeGreaterThanOrEqual(8);
    expect(unescaped).toEqual([]);
    expect([...new Set(bare)].sort()).toEqual([
      'values.blue_weight',
      'values.green_weight',
      'values.record_ttl',
    ]);
  });

  it('makes terraform.tfvars assign exactly the given strings, read back by OpenTofu', () => {
    expect(assignments.every(a => a.name === a.value)).toBe(true);
    expect(assignments.filter(a => !a.quoted).map(a => a.name)).toEqual([
      'record_ttl',
    ]);
    expect(stringNames).toHaveLength(14);

    // As fetch:template hands the scaffolder's filters to nunjitsu.
    const renderer = createTemplateRenderer({
      filters: {
        hclString: input => hclString(input as JsonValue),
      },
      allowRegexExecution: true,
    });
    const variablesTf = assignments
      .map(
        ({ name, quoted }) =>
          `variable "${name}" {\n  type = ${
            quoted ? 'string' : 'number'
          }\n}\n` + `output "${name}" {\n  value = var.${name}\n}\n`,
      )
      .join('');

    // A new seed each run widens the search; the failure report names it.
    const seed = Math.floor(Math.random() * 2 ** 31);
    const random = generator(seed);
    const queue = [...NAMED];
    const runs = 15;
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bluegreen-hcl-'));
    const mismatches: unknown[] = [];
    const diagnostics: unknown[] = [];
    let checked = 0;
    try {
      for (let run = 0; run < runs; run++) {
        const values: Record<string, string | number> = {
          record_ttl: 1 + Math.floor(random() * 172800),
        };
        for (const name of stringNames) {
          values[name] = queue.shift() ?? randomString(random);
        }
        const dir = path.join(root, String(run));
        fs.mkdirSync(dir);
        fs.writeFileSync(path.join(dir, 'variables.tf'), variablesTf);
        fs.writeFileSync(
          path.join(dir, 'terraform.tfvars'),
          renderer.render(TFVARS_TEMPLATE, { values }),
        );
        tofu(dir, ['init', '-input=false', '-no-color']);
        const events = tofu(dir, [
          'apply',
          '-auto-approve',
          '-input=false',
          '-json',
        ])
          .split('\n')
          .filter(Boolean)
          .map(line => JSON.parse(line));
        // Warnings such as "Value for undeclared variable" mean a second assignment.
        diagnostics.push(
          ...events.filter(e => e['@level'] !== 'info').map(e => e['@message']),
        );
        const outputs = JSON.parse(tofu(dir, ['output', '-json']));
        for (const [name, value] of Object.entries(values)) {
          checked++;
          if (outputs[name]?.value !== value) {
            mismatches.push({ name, value, read: outputs[name]?.value });
          }
        }
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
    expect(checked).toBe(runs * assignments.length);
    expect({ seed, mismatches, diagnostics }).toEqual({
      seed,
      mismatches: [],
      diagnostics: [],
    });
  });
});

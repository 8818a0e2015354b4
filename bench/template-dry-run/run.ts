/*
 * bench/template-dry-run: wall time of one dry run of the "Create new cluster generation"
 * template (templates/eks-blue-green/template.yaml) as the template editor does it:
 * POST /api/scaffolder/v2/dry-run with the guest token, the parsed template, the values of
 * "the seed defaults" (plugins/bluegreen-backend/src/templates/generation.test.ts) and the
 * template's files (template.yaml, skeleton/**) as base64, through the real example
 * backend (`backstage-cli package start`, examples/app-config.yaml) against the AWS
 * sandbox, a LOCAL STAND-IN for Route 53 and EKS (not AWS). Timed from sending the POST
 * until the whole JSON answer is parsed.
 * Goal: median <= 2 s.
 *
 * Run: bash bench/template-dry-run/run.sh [runs] [--warmup=1]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { seedGenerationValues } from '../../plugins/bluegreen-backend/src/__fixtures__/generationValues';
import { Sandbox } from '@bluegreen/example-sandbox';
import { ExampleBackend } from '../../examples/backend/src/launch';
import { runMain, withExampleBackend } from '../lib/exampleRun';
import { formatMs, median, summarizeMs } from '../lib/stats';

const GOAL_MEDIAN_MS = 2000;
const TEMPLATE_DIR = path.resolve(__dirname, '../../templates/eks-blue-green');
const TEMPLATE_REF = 'template:default/create-cluster-generation';
/** Files the rendered repository must contain. */
const REQUIRED_FILES = ['eks-blue/main.tf', 'terraform.tfvars'];

function parseArgs(argv: string[]) {
  const options = { runs: 15, warmup: 1 };
  for (const arg of argv) {
    const flag = /^--warmup=(\d+)$/.exec(arg);
    if (flag) {
      options.warmup = Number(flag[1]);
    } else if (/^\d+$/.test(arg)) {
      options.runs = Number(arg);
    } else {
      throw new Error(
        `unknown argument ${arg}; usage: run.sh [runs] [--warmup=N]`,
      );
    }
  }
  if (options.runs < 1) throw new Error('runs must be at least 1');
  return options;
}

/** template.yaml and every file under skeleton/ (dot files too), as the editor sends them. */
function directoryContents(): { path: string; base64Content: string }[] {
  const files: string[] = ['template.yaml'];
  const walk = (relative: string) => {
    const entries = fs
      .readdirSync(path.join(TEMPLATE_DIR, relative), { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const child = `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) files.push(child);
    }
  };
  walk('skeleton');
  return files.map(file => ({
    path: file,
    base64Content: fs
      .readFileSync(path.join(TEMPLATE_DIR, file))
      .toString('base64'),
  }));
}

/** "the seed defaults" of plugins/bluegreen-backend/src/templates/generation.test.ts. */
function seedDefaults() {
  return {
    ...seedGenerationValues(),
    repoUrl: 'github.com?owner=acme&repo=eks-blueprint-generation',
    owner: 'group:default/team-burnham',
  };
}

interface LogEntry {
  body: { message?: string; stepId?: string; status?: string };
}

interface Run {
  ms: number;
  status: number;
  files: string[];
  log: LogEntry[];
  output: unknown;
  /** Sandbox requests during the run, by operation. */
  counts: Record<string, number>;
  problems: string[];
}

async function dryRun(
  backend: ExampleBackend,
  sandbox: Sandbox,
  token: string,
  body: string,
): Promise<Run> {
  sandbox.resetRequestCounts();
  const sent = process.hrtime.bigint();
  const res = await fetch(`${backend.baseUrl}/api/scaffolder/v2/dry-run`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
    },
    body,
  });
  const text = await res.text();
  let answer: any;
  try {
    answer = JSON.parse(text);
  } catch {
    answer = undefined;
  }
  const ms = Number(process.hrtime.bigint() - sent) / 1e6;
  const counts = sandbox.requestCounts();

  const problems: string[] = [];
  if (res.status !== 200) {
    problems.push(`HTTP ${res.status}: ${text.slice(0, 500)}`);
  }
  const log: LogEntry[] = Array.isArray(answer?.log) ? answer.log : [];
  const files: string[] = Array.isArray(answer?.directoryContents)
    ? answer.directoryContents.map((f: { path: string }) => f.path)
    : [];
  if (res.status === 200) {
    for (const entry of log) {
      if (/has failed/.test(entry.body?.message ?? '')) {
        problems.push(`log: ${entry.body.message}`);
      } else if (entry.body?.status === 'failed') {
        problems.push(
          `step ${entry.body.stepId} failed: ${entry.body.message}`,
        );
      }
    }
    for (const file of REQUIRED_FILES) {
      if (!files.includes(file)) {
        problems.push(`directoryContents lacks ${file}`);
      }
    }
  }
  return {
    ms,
    status: res.status,
    files,
    log,
    output: answer?.output,
    counts,
    problems,
  };
}

/** The last status each step reported in the log, in step order, with its messages. */
function stepSummary(run: Run): string[] {
  const steps = new Map<string, { status?: string; messages: string[] }>();
  for (const entry of run.log) {
    const id = entry.body?.stepId;
    if (!id) continue;
    const step = steps.get(id) ?? { messages: [] };
    if (entry.body.status) step.status = entry.body.status;
    if (entry.body.message) {
      // Task log lines carry the logger's colours and level: "\u001b[32minfo\u001b[39m: ...".
      step.messages.push(
        entry.body.message
          // eslint-disable-next-line no-control-regex
          .replace(/\u001b\[[0-9;]*m/g, '')
          .replace(/^(info|warn|error|debug): /, ''),
      );
    }
    steps.set(id, step);
  }
  return [...steps].map(([id, step]) => {
    const notable = step.messages.filter(m =>
      /^Skipping|^(blue|green): |Linked|Using the versions table/.test(m),
    );
    return `${id}: ${step.status ?? 'no status'}${
      notable.length ? ` (${notable.join(' | ')})` : ''
    }`;
  });
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const command = `bash bench/template-dry-run/run.sh ${options.runs}${
    options.warmup !== 1 ? ` --warmup=${options.warmup}` : ''
  }`;

  const template = parse(
    fs.readFileSync(path.join(TEMPLATE_DIR, 'template.yaml'), 'utf8'),
  );
  const values = seedDefaults();
  const contents = directoryContents();
  const body = JSON.stringify({
    template,
    values,
    secrets: {},
    directoryContents: contents,
  });

  await withExampleBackend(command, async (backend, sandbox) => {
    const token = await backend.guestToken();
    const headers = { Authorization: `Bearer ${token}` };
    // The dry run does not read the template from the catalog, but waiting for the
    // catalog's first ingestion keeps it from competing for the CPU during the runs.
    await backend.waitFor(
      `${TEMPLATE_REF} in the catalog`,
      async () => {
        const res = await fetch(
          `${backend.baseUrl}/api/catalog/entities/by-name/template/default/create-cluster-generation`,
          { headers },
        );
        return res.ok ? true : undefined;
      },
      120_000,
    );
    console.log(
      `dry run of ${TEMPLATE_REF}: ${contents.length} files sent (${(
        body.length / 1024
      ).toFixed(0)} KiB request), Kubernetes versions blue ${
        values.kubernetes_versions.blue
      } / green ${values.kubernetes_versions.green}`,
    );

    const runs: Run[] = [];
    let warmup: Run | undefined;
    for (let i = 0; i < options.warmup + options.runs; i++) {
      const run = await dryRun(backend, sandbox, token, body);
      const label =
        i < options.warmup
          ? `warm-up ${i + 1}`
          : `run ${i - options.warmup + 1}`;
      console.log(
        `${label}: ${run.ms.toFixed(0)} ms  HTTP ${run.status}, ${
          run.files.length
        } files, ${run.log.length} log lines  sandbox ${JSON.stringify(
          run.counts,
        )}${
          run.problems.length ? `  PROBLEMS: ${run.problems.join('; ')}` : ''
        }`,
      );
      if (i < options.warmup) warmup = run;
      else runs.push(run);
      if (run.problems.length > 0) break;
    }

    const shown = runs[runs.length - 1] ?? warmup!;
    console.log('');
    console.log('steps of the last dry run, from its log:');
    for (const line of stepSummary(shown)) console.log(`  ${line}`);
    console.log(`  output: ${JSON.stringify(shown.output)}`);
    console.log(
      `  rendered files (${shown.files.length}): ${[...shown.files]
        .sort()
        .join(' ')}`,
    );

    const times = runs.map(r => r.ms);
    const failed = runs.filter(r => r.problems.length > 0).length;
    const pass =
      failed === 0 &&
      runs.length === options.runs &&
      median(times) <= GOAL_MEDIAN_MS;
    console.log('');
    console.log(
      `template-dry-run: ${runs.length} measured run(s) after ${options.warmup} warm-up, sequential; Node ${process.versions.node}`,
    );
    console.log(
      `POST /api/scaffolder/v2/dry-run -> 200 and body read: ${summarizeMs(
        times,
      )}`,
    );
    console.log(
      `runs that passed the checks (HTTP 200, no "has failed" log line, ${REQUIRED_FILES.join(
        ' and ',
      )} rendered): ${runs.length - failed}/${options.runs}`,
    );
    console.log(
      `median ${formatMs(median(times))} (goal <= ${formatMs(
        GOAL_MEDIAN_MS,
      )}): ${pass ? 'PASS' : 'FAIL'}`,
    );
    return pass;
  });
}

runMain(main);

/*
 * GitHub stand-ins over the local git server (gitHttpServer.ts): publish:github and
 * publish:github:pull-request with the real actions' ids and inputs, and a URL reader
 * serving https://github.com/<owner>/<repo> from it, so that a template's whole round trip
 * (publish, fetch, propose) lands in real git repositories the tests read with the git CLI.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  coreServices,
  createBackendModule,
  createServiceFactory,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import {
  createTemplateAction,
  initRepoAndPush,
  scaffolderActionsExtensionPoint,
  serializeDirectoryContents,
} from '@backstage/plugin-scaffolder-node';
import { git, GitHttpServer } from './gitHttpServer';

/** owner/repo of a repoUrl (github.com?owner=o&repo=r). */
export function repoName(repoUrl: string): string {
  const params = new URLSearchParams(repoUrl.split('?')[1]);
  return `${params.get('owner')}/${params.get('repo')}`;
}

function tempDir(prefix: string) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Commits everything in a working copy (the tests' own identity). */
async function commitAll(dir: string, message: string) {
  await git(['add', '-A'], dir);
  await git(
    [
      '-c',
      'user.name=test',
      '-c',
      'user.email=test@example.com',
      'commit',
      '--quiet',
      '-m',
      message,
    ],
    dir,
  );
}

/** Pushes a directory's files as the first commit of main of a new repository. */
export async function pushDirectory(
  server: GitHttpServer,
  name: string,
  dir: string,
): Promise<void> {
  const { dir: bare } = server.createRepo(name);
  const work = tempDir('bluegreen-seed-');
  fs.cpSync(dir, work, { recursive: true, verbatimSymlinks: true });
  await git(['init', '--quiet', '--initial-branch=main'], work);
  await commitAll(work, 'initial commit');
  await git(['push', '--quiet', bare, 'main'], work);
  fs.rmSync(work, { recursive: true, force: true });
}

/** A pull request the stand-in opened: a branch of the repository. */
export interface OpenedPullRequest {
  repo: string;
  branch: string;
  title: string;
}

/**
 * publish:github (the same push code, initRepoAndPush) and publish:github:pull-request
 * (the real action's file selection, serializeDirectoryContents with .gitignore, onto a
 * branch of a clone of main) against the local git server.
 */
export function gitHubStandInModule(
  server: GitHttpServer,
  pullRequests: OpenedPullRequest[] = [],
) {
  return createBackendModule({
    pluginId: 'scaffolder',
    moduleId: 'github-stand-in',
    register(reg) {
      reg.registerInit({
        deps: { actions: scaffolderActionsExtensionPoint },
        async init({ actions }) {
          actions.addActions(
            createTemplateAction({
              id: 'publish:github',
              schema: {
                input: z =>
                  z.object({
                    repoUrl: z.string(),
                    description: z.string().optional(),
                    defaultBranch: z.string().optional(),
                    repoVisibility: z.string().optional(),
                  }),
              },
              async handler(ctx) {
                const name = repoName(ctx.input.repoUrl);
                const { url } = server.createRepo(name);
                await initRepoAndPush({
                  dir: ctx.workspacePath,
                  remoteUrl: url,
                  auth: { username: 'test', password: 'test' },
                  logger: ctx.logger,
                  defaultBranch: ctx.input.defaultBranch ?? 'main',
                  commitMessage: 'initial commit',
                });
                ctx.output('remoteUrl', `https://github.com/${name}`);
                ctx.output(
                  'repoContentsUrl',
                  `https://github.com/${name}/blob/main`,
                );
              },
            }),
            createTemplateAction({
              id: 'publish:github:pull-request',
              schema: {
                input: z =>
                  z.object({
                    repoUrl: z.string(),
                    branchName: z.string(),
                    title: z.string(),
                    description: z.string().optional(),
                  }),
              },
              async handler(ctx) {
                const name = repoName(ctx.input.repoUrl);
                const clone = tempDir('bluegreen-pr-');
                await git([
                  'clone',
                  '--quiet',
                  `${server.url}/${name}.git`,
                  clone,
                ]);
                await git(
                  ['checkout', '--quiet', '-b', ctx.input.branchName],
                  clone,
                );
                for (const file of await serializeDirectoryContents(
                  ctx.workspacePath,
                  { gitignore: true },
                )) {
                  const target = path.join(clone, file.path);
                  fs.mkdirSync(path.dirname(target), { recursive: true });
                  fs.rmSync(target, { force: true });
                  if (file.symlink) {
                    fs.symlinkSync(file.content.toString('utf8'), target);
                  } else {
                    fs.writeFileSync(target, file.content);
                  }
                }
                await commitAll(clone, ctx.input.title);
                await git(
                  ['push', '--quiet', 'origin', ctx.input.branchName],
                  clone,
                );
                fs.rmSync(clone, { recursive: true, force: true });
                pullRequests.push({
                  repo: name,
                  branch: ctx.input.branchName,
                  title: ctx.input.title,
                });
                ctx.output(
                  'remoteUrl',
                  `https://github.com/${name}/pull/${pullRequests.length}`,
                );
                ctx.output('targetBranchName', ctx.input.branchName);
              },
            }),
          );
        },
      });
    },
  });
}

/** The files a branch changes against main, as the pull request's diff shows them. */
export async function pullRequestFiles(
  server: GitHttpServer,
  pr: OpenedPullRequest,
): Promise<{ files: string[]; diff: string }> {
  const clone = tempDir('bluegreen-diff-');
  await git(['clone', '--quiet', `${server.url}/${pr.repo}.git`, clone]);
  const range = `origin/main...origin/${pr.branch}`;
  const files = (await git(['diff', '--name-only', range], clone))
    .trim()
    .split('\n')
    .filter(Boolean);
  const diff = await git(['diff', range], clone);
  fs.rmSync(clone, { recursive: true, force: true });
  return { files, diff };
}

/**
 * A URL reader serving https://github.com/<owner>/<repo>[/tree/main/] from the local git
 * server's main branch (a clone, without .git, as a fetched archive has it).
 */
export function gitServerUrlReader(server: GitHttpServer): UrlReaderService {
  return {
    async readUrl() {
      throw new Error('not used by these templates');
    },
    async search() {
      throw new Error('not used by these templates');
    },
    async readTree(url) {
      const match = /^https:\/\/github\.com\/([^/]+)\/([^/]+)/.exec(url);
      if (!match) {
        throw new Error(`unexpected URL ${url}`);
      }
      const name = `${match[1]}/${match[2]}`;
      return {
        etag: 'git',
        async files() {
          return [];
        },
        async archive() {
          throw new Error('not used by these templates');
        },
        async dir(dirOptions) {
          const targetDir = dirOptions?.targetDir ?? tempDir('bluegreen-tree-');
          const clone = tempDir('bluegreen-read-');
          await git(['clone', '--quiet', `${server.url}/${name}.git`, clone]);
          fs.rmSync(path.join(clone, '.git'), { recursive: true, force: true });
          fs.cpSync(clone, targetDir, {
            recursive: true,
            verbatimSymlinks: true,
          });
          fs.rmSync(clone, { recursive: true, force: true });
          return targetDir;
        },
      };
    },
  };
}

/** gitServerUrlReader as the backend's urlReader service, for startTestBackend. */
export function gitServerUrlReaderService(server: GitHttpServer) {
  return createServiceFactory({
    service: coreServices.urlReader,
    deps: {},
    factory: () => gitServerUrlReader(server),
  });
}

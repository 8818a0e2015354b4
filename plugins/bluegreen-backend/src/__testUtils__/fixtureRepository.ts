import fs from 'node:fs';
import path from 'node:path';
import {
  coreServices,
  createServiceFactory,
  UrlReaderService,
} from '@backstage/backend-plugin-api';

const FIXTURE = path.resolve(__dirname, '../__fixtures__/generation');

/**
 * A URL reader that serves the fixture generation (or `fixture`) for the given
 * repository URLs and nothing else. `dereference` copies the files the links point to,
 * as a fetched repository archive delivers them (its symlinks lost).
 */
export function fixtureUrlReader(
  repositoryUrls: string | string[],
  options: { dereference?: boolean; fixture?: string } = {},
): UrlReaderService {
  const urls = [repositoryUrls].flat();
  return {
    async readUrl() {
      throw new Error('not used by these templates');
    },
    async search() {
      throw new Error('not used by these templates');
    },
    async readTree(url) {
      if (!urls.includes(url)) {
        throw new Error(`unexpected URL ${url}`);
      }
      return {
        etag: 'fixture',
        async files() {
          return [];
        },
        async archive() {
          throw new Error('not used by these templates');
        },
        async dir(dirOptions) {
          const targetDir = dirOptions?.targetDir ?? '';
          fs.cpSync(options.fixture ?? FIXTURE, targetDir, {
            recursive: true,
            ...(options.dereference
              ? { dereference: true }
              : { verbatimSymlinks: true }),
          });
          return targetDir;
        },
      };
    },
  };
}

/**
 * The fixture keeps its state in the stack folders (a real generation keeps it in S3),
 * and its provisioners and some tests leave markers there. Tests that run an action on a
 * workspace applied before serve, as the repository, `fixture` plus exactly those files
 * as they are in the workspace when it is read; every other file is still compared.
 */
const LOCAL_FILES = [
  'terraform.tfstate',
  'terraform.tfstate.backup',
  '.terraform.tfstate.lock.info',
  '.slowed-once',
  '.fail-destroy-addons',
];
const STACKS = ['environment', 'eks-blue', 'eks-green'];

export function fixtureWithLocalState(
  workspacePath: string,
  fixture: UrlReaderService,
): UrlReaderService {
  return {
    ...fixture,
    async readTree(url, options) {
      const tree = await fixture.readTree(url, options);
      return {
        ...tree,
        async dir(dirOptions) {
          const dir = await tree.dir(dirOptions);
          for (const stack of STACKS) {
            for (const name of LOCAL_FILES) {
              const from = path.join(workspacePath, stack, name);
              if (fs.existsSync(from)) {
                fs.copyFileSync(from, path.join(dir, stack, name));
              }
            }
          }
          return dir;
        },
      };
    },
  };
}

/** fixtureUrlReader as the backend's urlReader service, for startTestBackend. */
export function fixtureRepositoryReader(
  repositoryUrls: string | string[],
  options: { dereference?: boolean; fixture?: string } = {},
) {
  return createServiceFactory({
    service: coreServices.urlReader,
    deps: {},
    factory: () => fixtureUrlReader(repositoryUrls, options),
  });
}

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

import fs from 'node:fs';
import path from 'node:path';
import {
  coreServices,
  createServiceFactory,
  UrlReaderService,
} from '@backstage/backend-plugin-api';

const FIXTURE = path.resolve(__dirname, '../__fixtures__/generation');

/**
 * A URL reader that serves the fixture generation for one repository URL and nothing
 * else. `dereference` copies the files the links point to, as a fetched repository
 * archive delivers them (its symlinks lost).
 */
export function fixtureRepositoryReader(
  repositoryUrl: string,
  options: { dereference?: boolean } = {},
) {
  return createServiceFactory({
    service: coreServices.urlReader,
    deps: {},
    factory: (): UrlReaderService => ({
      async readUrl() {
        throw new Error('not used by these templates');
      },
      async search() {
        throw new Error('not used by these templates');
      },
      async readTree(url) {
        if (url !== repositoryUrl) {
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
            fs.cpSync(FIXTURE, targetDir, {
              recursive: true,
              ...(options.dereference
                ? { dereference: true }
                : { verbatimSymlinks: true }),
            });
            return targetDir;
          },
        };
      },
    }),
  });
}

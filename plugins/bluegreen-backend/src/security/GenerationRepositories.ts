import { Config } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';

const CONFIG_KEY = 'bluegreen.generations.repositories';
const NAME = /^[A-Za-z0-9._-]+$/;
const HOST =
  /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;

/** A generation's repository: host, owner and name. */
export interface RepositoryRef {
  host: string;
  owner: string;
  repo: string;
}

/** A repository the configuration allows, with what the configuration binds to it. */
export interface AllowedRepository extends RepositoryRef {
  /** The URL to fetch it from (default branch). */
  url: string;
  /** The aws.accounts entry whose credentials the Terraform CLI gets for it. */
  awsAccountId?: string;
}

interface RepositoryEntry {
  host: string;
  owner?: string;
  awsAccountId?: string;
}

/**
 * Reads the two ways an entity names a repository: the scaffolder's repoUrl form
 * (`github.com?owner=o&repo=r`) and a URL (`https://host/o/r[/tree/...]`, with or without
 * the catalog's `url:` prefix). Undefined when the value is neither.
 */
export function parseRepositoryRef(value: string): RepositoryRef | undefined {
  const text = value.trim().replace(/^url:/, '');
  let ref: Partial<RepositoryRef>;
  if (/^https:\/\//.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return undefined;
    }
    const [owner, repo] = url.pathname.split('/').filter(Boolean);
    ref = { host: url.host, owner, repo: repo?.replace(/\.git$/, '') };
  } else {
    const [host, query = ''] = text.split('?');
    const params = new URLSearchParams(query);
    ref = {
      host,
      owner: params.get('owner') ?? undefined,
      repo: params.get('repo') ?? undefined,
    };
  }
  const { host, owner, repo } = ref;
  if (!host || !HOST.test(host.toLowerCase()) || !owner || !repo) {
    return undefined;
  }
  if (![owner, repo].every(part => NAME.test(part) && !/^\.\.?$/.test(part))) {
    return undefined;
  }
  return { host: host.toLowerCase(), owner, repo };
}

/** The repository's URL as fetch:plain and the URL reader take it (default branch). */
export function repositoryUrl(ref: RepositoryRef): string {
  return `https://${ref.host}/${ref.owner}/${ref.repo}`;
}

/**
 * The repositories a generation may be fetched from, from
 * `bluegreen.generations.repositories` (read once).
 */
export class GenerationRepositories {
  static fromConfig(config: Config): GenerationRepositories {
    return new GenerationRepositories(
      (config.getOptionalConfigArray(CONFIG_KEY) ?? []).map((entry, i) => {
        const awsAccountId = entry.getOptionalString('awsAccountId');
        if (awsAccountId !== undefined && !/^\d{12}$/.test(awsAccountId)) {
          throw new Error(
            `${CONFIG_KEY}[${i}].awsAccountId must be a 12-digit AWS account id`,
          );
        }
        return {
          host: entry.getString('host').toLowerCase(),
          owner: entry.getOptionalString('owner'),
          awsAccountId,
        };
      }),
    );
  }

  constructor(private readonly allowed: RepositoryEntry[]) {}

  /**
   * The repository `value` names, when the configuration allows it; refused with
   * NotAllowedError naming `field` (the annotation) and the config key otherwise.
   */
  check(value: string | undefined, field: string): AllowedRepository {
    const ref = value ? parseRepositoryRef(value) : undefined;
    if (!ref) {
      throw new NotAllowedError(
        `${field}: "${
          value ?? ''
        }" is not a repository (host?owner=o&repo=r or https://host/owner/repo)`,
      );
    }
    const entry = this.allowed.find(
      candidate =>
        candidate.host === ref.host &&
        (candidate.owner === undefined ||
          candidate.owner.toLowerCase() === ref.owner.toLowerCase()),
    );
    if (!entry) {
      throw new NotAllowedError(
        `${field}: repository ${ref.host}/${ref.owner}/${ref.repo} is not in ${CONFIG_KEY}`,
      );
    }
    return {
      ...ref,
      url: repositoryUrl(ref),
      awsAccountId: entry.awsAccountId,
    };
  }
}

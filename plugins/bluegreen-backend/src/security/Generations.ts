import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_SOURCE_LOCATION,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ANNOTATION_GENERATION_REPO } from '@bluegreen/plugin-bluegreen-common';
import {
  AllowedRepository,
  GenerationRepositories,
} from './GenerationRepositories';

const POLL_MS = 2_000;

/**
 * Where a generation names its repository: bluegreen/generation-repo, else its
 * backstage.io/source-location.
 */
export function generationRepositoryAnnotation(entity: Entity): {
  field: string;
  value?: string;
} {
  const annotations = entity.metadata.annotations ?? {};
  const field = annotations[ANNOTATION_GENERATION_REPO]
    ? ANNOTATION_GENERATION_REPO
    : ANNOTATION_SOURCE_LOCATION;
  return { field, value: annotations[field] };
}

/** A cluster generation as the Terraform actions act on it. */
export interface Generation {
  entity: Entity;
  entityRef: string;
  repository: AllowedRepository;
}

/**
 * Resolves the generation (its System entity) a Terraform action names, read with the
 * initiator's credentials, and the repository its Terraform must come from: its
 * bluegreen/generation-repo annotation, else its source location, allowed by
 * configuration.
 */
export class Generations {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      repositories: GenerationRepositories;
    },
  ) {}

  /** Parses the `generation` input: a System ref, kind and namespace defaulted. */
  static refOf(value: string): string {
    let ref;
    try {
      ref = parseEntityRef(value, {
        defaultKind: 'system',
        defaultNamespace: 'default',
      });
    } catch (error) {
      throw new InputError(`generation: ${(error as Error).message}`);
    }
    if (ref.kind.toLowerCase() !== 'system') {
      throw new InputError(
        `generation: must be the generation's System entity, got kind ${ref.kind}`,
      );
    }
    return stringifyEntityRef(ref);
  }

  /**
   * The generation a service runs on: its spec.system, in its own namespace unless the
   * reference names one (as the cutover template passes it to bluegreen:apply).
   */
  static ofService(entity: Entity): string | undefined {
    const system = entity.spec?.system;
    if (typeof system !== 'string' || system === '') return undefined;
    return stringifyEntityRef(
      parseEntityRef(system, {
        defaultKind: 'system',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    );
  }

  /**
   * With `wait`, a generation the catalog does not show yet (registered moments ago, still
   * being processed) is asked for again every 2 s until `waitMs` have passed.
   */
  async resolve(
    entityRef: string,
    credentials: BackstageCredentials,
    wait?: { waitMs: number; signal?: AbortSignal },
  ): Promise<Generation> {
    const deadline = Date.now() + (wait?.waitMs ?? 0);
    let entity = await this.options.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    while (!entity && Date.now() < deadline && !wait?.signal?.aborted) {
      await new Promise(resolve => setTimeout(resolve, POLL_MS));
      entity = await this.options.catalog.getEntityByRef(entityRef, {
        credentials,
      });
    }
    if (!entity && wait?.signal?.aborted) {
      throw new Error(
        `generation: the task was cancelled while waiting for the catalog to show ${entityRef}`,
      );
    }
    if (!entity) {
      throw new NotFoundError(
        `generation: ${entityRef} was not found${
          wait
            ? ` in the catalog within ${Math.round(
                wait.waitMs / 1000,
              )} s of its registration; once the catalog shows it, run "Deploy cluster generation"`
            : ''
        }`,
      );
    }
    const { field, value } = generationRepositoryAnnotation(entity);
    const repository = this.options.repositories.check(
      value,
      `${entityRef} ${field}`,
    );
    return { entity, entityRef, repository };
  }
}

import { Entity } from '@backstage/catalog-model';
import { JsonValue } from '@backstage/types';
import {
  parseRepositoryRef,
  repositoryUrl,
} from '../security/GenerationRepositories';
import { generationRepositoryAnnotation } from '../security/Generations';

/**
 * The `generationRepository` filter: a generation System entity (catalog:fetch's output)
 * to its repository as fetch:plain (`url`) and the publish actions (`repoUrl`,
 * host?owner=o&repo=r) take it. Which repositories may be used is still the actions'
 * decision (bluegreen.generations.repositories); this only spells the one it names.
 */
export function generationRepository(entity: JsonValue): {
  url: string;
  repoUrl: string;
} {
  const { field, value } = generationRepositoryAnnotation(
    entity as unknown as Entity,
  );
  const ref = value ? parseRepositoryRef(value) : undefined;
  if (!ref) {
    throw new Error(
      `generationRepository: the entity's ${field} "${
        value ?? ''
      }" names no repository`,
    );
  }
  return {
    url: repositoryUrl(ref),
    repoUrl: `${ref.host}?owner=${encodeURIComponent(
      ref.owner,
    )}&repo=${encodeURIComponent(ref.repo)}`,
  };
}

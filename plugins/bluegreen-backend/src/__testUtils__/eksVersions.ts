import { EksVersionCatalog } from '../aws/EksVersionCatalog';

/**
 * The EKS versions as bluegreen's versions table gives them on `day` (EKS unreachable),
 * so tests do not depend on today's calendar.
 */
export function versionsTableOn(day: string): EksVersionCatalog {
  return new EksVersionCatalog(
    async () => {
      throw new Error('no route to EKS');
    },
    () => new Date(day),
  );
}

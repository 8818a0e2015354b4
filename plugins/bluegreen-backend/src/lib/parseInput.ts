import { InputError } from '@backstage/errors';
import type { z } from 'zod/v3';

/**
 * Parses untrusted input with a zod schema and turns every problem into one InputError
 * (HTTP 400 in routes, a failed step in the scaffolder) that names each field and rule.
 */
export function parseInput<T extends z.ZodTypeAny>(
  schema: T,
  value: unknown,
  what: string,
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) {
    return result.data;
  }
  const problems = result.error.issues.map(issue => {
    const field = issue.path.reduce<string>((path, key) => {
      if (typeof key === 'number') {
        return `${path}[${key}]`;
      }
      return path ? `${path}.${key}` : key;
    }, '');
    return field ? `${field}: ${issue.message}` : issue.message;
  });
  throw new InputError(`Invalid ${what}: ${problems.join('; ')}`);
}

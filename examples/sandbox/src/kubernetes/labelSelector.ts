/*
 * Kubernetes label selectors as the list endpoints take them (`?labelSelector=`), for the
 * sandbox's Kubernetes stand-ins: equality (`a=b`, `a==b`, `a!=b`), set-based
 * (`a in (x,y)`, `a notin (x,y)`), existence (`a`, `!a`), joined by commas (AND).
 */

export type LabelRequirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' };

export class LabelSelectorError extends Error {}

const KEY = String.raw`[A-Za-z0-9](?:[-A-Za-z0-9_./]*[A-Za-z0-9])?`;
const VALUE = String.raw`(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?`;
const EQUALITY = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`);
const SET = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^()]*)\\)$`);
const EXISTS = new RegExp(`^(!)?\\s*(${KEY})$`);
const VALUE_ONLY = new RegExp(`^${VALUE}$`);

/** Splits on the commas outside parentheses. */
function splitRequirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map(p => p.trim());
}

export function parseLabelSelector(selector: string): LabelRequirement[] {
  if (selector.trim() === '') return [];
  return splitRequirements(selector).map(part => {
    let m = EQUALITY.exec(part);
    if (m) {
      return {
        key: m[1],
        op: m[2] === '!=' ? 'notin' : 'in',
        values: [m[3]],
      };
    }
    m = SET.exec(part);
    if (m) {
      const values = m[3].split(',').map(v => v.trim());
      if (values.some(v => !VALUE_ONLY.test(v))) {
        throw new LabelSelectorError(
          `unable to parse requirement: invalid label value in '${part}'`,
        );
      }
      return { key: m[1], op: m[2] as 'in' | 'notin', values };
    }
    m = EXISTS.exec(part);
    if (m) return { key: m[2], op: m[1] ? '!exists' : 'exists' };
    throw new LabelSelectorError(
      `unable to parse requirement: found '${part}', expected: key, !key, key=value, key!=value, key in (...) or key notin (...)`,
    );
  });
}

export function matchesLabelSelector(
  requirements: LabelRequirement[],
  labels: Record<string, string> = {},
): boolean {
  return requirements.every(r => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case 'in':
        return has && r.values.includes(labels[r.key]);
      case 'notin':
        return !has || !r.values.includes(labels[r.key]);
      default:
        return false;
    }
  });
}

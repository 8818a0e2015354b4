import { TemplateFilter } from '@backstage/plugin-scaffolder-node';
import { JsonValue } from '@backstage/types';
import { generationRepository } from './generationRepository';

// HCL's escapes are only \n \r \t \" \\ and \uNNNN (not JSON's \b or \f), so every other
// control character (Cc) is written as \uNNNN; `${` and `%{` start template sequences
// unless doubled.
const SPECIAL = /[\\"\p{Cc}]|[$%]\{/gu;
const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * The body of an HCL quoted string (without the quotes) holding exactly `value`. HCL
 * normalises strings to Unicode NFC, so a value that is not NFC arrives normalised.
 */
export function hclStringBody(value: string | number | boolean): string {
  const text = String(value);
  // A lone surrogate has no UTF-8 encoding: HCL refuses its \u escape.
  if (!text.isWellFormed()) {
    throw new Error('hclString: the value contains a lone UTF-16 surrogate');
  }
  // A replacer function, because `$$` in a replacement string means a single `$`.
  return text.replace(SPECIAL, match => {
    if (match.length === 2) {
      return `${match[0]}${match}`;
    }
    return (
      ESCAPES[match] ??
      `\\u${match.charCodeAt(0).toString(16).padStart(4, '0')}`
    );
  });
}

/** The `hclString` filter: {@link hclStringBody} of a scalar, refusing anything else. */
export function hclString(value: JsonValue): string {
  if (
    typeof value !== 'string' &&
    typeof value !== 'number' &&
    typeof value !== 'boolean'
  ) {
    // Rendering a missing value as "" would hide a template mistake.
    throw new Error(
      `hclString: expects a string, number or boolean, not ${
        value === null ? 'null' : typeof value
      }`,
    );
  }
  return hclStringBody(value);
}

/**
 * Template filters of the bluegreen templates, registered with the scaffolder by the
 * bluegreen module: `${{ values.x | hclString }}` inside an HCL string in the skeleton,
 * `${{ (entity | generationRepository).url }}` in the deploy and upgrade templates.
 */
export const templateFilters: Record<string, TemplateFilter> = {
  hclString,
  generationRepository: generationRepository as TemplateFilter,
};

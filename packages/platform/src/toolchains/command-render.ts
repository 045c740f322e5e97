/**
 * The parsed form of a command template, as `parseCommandTemplate` (command-template.ts) leaves it, and how it is
 * filled: each placeholder's value quoted for the quoting context the lexer found it in. Pure.
 */

export type QuoteContext = 'unquoted' | 'single' | 'double';

export type TemplatePart =
  { kind: 'text'; text: string } | { kind: 'param'; name: string; context: QuoteContext };

export interface CommandTemplate {
  parts: TemplatePart[];
  /** True when text appended after the command could land in a here-document (it must not be appended). */
  hasHereDocument: boolean;
  /** True when the command ends in a comment, which would swallow appended text up to a newline in a value. */
  endsInComment: boolean;
}

/** Shell words that mean something when they stand unquoted where a command starts. */
const RESERVED = new Set([
  'case',
  'do',
  'done',
  'elif',
  'else',
  'esac',
  'fi',
  'for',
  'function',
  'if',
  'in',
  'select',
  'then',
  'time',
  'until',
  'while',
]);

/** Quotes `value` so that, standing in `context`, the shell reads it as exactly its characters. */
export function quoteForContext(value: string, context: QuoteContext): string {
  switch (context) {
    case 'single':
      return value.replace(/'/g, `'\\''`);
    case 'double':
      return value.replace(/[\\"$`]/g, '\\$&');
    default:
      // `=` could turn a value into an assignment where a command starts; reserved words into syntax.
      return /^[A-Za-z0-9_@%+:,./-]+$/.test(value) && !RESERVED.has(value)
        ? value
        : `'${value.replace(/'/g, `'\\''`)}'`;
  }
}

/** Renders a parsed template; `valueOf` returns the raw (unquoted) value of a placeholder or throws. */
export function renderCommandTemplate(template: CommandTemplate, valueOf: (name: string) => string): string {
  return template.parts
    .map((part) => (part.kind === 'text' ? part.text : quoteForContext(valueOf(part.name), part.context)))
    .join('');
}

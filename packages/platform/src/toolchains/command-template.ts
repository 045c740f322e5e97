/**
 * An MLflow command template (`python train.py --alpha {alpha}`) read the way `/bin/sh` will read it, so each
 * `{name}` placeholder can be filled with quoting that is right where it stands (`command-render.ts`). Pure.
 *
 * Quoting one way everywhere is not enough: a single-quoted value inside `"…"` keeps its quotes as text and lets `$(…)`
 * run. So the template is lexed (quotes, backslashes, `$(…)`, backticks, `${…}`, `$((…))`, `[[…]]`, comments,
 * here-documents) and a placeholder gets: single quotes when unquoted, `'\''` for each `'` inside `'…'`, and a
 * backslash before `\ " $ \`` inside `"…"`. Where no quoting can keep a value one literal word — inside a command
 * substitution, backticks, a parameter or arithmetic expansion, a here-document, a comment, right after `$` or `\` —
 * the template is refused, as it is when its quotes or brackets do not balance.
 */
import type { CommandTemplate, QuoteContext, TemplatePart } from './command-render.js';

export class CommandTemplateError extends Error {
  override name = 'CommandTemplateError';
}

type Item = string | { param: string };

type FrameKind =
  | 'top'
  | 'subshell'
  | 'cmdsub'
  | 'arith'
  | 'dbracket'
  | 'backtick'
  | 'brace'
  | 'single'
  | 'double'
  | 'comment';

interface Frame {
  kind: FrameKind;
  /** Inside something whose text the shell reads again (or evaluates): no placeholder may stand here. */
  nested: boolean;
}

/** Where a placeholder stands, in words for messages. */
const NESTED_PLACE: Partial<Record<FrameKind, string>> = {
  cmdsub: 'inside $(…)',
  arith: 'inside an arithmetic expression (( … ))',
  dbracket: 'inside [[ … ]]',
  backtick: 'inside backticks',
  brace: 'inside ${…}',
  comment: 'inside a comment',
};

/** Splits Python `str.format` text into literal characters and `{name}` placeholders (`{{`/`}}` are braces). */
function splitPlaceholders(template: string): Item[] {
  const items: Item[] = [];
  let last = 0;
  for (const match of template.matchAll(/\{\{|\}\}|\{([^{}]*)\}/g)) {
    items.push(...template.slice(last, match.index));
    if (match[0] === '{{') items.push('{');
    else if (match[0] === '}}') items.push('}');
    else items.push({ param: match[1] ?? '' });
    last = match.index + match[0].length;
  }
  items.push(...template.slice(last));
  return items;
}

const BLANK = new Set([' ', '\t']);
const WORD_BREAK = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);

/**
 * Lexes a template; throws CommandTemplateError naming the first placeholder that stands where it cannot be made
 * one literal word, or the imbalance that makes the reading uncertain.
 */
export function parseCommandTemplate(template: string): CommandTemplate {
  let items = splitPlaceholders(template);
  // A backslash-newline outside '…' vanishes before the shell reads anything else, so `echo \⏎#` is a comment:
  // each one is removed (the first one found is always read right) and the rest is read again.
  for (;;) {
    try {
      return lex(items);
    } catch (error) {
      if (!(error instanceof LineContinuation)) throw error;
      items = [...items.slice(0, error.at), ...items.slice(error.at + 2)];
    }
  }
}

/** Thrown by `lex` at the first backslash-newline it meets outside single quotes. */
class LineContinuation extends Error {
  constructor(readonly at: number) {
    super('line continuation');
  }
}

function lex(items: Item[]): CommandTemplate {
  const parts: TemplatePart[] = [];
  const stack: Frame[] = [{ kind: 'top', nested: false }];
  const pendingHereDocs: { delimiter: string; stripTabs: boolean; depth: number }[] = [];
  let hasHereDocument = false;
  let text = '';
  /** Indexes of characters a backslash made literal (an escaped blank does not end a word). */
  const escaped = new Set<number>();

  const top = (): Frame => stack[stack.length - 1]!;
  const push = (kind: FrameKind, nests: boolean) => stack.push({ kind, nested: top().nested || nests });
  const charAt = (i: number): string | undefined => {
    const item = items[i];
    return typeof item === 'string' ? item : undefined;
  };
  const refuse = (name: string, place: string): never => {
    throw new CommandTemplateError(
      `the placeholder {${name}} stands ${place}, where a value cannot be kept one literal word; ` +
        `move it outside (for example into a variable: X={${name}}; … "$X")`,
    );
  };
  const placeOf = (): string => {
    for (let s = stack.length - 1; s >= 0; s--) {
      const place = NESTED_PLACE[stack[s]!.kind];
      if (place) return place;
    }
    return 'in a nested construct';
  };
  const atWordStart = (i: number): boolean => {
    if (i === 0) return true;
    const previous = items[i - 1];
    return typeof previous === 'string' && WORD_BREAK.has(previous) && !escaped.has(i - 1);
  };
  const flush = () => {
    if (text !== '') parts.push({ kind: 'text', text });
    text = '';
  };

  /** Reads the here-document bodies that start after the newline at `i`; returns the index of their last char. */
  const readHereDocBodies = (i: number): number => {
    let j = i + 1;
    if (pendingHereDocs.some((h) => h.depth !== stack.length)) {
      // Shells differ on where the body starts when its line goes on inside brackets.
      throw new CommandTemplateError(
        'a here-document line continues inside brackets; where its body starts would be a guess',
      );
    }
    while (pendingHereDocs.length > 0) {
      const { delimiter, stripTabs } = pendingHereDocs.shift()!;
      let found = false;
      while (j < items.length) {
        let line = '';
        for (; j < items.length && items[j] !== '\n'; j++) {
          const item = items[j]!;
          if (typeof item !== 'string') refuse(item.param, 'inside a here-document');
          line += item as string;
        }
        text += line + (j < items.length ? '\n' : '');
        j++;
        // The shell joins a line ending in a backslash with the next before it looks for the delimiter.
        if (/(?:^|[^\\])(?:\\\\)*\\$/.test(line)) {
          throw new CommandTemplateError(
            `a line of the here-document ending in "${delimiter}" ends with a backslash; where it ends would be a guess`,
          );
        }
        if ((stripTabs ? line.replace(/^\t+/, '') : line) === delimiter) {
          found = true;
          break;
        }
      }
      if (!found)
        throw new CommandTemplateError(`the here-document ending in "${delimiter}" is never closed`);
    }
    return j - 1;
  };

  /** Reads a here-document operator at `i` (`<<` or `<<-`) and its delimiter word; returns the last index used. */
  const readHereDocOperator = (i: number): number => {
    let j = i + 2;
    let op = '<<';
    const stripTabs = charAt(j) === '-';
    if (stripTabs) {
      op += '-';
      j++;
    }
    let blanks = '';
    while (BLANK.has(charAt(j) ?? '')) blanks += charAt(j++)!;
    let raw = '';
    let delimiter = '';
    let quote: string | undefined;
    for (; j < items.length; j++) {
      const item = items[j]!;
      if (typeof item !== 'string') return refuse(item.param, 'in a here-document delimiter');
      if (quote) {
        raw += item;
        if (item === quote) quote = undefined;
        else delimiter += item;
        continue;
      }
      if (WORD_BREAK.has(item)) break;
      raw += item;
      if (item === "'" || item === '"') quote = item;
      else if (item === '\\') {
        const next = charAt(j + 1);
        if (next !== undefined) {
          raw += next;
          delimiter += next;
          j++;
        }
      } else delimiter += item;
    }
    if (delimiter === '') throw new CommandTemplateError('a here-document (<<) has no delimiter word');
    pendingHereDocs.push({ delimiter, stripTabs, depth: stack.length });
    hasHereDocument = true;
    text += op + blanks + raw;
    return j - 1;
  };

  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const frame = top();
    if (typeof item !== 'string') {
      const name = item.param;
      if (frame.nested || frame.kind === 'comment') refuse(name, placeOf());
      const previous = charAt(i - 1);
      const escaped = previous === '\\' && isUnescapedBackslash(items, i - 1, frame.kind);
      if (escaped) refuse(name, 'right after a backslash');
      if (previous === '$' && frame.kind !== 'single') refuse(name, 'right after "$"');
      const context: QuoteContext =
        frame.kind === 'single' ? 'single' : frame.kind === 'double' ? 'double' : 'unquoted';
      flush();
      parts.push({ kind: 'param', name, context });
      continue;
    }
    text += item;
    const next = charAt(i + 1);
    switch (frame.kind) {
      case 'single':
        if (item === "'") stack.pop();
        break;
      case 'comment':
        if (item === '\n') {
          stack.pop();
          if (pendingHereDocs.length > 0) i = readHereDocBodies(i);
        }
        break;
      case 'backtick':
        if (item === '\\' && next !== undefined) i = skipEscaped(i, next);
        else if (item === '`') stack.pop();
        break;
      case 'double':
        if (item === '\\') {
          if (next !== undefined) i = skipEscaped(i, next);
        } else if (item === '"') stack.pop();
        else i = openDollarOrBacktick(i, item, next, false);
        break;
      case 'brace':
        if (item === '}') stack.pop();
        else if (item === '\\') {
          if (next !== undefined) i = skipEscaped(i, next);
        } else if (item === "'" || item === '"') {
          // Shells disagree on quotes inside ${…} within "…", so where it ends would be a guess.
          throw new CommandTemplateError(
            'the command has quotes inside ${…}; placeholders cannot be placed safely in it',
          );
        } else i = openDollarOrBacktick(i, item, next, false);
        break;
      default:
        i = codeChar(i, item, next, frame);
    }
  }
  if (pendingHereDocs.length > 0) {
    throw new CommandTemplateError(
      `the here-document ending in "${pendingHereDocs[0]!.delimiter}" is never closed`,
    );
  }
  const endsInComment = top().kind === 'comment';
  if (endsInComment) stack.pop();
  if (stack.length > 1) {
    const open = top().kind;
    throw new CommandTemplateError(
      `the command ends inside ${describeOpen(open)}: its quotes or brackets do not balance`,
    );
  }
  flush();
  return { parts, hasHereDocument, endsInComment };

  /** Takes the character after the backslash at `i` as literal text; returns its index. */
  function skipEscaped(i: number, next: string): number {
    if (next === '\n') throw new LineContinuation(i);
    text += next;
    escaped.add(i + 1);
    return i + 1;
  }

  /** `$'`, `$(`, `$((`, `${` and backticks, in code and in double quotes; returns the last index used. */
  function openDollarOrBacktick(i: number, item: string, next: string | undefined, inCode: boolean): number {
    if (item === '`') {
      push('backtick', true);
      return i;
    }
    if (item !== '$') return i;
    if (next === '(') {
      text += next;
      if (charAt(i + 2) === '(') {
        text += '(';
        push('cmdsub', true);
        push('arith', true);
        return i + 2;
      }
      push('cmdsub', true);
      return i + 1;
    }
    if (next === '{') {
      text += next;
      push('brace', true);
      return i + 1;
    }
    if (inCode && next === "'") {
      // dash reads $'…' as "$" and a plain '…' string, bash as C-style escapes: the two disagree on where it ends.
      throw new CommandTemplateError(
        "the command uses $'…' quoting, which /bin/sh shells read differently; use '…' or \"…\"",
      );
    }
    if (inCode && next === '"') {
      text += next;
      push('double', false);
      return i + 1;
    }
    return i;
  }

  /** A character outside quotes; returns the last index used. */
  function codeChar(i: number, item: string, next: string | undefined, frame: Frame): number {
    if (item === '\\') return next !== undefined ? skipEscaped(i, next) : i;
    if (item === "'") push('single', false);
    else if (item === '"') push('double', false);
    else if (item === '#' && atWordStart(i)) push('comment', false);
    else if (item === '(') {
      if (next === '(' && atWordStart(i)) {
        text += next;
        push('subshell', false);
        push('arith', true);
        return i + 1;
      }
      push('subshell', false);
    } else if (item === ')') {
      if (frame.kind === 'top' || frame.kind === 'dbracket') {
        throw new CommandTemplateError(
          'the command has a ")" without its "(" (a case pattern?); placeholders cannot be placed safely in it',
        );
      }
      stack.pop();
    } else if (item === '[' && next === '[' && atWordStart(i) && isBreak(charAt(i + 2))) {
      text += next;
      push('dbracket', true);
      return i + 1;
    } else if (item === ']' && next === ']' && frame.kind === 'dbracket' && atWordStart(i)) {
      text += next;
      stack.pop();
      return i + 1;
    } else if (item === '<' && next === '<') {
      if (charAt(i + 2) === '<') {
        text += '<<';
        return i + 2;
      }
      text = text.slice(0, -1);
      return readHereDocOperator(i);
    } else if (item === '\n' && pendingHereDocs.length > 0) {
      return readHereDocBodies(i);
    } else return openDollarOrBacktick(i, item, next, true);
    return i;
  }
}

function isBreak(char: string | undefined): boolean {
  return char === undefined || WORD_BREAK.has(char);
}

/** Whether the backslash at `at` escapes what follows (it is not itself escaped, and not inside '…'). */
function isUnescapedBackslash(items: Item[], at: number, kind: FrameKind): boolean {
  if (kind === 'single') return false;
  let count = 0;
  for (let k = at; k >= 0 && items[k] === '\\'; k--) count++;
  return count % 2 === 1;
}

function describeOpen(kind: FrameKind): string {
  switch (kind) {
    case 'single':
      return "a '…' quote";
    case 'double':
      return 'a "…" quote';
    case 'backtick':
      return 'backticks';
    case 'dbracket':
      return '[[ … ]]';
    default:
      return `an unclosed "${kind === 'brace' ? '${' : '('}"`;
  }
}

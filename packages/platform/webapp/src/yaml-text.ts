/**
 * A YAML emitter for manifests (plain JSON data: objects, arrays, strings, numbers, booleans, null), so the editor
 * shows a training as Odahu's YAML without bundling a YAML library (the server parses the YAML it gets back).
 * Strings a YAML reader would take for something else (`1.10`, `true`, `null`, `: `…) are double-quoted, in JSON's
 * escaping, which YAML reads the same way. Pure.
 */
type Json = string | number | boolean | null | undefined | Json[] | { [key: string]: Json };

const PLAIN = /^[A-Za-z_./][\w ./@~+-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n)$/i;

function scalar(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'string') return String(value);
  if (PLAIN.test(value) && !RESERVED.test(value) && !value.endsWith(' ') && !value.includes(' #'))
    return value;
  return JSON.stringify(value);
}

function key(name: string): string {
  return PLAIN.test(name) && !RESERVED.test(name) ? name : JSON.stringify(name);
}

function isEmpty(value: Json): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

function lines(value: Json, indent: string): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (item !== null && typeof item === 'object' && !isEmpty(item)) {
        const [first = '', ...rest] = lines(item, `${indent}  `);
        return [`${indent}- ${first.trimStart()}`, ...rest];
      }
      return [`${indent}- ${inline(item)}`];
    });
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .flatMap(([name, v]) =>
        v !== null && typeof v === 'object' && !isEmpty(v)
          ? [`${indent}${key(name)}:`, ...lines(v, `${indent}  `)]
          : [`${indent}${key(name)}: ${inline(v)}`],
      );
  }
  return [`${indent}${inline(value)}`];
}

function inline(value: Json): string {
  if (Array.isArray(value)) return '[]';
  if (value !== null && typeof value === 'object') return '{}';
  return scalar(value);
}

export function toYaml(value: unknown): string {
  return `${lines(value as Json, '').join('\n')}\n`;
}

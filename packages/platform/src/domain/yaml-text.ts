/**
 * YAML manifests read as the API expects them: a plain number keeps the text it was written as (`version: 3.0` is
 * `"3.0"`, not the number 3; `cpu: 4` is `"4"`), as odahuflowctl stringifies YAML scalars, because every numeric
 * looking field of a manifest is a string on the wire and the API refuses numbers. Booleans stay booleans
 * (`vital: true`). Pure.
 */
import type { Document } from 'yaml';
import { yamlLibrary } from './yaml-library.js';

/** Bounds "billion laughs" alias expansion. */
const MAX_ALIAS_COUNT = 100;

function numbersAsSourceText(doc: Document.Parsed): void {
  const yaml = yamlLibrary();
  yaml.visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'number' && typeof node.source === 'string') node.value = node.source;
    },
    // A JSON object has text keys: yaml would stringify a collection key with a process warning (on the server's
    // stderr, once per request that sends one). Refused instead, saying where.
    Pair(_key, pair) {
      if (yaml.isCollection(pair.key)) {
        const offset = pair.key.range?.[0];
        throw new Error(
          `a mapping key must be a plain value, not a ${yaml.isMap(pair.key) ? 'mapping' : 'list'}` +
            (offset === undefined ? '' : ` (at character ${offset + 1})`),
        );
      }
    },
  });
}

/** One YAML document as plain values, numbers as their source text; throws on a YAML error. */
export function parseYamlDocument(text: string): unknown {
  const doc = yamlLibrary().parseDocument(text);
  if (doc.errors[0]) throw doc.errors[0];
  numbersAsSourceText(doc);
  return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
}

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
  yamlLibrary().visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'number' && typeof node.source === 'string') node.value = node.source;
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

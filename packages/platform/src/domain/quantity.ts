/** Kubernetes resource quantities (`500m`, `2`, `1.5`, `256Mi`, `1G`, `1e3`), parsed to numbers for comparison. */

/** The regular expression Kubernetes prints when a quantity does not parse. */
export const QUANTITY_PATTERN_TEXT = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';

const SUFFIXES: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY =
  /^\+?([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)|[eE]([-+]?[0-9]+))?$/;

/** The value of a quantity in base units (cores, bytes), or `undefined` when it is not a valid quantity. */
export function parseQuantity(text: string): number | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const base = Number(match[1]);
  if (match[3] !== undefined) return base * 10 ** Number(match[3]);
  const factor = SUFFIXES[match[2] ?? ''];
  return factor === undefined ? undefined : base * factor;
}

/** Kubernetes resource quantities (`250m`, `1.5`, `512Mi`, `1G`, `1e9`) as numbers. Pure. */

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** Parses a quantity; throws an Error naming `what` when it is not one. */
export function parseQuantity(value: string, what: string): number {
  const match = /^([+]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]?)$/.exec(
    value.trim(),
  );
  if (!match) throw new Error(`${what}: "${value}" is not a valid quantity (examples: 500m, 2, 512Mi, 1Gi)`);
  const factor = BINARY[match[2]!] ?? DECIMAL[match[2]!] ?? 1;
  const n = Number(match[1]) * factor;
  if (!Number.isFinite(n)) throw new Error(`${what}: "${value}" is too large`);
  return n;
}

/** Memory quantity in bytes, rounded down. */
export function parseMemoryBytes(value: string): number {
  return Math.floor(parseQuantity(value, 'memory'));
}

/** CPU quantity in cores (`250m` → 0.25). */
export function parseCpuCores(value: string): number {
  return parseQuantity(value, 'cpu');
}

/** GPU count: a non-negative integer. */
export function parseGpuCount(value: string): number {
  const n = parseQuantity(value, 'gpu');
  if (!Number.isInteger(n)) throw new Error(`gpu: "${value}" must be a whole number of GPUs`);
  return n;
}

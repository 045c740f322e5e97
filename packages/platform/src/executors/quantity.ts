/**
 * Resource quantities as executors need them: the domain's Kubernetes quantity parser (one grammar for the
 * API's validation and the executors), with errors that name the resource. Pure.
 */
import { parseQuantity } from '../domain/quantity.js';

/** A quantity's value in base units (cores, bytes); throws an Error naming `what` when it is not one. */
export function quantityInBaseUnits(value: string, what: string): number {
  const n = parseQuantity(value.trim());
  if (n === undefined) {
    throw new Error(`${what}: "${value}" is not a valid quantity (examples: 500m, 2, 512Mi, 1Gi)`);
  }
  if (!Number.isFinite(n)) throw new Error(`${what}: "${value}" is too large`);
  return n;
}

/** Memory quantity in bytes, rounded down. */
export function parseMemoryBytes(value: string): number {
  return Math.floor(quantityInBaseUnits(value, 'memory'));
}

/** CPU quantity in cores (`250m` → 0.25). */
export function parseCpuCores(value: string): number {
  return quantityInBaseUnits(value, 'cpu');
}

/** GPU count: a non-negative integer. */
export function parseGpuCount(value: string): number {
  const n = quantityInBaseUnits(value, 'gpu');
  if (!Number.isInteger(n)) throw new Error(`gpu: "${value}" must be a whole number of GPUs`);
  return n;
}

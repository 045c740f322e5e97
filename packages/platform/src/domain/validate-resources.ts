/**
 * Resource quantity checks at submit: Kubernetes' grammar (Odahu's text when a quantity does not parse), then the
 * ranges Gangplank's executors can honour, so an absurd value is refused at the door instead of killing the run.
 * Pure.
 */
import { parseQuantity, QUANTITY_PATTERN_TEXT } from './quantity.js';
import type { ResourceList, ResourceRequirements } from './types.js';

type ResourceKey = 'cpu' | 'memory' | 'gpu';

/**
 * Below this a process cannot start under the local executor's `prlimit --data` (RLIMIT_DATA): Node aborted at
 * 8 MiB and hung at 16 MiB (measured); interpreters and their libraries need tens of MiB before the first line of
 * the training runs. Earlier, `1Ki`, `.5` or `1e3` were accepted and the run died with SIGSEGV and no hint.
 */
export const MIN_MEMORY_LIMIT_BYTES = 64 * 2 ** 20;
const MIN_MEMORY_LIMIT_TEXT = '64Mi';

/** 8Pi: the largest byte count a double holds exactly and `prlimit` reads as an integer (1.15e+50 read as 1). */
export const MAX_MEMORY_BYTES = 2 ** 53;
const MAX_MEMORY_TEXT = '8Pi';

/** More cores or GPUs than any machine or Slurm node has; a bound, not a policy. */
export const MAX_CPU_CORES = 2 ** 20;
export const MAX_GPUS = 2 ** 20;

function rangeProblem(
  key: ResourceKey,
  group: 'limits' | 'requests',
  value: string,
  n: number,
): string | undefined {
  const field = `resources.${group}.${key}`;
  if (!Number.isFinite(n)) return `${field}: "${value}" is too large`;
  switch (key) {
    case 'memory':
      if (n > MAX_MEMORY_BYTES) return `${field}: "${value}" is larger than ${MAX_MEMORY_TEXT}`;
      if (group === 'limits' && n < MIN_MEMORY_LIMIT_BYTES) {
        return `${field}: "${value}" is below ${MIN_MEMORY_LIMIT_TEXT}, too little for a process to start (units: 512Mi, 1Gi; a bare number is bytes)`;
      }
      return undefined;
    case 'cpu':
      if (n > MAX_CPU_CORES) return `${field}: "${value}" is more than ${MAX_CPU_CORES} cores`;
      if (group === 'limits' && n > 0 && n < 1e-3)
        return `${field}: "${value}" is below 1m (a thousandth of a core)`;
      return undefined;
    case 'gpu':
      if (!Number.isInteger(n))
        return `validation of gpu ${group === 'limits' ? 'limit' : 'request'} is failed: must be a whole number of GPUs`;
      if (n > MAX_GPUS) return `${field}: "${value}" is more than ${MAX_GPUS} GPUs`;
      return undefined;
  }
}

/** Every grammar and range problem of `resources`, in Odahu's order (limits, then requests; cpu, memory, gpu). */
export function resourceQuantityProblems(resources: ResourceRequirements): string[] {
  const problems: string[] = [];
  for (const group of ['limits', 'requests'] as const) {
    const word = group === 'limits' ? 'limit' : 'request';
    const list: ResourceList = resources[group] ?? {};
    for (const key of ['cpu', 'memory', 'gpu'] as const) {
      const value = list[key];
      if (value === undefined) continue;
      const parsed = parseQuantity(value);
      if (parsed === undefined) {
        problems.push(
          `validation of ${key} ${word} is failed: quantities must match the regular expression '${QUANTITY_PATTERN_TEXT}'`,
        );
        continue;
      }
      const problem = rangeProblem(key, group, value, parsed);
      if (problem !== undefined) problems.push(problem);
    }
  }
  return problems;
}

/** Kubernetes refuses a request above its limit. */
export function requestAboveLimitProblems(resources: ResourceRequirements): string[] {
  const problems: string[] = [];
  for (const key of ['cpu', 'memory', 'gpu'] as const) {
    const request = resources.requests?.[key];
    const limit = resources.limits?.[key];
    if (request === undefined || limit === undefined) continue;
    const r = parseQuantity(request);
    const l = parseQuantity(limit);
    if (r !== undefined && l !== undefined && r > l) {
      problems.push(
        `resources.requests.${key}: Invalid value: "${request}": must be less than or equal to ${key} limit`,
      );
    }
  }
  return problems;
}

/**
 * Turns a training's `resources` into what a local process can be held to. Pure: the caller says which tools
 * exist and which cores/GPUs this run got.
 *
 * - memory limit → `prlimit --data=<bytes>` (RLIMIT_DATA). RLIMIT_AS was rejected: V8 reserves far more virtual
 *   memory than it uses, so Node refuses to allocate much earlier than the limit says. Since Linux 4.7 RLIMIT_DATA
 *   counts private anonymous mappings, i.e. heaps of Node and Python alike (a 256 MiB limit stops a 512 MiB
 *   allocation in both, measured). Not a cgroup: page cache and shared memory are not counted.
 * - cpu limit → `taskset -c` onto ⌈cpu⌉ cores (rotated between runs), plus `OMP_NUM_THREADS` & co. so thread
 *   pools match; a fractional limit below one core adds `nice -n 10`. Not a CFS quota: a pinned process may use its
 *   cores fully.
 * - gpu limit → `CUDA_VISIBLE_DEVICES` with the GPU ids handed to this run; a run without GPUs sees none.
 */
import type { ResourcesSpec } from '../domain/run-spec.js';
import { parseCpuCores, parseGpuCount, parseMemoryBytes } from './quantity.js';

export interface MachineTools {
  /** Path of `prlimit`, when installed. */
  prlimit?: string;
  /** Path of `taskset`, when installed. */
  taskset?: string;
  /** Path of `nice`, when installed. */
  nice?: string;
  /** Cores this machine has. */
  cores: number;
}

export interface ResourcePlan {
  /** Program + arguments to put before the command. */
  prefix: string[];
  env: Record<string, string>;
  /** One line per limit, applied or not, for the run's log. */
  notes: string[];
  /** Cores used by the run (for rotation). */
  coreCount: number;
  /** GPUs the run asks for. */
  gpuCount: number;
}

/** Number of GPUs a spec asks for (limits first, then requests). */
export function requestedGpus(resources: ResourcesSpec | undefined): number {
  const value = resources?.limits?.gpu ?? resources?.requests?.gpu;
  return value === undefined || value === '' ? 0 : parseGpuCount(value);
}

/**
 * @param firstCore where this run's cores start (rotated by the caller).
 * @param gpus GPU ids handed to this run (length = requestedGpus), or undefined when the machine has no GPU pool.
 */
export function planResources(
  resources: ResourcesSpec | undefined,
  tools: MachineTools,
  firstCore: number,
  gpus: string[] | undefined,
): ResourcePlan {
  const prefix: string[] = [];
  const env: Record<string, string> = {};
  const notes: string[] = [];
  const memory = resources?.limits?.memory;
  if (memory) {
    const bytes = parseMemoryBytes(memory);
    if (tools.prlimit) {
      prefix.push(tools.prlimit, `--data=${bytes}`, '--');
      notes.push(`memory limit ${memory} (${bytes} bytes) enforced with prlimit --data`);
    } else notes.push(`memory limit ${memory} not enforced: prlimit is not installed`);
  }
  let coreCount = tools.cores;
  const cpu = resources?.limits?.cpu;
  if (cpu) {
    const cores = parseCpuCores(cpu);
    coreCount = Math.min(tools.cores, Math.max(1, Math.ceil(cores)));
    for (const name of ['OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'UV_THREADPOOL_SIZE']) {
      env[name] = String(coreCount);
    }
    if (coreCount < tools.cores && tools.taskset) {
      const list = Array.from({ length: coreCount }, (_, i) => (firstCore + i) % tools.cores).sort(
        (a, b) => a - b,
      );
      prefix.push(tools.taskset, '-c', list.join(','));
      notes.push(`cpu limit ${cpu}: pinned to core(s) ${list.join(',')} with taskset`);
    } else if (coreCount < tools.cores) {
      notes.push(`cpu limit ${cpu} not enforced: taskset is not installed`);
    } else notes.push(`cpu limit ${cpu}: all ${tools.cores} cores of this machine`);
    if (cores < 1 && tools.nice) {
      prefix.push(tools.nice, '-n', '10');
      notes.push(`cpu limit ${cpu} below one core: lowered priority with nice -n 10`);
    }
  }
  const gpuCount = requestedGpus(resources);
  if (gpus !== undefined) {
    env.CUDA_VISIBLE_DEVICES = gpus.join(',');
    if (gpuCount > 0) notes.push(`gpu(s) ${gpus.join(',')} via CUDA_VISIBLE_DEVICES`);
  }
  return { prefix, env, notes, coreCount, gpuCount };
}

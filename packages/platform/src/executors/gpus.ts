import { execFileSync } from 'node:child_process';

/**
 * The GPU ids a local executor hands out, when none are configured: the server's own `CUDA_VISIBLE_DEVICES` if set
 * (the server was given these GPUs), else the indexes `nvidia-smi -L` lists, else none (undefined: runs' GPU
 * variables are left alone and a run asking for a GPU fails with `ResourceError`).
 */
export function detectGpus(
  env: NodeJS.ProcessEnv = process.env,
  listGpus: () => string = () =>
    execFileSync('nvidia-smi', ['-L'], {
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
): string[] | undefined {
  const visible = env.CUDA_VISIBLE_DEVICES;
  if (visible !== undefined) {
    const ids = visible
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '' && s !== '-1' && s !== 'NoDevFiles');
    return ids.length > 0 ? ids : undefined;
  }
  try {
    const ids = listGpus()
      .split('\n')
      .map((line) => /^GPU (\d+):/.exec(line)?.[1])
      .filter((id): id is string => id !== undefined);
    return ids.length > 0 ? ids : undefined;
  } catch {
    return undefined; // no NVIDIA driver here
  }
}

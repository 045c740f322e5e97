import { describe, expect, it } from 'vitest';
import { detectGpus } from '../../src/executors/gpus.js';
import { planResources } from '../../src/executors/resources.js';

describe('GPU pool and resource plan', () => {
  it('takes the server’s CUDA_VISIBLE_DEVICES, else nvidia-smi, else no pool', () => {
    const never = () => {
      throw new Error('not called');
    };
    expect(detectGpus({ CUDA_VISIBLE_DEVICES: '2, 3' }, never)).toEqual(['2', '3']);
    expect(detectGpus({ CUDA_VISIBLE_DEVICES: '' }, never)).toBeUndefined();
    const smi = 'GPU 0: NVIDIA A100 (UUID: GPU-1)\nGPU 1: NVIDIA A100 (UUID: GPU-2)\n';
    expect(detectGpus({}, () => smi)).toEqual(['0', '1']);
    expect(
      detectGpus({}, () => {
        throw new Error('nvidia-smi: not found');
      }),
    ).toBeUndefined();
  });

  it('plans memory, cpu and gpu limits with the tools there are, and says what it skipped', () => {
    const tools = {
      cores: 4,
      prlimit: '/usr/bin/prlimit',
      taskset: '/usr/bin/taskset',
      nice: '/usr/bin/nice',
    };
    const plan = planResources({ limits: { memory: '1Gi', cpu: '500m', gpu: '1' } }, tools, 3, ['7']);
    expect(plan.prefix).toEqual([
      '/usr/bin/prlimit',
      '--data=1073741824',
      '--',
      '/usr/bin/taskset',
      '-c',
      '3',
      '/usr/bin/nice',
      '-n',
      '10',
    ]);
    expect(plan.env).toMatchObject({ CUDA_VISIBLE_DEVICES: '7', OMP_NUM_THREADS: '1' });
    const bare = planResources({ limits: { memory: '1Gi', cpu: '2' } }, { cores: 4 }, 0, undefined);
    expect(bare.prefix).toEqual([]);
    expect(bare.notes.join('\n')).toContain('not enforced: prlimit is not installed');
    expect(bare.notes.join('\n')).toContain('not enforced: taskset is not installed');
    expect(() => planResources({ limits: { memory: 'lots' } }, tools, 0, undefined)).toThrow(
      'not a valid quantity',
    );
  });
});

import { describe, expect, it } from 'vitest';
import {
  InvalidRunError,
  parseDuration,
  resolveRunSpec,
  toToolchainSpec,
} from '../../src/dispatcher/resolve-run-spec.js';
import { patchFor } from '../../src/dispatcher/state-mapping.js';
import { renderRunMetrics } from '../../src/dispatcher/run-metrics.js';
import type { Connection, ToolchainIntegration, TrainingRun } from '../../src/domain/types.js';

const at = '2026-01-01T00:00:00.000Z';
const toolchain = (id: string, spec: Partial<ToolchainIntegration['spec']> = {}): ToolchainIntegration => ({
  id,
  createdAt: at,
  updatedAt: at,
  spec: { entrypoint: '/opt/conda/bin/odahu-flow-mlflow-runner', defaultImage: 'img', ...spec },
  status: {},
});
const connection = (id: string, spec: Connection['spec']): Connection => ({
  id,
  createdAt: at,
  updatedAt: at,
  spec,
  status: {},
});

function run(spec: Partial<TrainingRun['spec']> = {}): TrainingRun {
  return {
    id: 'r1',
    trainingId: 'wine',
    seq: 1,
    state: 'scheduling',
    artifacts: [],
    createdAt: at,
    cancelRequested: false,
    spec: {
      model: { name: 'wine', version: '1.0' },
      toolchain: 'mlflow',
      entrypoint: 'main',
      algorithmSource: { vcs: { connection: 'repo', reference: 'v1' } },
      data: [{ connection: 'bucket', localPath: 'data/', remotePath: 'wine/' }],
      ...spec,
    },
  };
}

const sources = {
  getToolchain: (id: string) =>
    Promise.resolve(
      id === 'mlflow'
        ? toolchain('mlflow', { additionalEnvironments: { A: '1' } })
        : id === 'py'
          ? toolchain('py', { entrypoint: 'python3 -u' })
          : undefined,
    ),
  getConnection: (id: string) =>
    Promise.resolve(
      id === 'repo'
        ? connection('repo', { type: 'git', uri: 'https://example.com/r.git', password: 'tok' })
        : id === 'bucket'
          ? connection('bucket', {
              type: 's3',
              uri: 's3://b/',
              keyID: 'k',
              keySecret: 's',
              region: 'eu',
              endpoint: 'http://minio:9000',
            })
          : undefined,
    ),
};

describe('run description from a stored run', () => {
  it('resolves toolchain, source, data, metrics wiring and defaults', async () => {
    const spec = await resolveRunSpec(run(), sources, { pushgatewayAddr: '127.0.0.1:9091', timeoutMs: 5000 });
    expect(spec).toMatchObject({
      runId: 'r1',
      trainingId: 'wine',
      toolchain: { id: 'mlflow', kind: 'mlflow', additionalEnvironments: { A: '1' } },
      source: { kind: 'git', reference: 'v1', connection: { id: 'repo', password: 'tok' } },
      data: [
        {
          localPath: 'data/',
          remotePath: 'wine/',
          connection: { id: 'bucket', endpoint: 'http://minio:9000' },
        },
      ],
      timeoutMs: 5000,
      metrics: {
        enabled: true,
        job: 'wine',
        grouping: { training: 'wine' },
        pushgatewayAddr: '127.0.0.1:9091',
      },
    });
  });

  it("carries the training's image (else the toolchain's defaultImage) and node selector", async () => {
    const own = await resolveRunSpec(
      run({ image: 'ghcr.io/example/wine:2', nodeSelector: { 'gangplank.io/pool': 'gpu' } }),
      sources,
    );
    expect(own.image).toBe('ghcr.io/example/wine:2');
    expect(own.toolchain.defaultImage).toBe('img');
    expect(own.nodeSelector).toEqual({ 'gangplank.io/pool': 'gpu' });
    const defaulted = await resolveRunSpec(run({ image: '', nodeSelector: {} }), sources);
    expect(defaulted.image).toBe('img');
    expect(defaulted).not.toHaveProperty('nodeSelector');
  });

  it('reads job name, metrics switch and timeout from reserved envs', async () => {
    const spec = await resolveRunSpec(
      run({
        envs: [
          { name: 'GANGPLANK_JOB', value: 'dlrm_v1.0' },
          { name: 'GANGPLANK_METRICS_ENABLED', value: 'false' },
          { name: 'GANGPLANK_TIMEOUT', value: '1h30m' },
        ],
      }),
      sources,
    );
    expect(spec.metrics).toMatchObject({ job: 'dlrm_v1.0', enabled: false });
    expect(spec.timeoutMs).toBe(5_400_000);
  });

  it('fails clearly on a missing toolchain or connection', async () => {
    await expect(resolveRunSpec(run({ toolchain: 'nope' }), sources)).rejects.toThrow(InvalidRunError);
    await expect(
      resolveRunSpec(run({ data: [{ connection: 'x', localPath: 'd' }] }), sources),
    ).rejects.toThrow('data binding #1: connection "x" is not found');
    await expect(resolveRunSpec(run({ outputConnection: 'out' }), sources)).rejects.toThrow(
      'output connection: connection "out" is not found',
    );
  });

  it('tells mlflow toolchains from command toolchains', () => {
    expect(toToolchainSpec(toolchain('mlflow')).kind).toBe('mlflow');
    expect(toToolchainSpec(toolchain('x')).kind).toBe('mlflow'); // Odahu's MLflow runner entrypoint
    expect(toToolchainSpec(toolchain('py', { entrypoint: 'python3 -u' }))).toEqual({
      id: 'py',
      kind: 'command',
      command: ['python3', '-u'],
      defaultImage: 'img',
    });
    expect(toToolchainSpec(toolchain('n', { kind: 'command', command: ['node'] })).command).toEqual(['node']);
  });

  it('parses durations', () => {
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(() => parseDuration('soon')).toThrow('is not a duration');
  });
});

describe('state mapping and run metrics', () => {
  const now = new Date(at);
  it('maps executor phases onto run states', () => {
    expect(patchFor({ phase: 'preparing' }, { state: 'scheduling' }, now)).toEqual({ state: 'running' });
    expect(
      patchFor({ phase: 'running', processName: 'local-1' }, { state: 'running', podName: 'local-1' }, now),
    ).toBeUndefined();
    expect(
      patchFor({ phase: 'failed', exitCode: 2, reason: 'Failed', message: 'm' }, { state: 'running' }, now),
    ).toEqual({
      state: 'failed',
      reason: 'Failed',
      message: 'm',
      exitCode: 2,
      finishedAt: at,
      release: true,
    });
  });

  it('renders the run metrics as exact exposition text', () => {
    const text = renderRunMetrics({
      runId: 'r1',
      trainingId: 'wine',
      job: 'wine',
      state: 'succeeded',
      modelName: 'wi"ne',
      modelVersion: '1.0',
      toolchain: 'mlflow',
      executor: 'local',
      createdAt: '2026-01-01T00:00:00.000Z',
      startedAt: '2026-01-01T00:00:01.000Z',
      finishedAt: '2026-01-01T00:01:01.500Z',
      exitCode: 0,
    });
    expect(text).toContain('gangplank_run_state{state="succeeded"} 1\ngangplank_run_state{state="failed"} 0');
    expect(text).toContain(
      'gangplank_run_info{model_name="wi\\"ne",model_version="1.0",toolchain="mlflow",executor="local"} 1',
    );
    expect(text).toContain('gangplank_run_duration_seconds 60.5');
    expect(text).toContain('gangplank_run_start_time_seconds 1767225601');
    expect(text).toContain('gangplank_run_exit_code 0');
    expect(text.endsWith('\n')).toBe(true);
  });
});

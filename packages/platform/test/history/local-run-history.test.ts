/**
 * `local train run` has no server: the same exporter appends the run's history to `<outputDir>/<runId>-history.jsonl`
 * (GANGPLANK_HISTORY_FILE), and the progress line reads it.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { historyFromLines, readHistoryFileMetrics } from '../../src/cli/history-file.js';
import { runTrainingLocally } from '../../src/dispatcher/run-locally.js';
import { NODE_TOOLCHAIN, tempDir } from '../fixtures/specs.js';
import { twentyEpochs } from './twenty-epochs.js';

const root = tempDir('gp-local-history-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('local run history', () => {
  it('keeps every epoch in the output folder and shows progress from it', async () => {
    const source = join(root, 'source');
    mkdirSync(source, { recursive: true });
    writeFileSync(join(source, 'README'), 'local history\n');
    const outputDir = join(root, 'out');
    let announced: string | undefined;
    const result = await runTrainingLocally({
      // A closed port: pushes fail at once, the history file is unaffected.
      training: { id: 'local-history', spec: twentyEpochs('127.0.0.1:9') },
      toolchain: NODE_TOOLCHAIN,
      connections: [{ id: 'src', spec: { type: 'local', uri: source } }],
      outputDir,
      cacheDir: join(root, 'cache'),
      onHistoryFile: (file) => (announced = file),
    });
    expect(result.state).toBe('succeeded');
    expect(result.historyFile).toBe(join(outputDir, `${result.runId}-history.jsonl`));
    expect(announced).toBe(result.historyFile);
    const series = historyFromLines(readFileSync(result.historyFile, 'utf8'));
    const loss = series.find((s) => s.name === 'loss');
    expect(loss?.points.map((p) => p.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await readHistoryFileMetrics(result.historyFile)).toEqual({
      epoch: 20,
      loss: 1 / 20,
      accuracy: 19 / 20,
    });
  }, 120_000);

  it('reads torn and repeated lines as the server would', () => {
    const text = [
      '{"phase":"train","name":"loss","step":1,"time":1,"value":0.5}',
      '{"phase":"train","name":"loss","step":1,"time":2,"value":9}',
      '{"phase":"train","name":"loss","step":2,"time":3,"value":"NaN"}',
      '{"phase":"train","na',
    ].join('\n');
    expect(historyFromLines(text)).toEqual([
      {
        name: 'loss',
        phase: 'train',
        points: [
          { step: 1, time: 1, value: 0.5 },
          { step: 2, time: 3, value: NaN },
        ],
      },
    ]);
  });
});

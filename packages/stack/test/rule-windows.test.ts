import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDeployDir, ensureBinaries, scaleExpressionWindows, scaleRuleWindows } from '@gangplank/stack';

const rulesDir = join(defaultDeployDir(), 'prometheus', 'rules');

function promtool(args: string[]): { status: number | null; output: string } {
  const result = spawnSync(ensureBinaries(['promtool']).promtool!, args, {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('scaleExpressionWindows', () => {
  it.each([
    ['avg_over_time(x[5m]) < 0.05', 'avg_over_time(x[30s]) < 0.05'],
    ['rate(a[1h30m]) / rate(b[10m])', 'rate(a[9m]) / rate(b[1m])'],
    ['max_over_time(rate(x[5m])[1h:5m])', 'max_over_time(rate(x[30s])[6m:30s])'],
    ['max_over_time(x[10m:])', 'max_over_time(x[1m:])'],
    ['x offset 1h', 'x offset 6m'],
    // Numbers outside windows are thresholds, not durations.
    ['time() - push_time_seconds > 900', 'time() - push_time_seconds > 900'],
  ])('%s → %s at 0.1', (expr, scaled) => {
    expect(scaleExpressionWindows(expr, 0.1)).toBe(scaled);
  });

  it('never goes below the minimum window, but subquery steps and offsets may', () => {
    expect(scaleExpressionWindows('rate(x[1m])', 0.01, 4000)).toBe('rate(x[4s])');
    expect(scaleExpressionWindows('x[1m:1m] offset 1m', 0.01, 4000)).toBe('x[4s:600ms] offset 600ms');
  });
});

describe('scaleRuleWindows', () => {
  it('returns the file untouched at scale 1', () => {
    const text = readFileSync(join(rulesDir, 'drift.yml'), 'utf8');
    expect(scaleRuleWindows(text)).toBe(text);
  });

  it('scales windows and for:, keeping comments and thresholds', () => {
    const scaled = scaleRuleWindows(readFileSync(join(rulesDir, 'drift.yml'), 'utf8'), { timeScale: 0.1 });
    expect(scaled).toContain('expr: avg_over_time(gangplank_predict_drift_p_value[30s]) < 0.05');
    expect(scaled).toContain('for: 6s');
    expect(scaled).toContain("# Python Gangplank's only rule");
    expect(scaled).toContain('> 0.25');
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses time scale %d', (timeScale) => {
    expect(() => scaleRuleWindows('groups: []', { timeScale })).toThrow(/positive number/);
  });

  it('refuses a file that is not a rule file', () => {
    expect(() => scaleRuleWindows('scrape_configs: []', { timeScale: 0.5 })).toThrow(/groups/);
  });

  it('every project rule file, scaled by 0.1, still passes promtool check rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gangplank-rules-'));
    const files = readdirSync(rulesDir).map((f) => {
      const out = join(dir, f);
      writeFileSync(
        out,
        scaleRuleWindows(readFileSync(join(rulesDir, f), 'utf8'), { timeScale: 0.1, minWindow: '4s' }),
      );
      return out;
    });
    const result = promtool(['check', 'rules', ...files]);
    expect(result.status, result.output).toBe(0);
  });

  // What the drift example's end-to-end test relies on: at 0.1 the seed's alert fires within a minute of drift.
  it('scaled by 0.1, DriftDetected fires within a minute of the p-value dropping (promtool unit test)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gangplank-rules-'));
    writeFileSync(
      join(dir, 'drift.yml'),
      scaleRuleWindows(readFileSync(join(rulesDir, 'drift.yml'), 'utf8'), {
        timeScale: 0.1,
        minWindow: '4s',
      }),
    );
    writeFileSync(
      join(dir, 'test.yml'),
      [
        'rule_files: [drift.yml]',
        'evaluation_interval: 1s',
        'tests:',
        '  - interval: 1s',
        '    input_series:',
        // 60 s without drift, then p-values of 0.01 from 61 s on.
        `      - series: 'gangplank_predict_drift_p_value{job="mnist",instance="127.0.0.1:8561"}'`,
        `        values: '0.5x60 0.01x120'`,
        '    alert_rule_test:',
        '      - { eval_time: 60s, alertname: DriftDetected, exp_alerts: [] }',
        '      - eval_time: 120s',
        '        alertname: DriftDetected',
        '        exp_alerts:',
        '          - exp_labels: { severity: warning, job: mnist, instance: 127.0.0.1:8561 }',
        '            exp_annotations:',
        '              summary: Drift detected on mnist/127.0.0.1:8561',
        '              description: >-',
        '                The drift p-value of mnist (127.0.0.1:8561) averaged 0.01 over 5 minutes, below 0.05: the recent',
        '                inputs or predictions no longer look like the reference data.',
        '              runbook: >-',
        '                Compare gangplank_predict_drift_test_statistic with its usual level; check what changed upstream',
        '                of the service (data source, preprocessing, a new model version). Retrain on recent data if the',
        '                shift is real.',
        '',
      ].join('\n'),
    );
    const result = spawnSync(ensureBinaries(['promtool']).promtool!, ['test', 'rules', 'test.yml'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
  });
});

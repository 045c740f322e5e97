import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { deployDir, runTool } from './tools.js';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleTest {
  alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[];
}

const rulesDir = join(deployDir, 'prometheus', 'rules');
const testsDir = join(deployDir, 'prometheus', 'tests');
const ruleFiles = readdirSync(rulesDir).filter((f) => f.endsWith('.yml'));
const testFiles = readdirSync(testsDir).filter((f) => f.endsWith('.yml'));
const rules: Rule[] = ruleFiles.flatMap((f) =>
  (parse(readFileSync(join(rulesDir, f), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
    (g) => g.rules,
  ),
);
const alerts = rules.filter((r) => r.alert !== undefined);

describe('deploy/prometheus', () => {
  it('prometheus.yml passes promtool check config, with every rule file it names', () => {
    const result = runTool('promtool', ['check', 'config', 'prometheus/prometheus.yml']);
    expect(result.output).toContain('SUCCESS: 3 rule files found');
    expect(result.status, result.output).toBe(0);
  });

  it('scrapes the stack, the prediction service and the API, and honours pushed labels', () => {
    const config = parse(readFileSync(join(deployDir, 'prometheus', 'prometheus.yml'), 'utf8'));
    const jobs = Object.fromEntries(config.scrape_configs.map((j: { job_name: string }) => [j.job_name, j]));
    expect(Object.keys(jobs).sort()).toEqual([
      'alertmanager',
      'gangplank-api',
      'mnist',
      'prometheus',
      'pushgateway',
    ]);
    expect(jobs.pushgateway.honor_labels).toBe(true);
    expect(jobs.mnist.static_configs[0].targets).toEqual(['127.0.0.1:8561']);
    expect(jobs['gangplank-api'].static_configs[0].targets).toEqual(['127.0.0.1:5000']);
    expect(config.global.evaluation_interval).toBeDefined();
    expect(config.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['127.0.0.1:9093']);
  });

  it('every rule file passes promtool check rules', () => {
    const result = runTool('promtool', ['check', 'rules', ...ruleFiles.map((f) => `prometheus/rules/${f}`)]);
    expect(result.status, result.output).toBe(0);
  });

  it('the promtool unit tests pass', () => {
    const result = runTool('promtool', ['test', 'rules', ...testFiles.map((f) => `prometheus/tests/${f}`)]);
    expect(result.status, result.output).toBe(0);
    expect(result.output.match(/SUCCESS/g)).toHaveLength(testFiles.length);
  });

  it('the unit tests can fail: a wrong expectation is reported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gangplank-promtool-'));
    const file = join(dir, 'wrong.test.yml');
    writeFileSync(
      file,
      [
        `rule_files: ['${join(rulesDir, 'drift.yml')}']`,
        'tests:',
        '  - interval: 1m',
        '    input_series:',
        `      - series: 'gangplank_predict_drift_p_value{job="mnist"}'`,
        `        values: '0.5x20'`,
        '    alert_rule_test:',
        '      - eval_time: 10m',
        '        alertname: DriftDetected',
        '        exp_alerts: [{ exp_labels: { severity: warning, job: mnist } }]',
        '',
      ].join('\n'),
    );
    const result = runTool('promtool', ['test', 'rules', file]);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('FAILED');
  });

  it.each(alerts.map((a) => [a.alert!, a]))(
    'alert %s has for:, a known severity and annotations',
    (_name, alert) => {
      expect(alert.for).toMatch(/^(\d+(ms|[smhdwy]))+$/);
      expect(['critical', 'warning', 'info']).toContain(alert.labels?.severity);
      expect(Object.keys(alert.annotations ?? {}).sort()).toEqual(['description', 'runbook', 'summary']);
    },
  );

  it('has the alerts the issue asks for, and recording rules', () => {
    expect(new Set(alerts.map((a) => a.alert))).toEqual(
      new Set([
        'DriftDetected',
        'DriftIncidentRatioHigh',
        'TrainingLossNotFinite',
        'TrainingStoppedPushing',
        'PushgatewayPushFailed',
        'TrainingOverfitting',
        'PredictionLatencyHigh',
        'PredictionErrorRateHigh',
        'PushgatewayDown',
      ]),
    );
    expect(alerts.find((a) => a.alert === 'DriftDetected')!.expr.trim()).toBe(
      'avg_over_time(gangplank_predict_drift_p_value[5m]) < 0.05',
    );
    expect(rules.filter((r) => r.record !== undefined).length).toBeGreaterThanOrEqual(4);
  });

  it('every alert is unit-tested both firing and not firing', () => {
    const cases = testFiles.flatMap((f) =>
      (parse(readFileSync(join(testsDir, f), 'utf8')) as { tests: RuleTest[] }).tests.flatMap(
        (t) => t.alert_rule_test ?? [],
      ),
    );
    for (const name of new Set(alerts.map((a) => a.alert!))) {
      const mine = cases.filter((c) => c.alertname === name);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${name} firing`,
      ).toBe(true);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${name} not firing`,
      ).toBe(true);
    }
  });

  it('the compose variant of prometheus.yml has the same jobs and options, and passes promtool', () => {
    const main = parse(readFileSync(join(deployDir, 'prometheus', 'prometheus.yml'), 'utf8'));
    const compose = parse(readFileSync(join(deployDir, 'compose', 'prometheus.yml'), 'utf8'));
    const withoutTargets = (c: { scrape_configs: { static_configs: unknown }[] }) =>
      c.scrape_configs.map(({ static_configs: _targets, ...rest }) => rest);
    expect(withoutTargets(compose)).toEqual(withoutTargets(main));
    expect(compose.global).toEqual(main.global);
    expect(compose.rule_files).toEqual(main.rule_files);
    // promtool resolves rule_files next to the config, where the compose file mounts them.
    const dir = mkdtempSync(join(tmpdir(), 'gangplank-compose-'));
    cpSync(join(deployDir, 'compose', 'prometheus.yml'), join(dir, 'prometheus.yml'));
    cpSync(rulesDir, join(dir, 'rules'), { recursive: true });
    const result = runTool('promtool', ['check', 'config', join(dir, 'prometheus.yml')]);
    expect(result.output).toContain('SUCCESS: 3 rule files found');
    expect(result.status, result.output).toBe(0);
  });
});

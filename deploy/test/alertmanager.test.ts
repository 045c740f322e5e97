import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { deployDir, runTool } from './tools.js';

interface Receiver {
  name: string;
  [integration: string]: unknown;
}
interface InhibitRule {
  source_matchers: string[];
  target_matchers: string[];
  equal?: string[];
}

const config = parse(readFileSync(join(deployDir, 'alertmanager', 'alertmanager.yml'), 'utf8')) as {
  route: { receiver: string };
  receivers: Receiver[];
  inhibit_rules: InhibitRule[];
};
const ruleAlerts = readdirSync(join(deployDir, 'prometheus', 'rules')).flatMap((f) =>
  (
    parse(readFileSync(join(deployDir, 'prometheus', 'rules', f), 'utf8')) as {
      groups: { rules: { alert?: string; labels?: { severity?: string } }[] }[];
    }
  ).groups.flatMap((g) => g.rules.filter((r) => r.alert !== undefined)),
);

/** The routing tree's answer for an alert with these labels, from amtool itself. */
function routeOf(file: string, labels: Record<string, string>): string {
  const result = runTool('amtool', [
    'config',
    'routes',
    'test',
    `--config.file=${file}`,
    ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
  ]);
  expect(result.status, result.output).toBe(0);
  return result.output
    .split('\n')
    .find((l) => l.trim() !== '' && !l.startsWith('Warning'))!
    .trim();
}

describe('deploy/alertmanager', () => {
  it.each(['alertmanager/alertmanager.yml', 'alertmanager/examples/notify.yml'])(
    '%s passes amtool check-config',
    (file) => {
      const result = runTool('amtool', ['check-config', file]);
      expect(result.output).toContain('SUCCESS');
      expect(result.status, result.output).toBe(0);
    },
  );

  it('routes every alert to a receiver with no integration to fail (no webhook nobody serves)', () => {
    expect(config.receivers.map((r) => r.name)).toEqual(['gangplank']);
    expect(Object.keys(config.receivers[0]!)).toEqual(['name']);
    for (const alert of ruleAlerts) {
      expect(
        routeOf('alertmanager/alertmanager.yml', {
          alertname: alert.alert!,
          severity: alert.labels!.severity!,
        }),
      ).toBe('gangplank');
    }
  });

  it('the notify example pages critical alerts and e-mails the rest', () => {
    expect(
      routeOf('alertmanager/examples/notify.yml', { alertname: 'PushgatewayDown', severity: 'critical' }),
    ).toBe('on-call,team-email');
    expect(
      routeOf('alertmanager/examples/notify.yml', { alertname: 'DriftDetected', severity: 'warning' }),
    ).toBe('team-email');
  });

  it('inhibit rules name only severities and alerts that our rules produce', () => {
    const severities = new Set(ruleAlerts.map((a) => a.labels!.severity!));
    const names = new Set(ruleAlerts.map((a) => a.alert!));
    const matchers = config.inhibit_rules.flatMap((r) => [...r.source_matchers, ...r.target_matchers]);
    expect(matchers.length).toBeGreaterThan(0);
    for (const matcher of matchers) {
      const m = /^(\w+)(=~|=)"(.*)"$/.exec(matcher);
      expect(m, matcher).not.toBeNull();
      const [, label, , value] = m!;
      const known = label === 'severity' ? severities : label === 'alertname' ? names : undefined;
      expect(known, `matcher on ${label}`).toBeDefined();
      for (const v of value!.split('|')) {
        if (label === 'severity' && v === 'info') continue; // reserved for alerts users add
        expect(known!.has(v), `${label}="${v}" in an inhibit rule`).toBe(true);
      }
    }
    // The critical/warning pair of one alert is what the severity rule is for.
    const errorRate = ruleAlerts
      .filter((a) => a.alert === 'PredictionErrorRateHigh')
      .map((a) => a.labels!.severity);
    expect(errorRate.sort()).toEqual(['critical', 'warning']);
  });
});

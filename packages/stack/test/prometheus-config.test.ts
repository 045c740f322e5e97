import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { defaultDeployDir, renderPrometheusConfig } from '@gangplank/stack';

const source = readFileSync(join(defaultDeployDir(), 'prometheus', 'prometheus.yml'), 'utf8');
const ports = { prometheus: 19090, pushgateway: 19091, alertmanager: 19093 };

interface Job {
  job_name: string;
  honor_labels?: boolean;
  static_configs: { targets: string[] }[];
}
function jobs(text: string): Record<string, Job> {
  return Object.fromEntries(
    (parse(text) as { scrape_configs: Job[] }).scrape_configs.map((j) => [j.job_name, j]),
  );
}

describe('renderPrometheusConfig', () => {
  it('points the stack jobs and the alerting section at the given ports, and keeps job options', () => {
    const rendered = renderPrometheusConfig(source, { host: '127.0.0.1', ports });
    const byName = jobs(rendered);
    expect(byName.prometheus!.static_configs).toEqual([{ targets: ['127.0.0.1:19090'] }]);
    expect(byName.pushgateway!.static_configs).toEqual([{ targets: ['127.0.0.1:19091'] }]);
    expect(byName.pushgateway!.honor_labels).toBe(true);
    expect(byName.alertmanager!.static_configs).toEqual([{ targets: ['127.0.0.1:19093'] }]);
    expect(byName.mnist!.static_configs).toEqual([{ targets: ['127.0.0.1:8561'] }]);
    const config = parse(rendered);
    expect(config.alerting.alertmanagers).toEqual([{ static_configs: [{ targets: ['127.0.0.1:19093'] }] }]);
    expect(config.rule_files).toEqual(['rules/*.yml']);
    expect(rendered).toContain('# honor_labels keeps the pushers'); // comments survive
  });

  it('replaces the targets of a named job, adds unknown jobs, and sets intervals and rule files', () => {
    const rendered = renderPrometheusConfig(source, {
      host: '0.0.0.0',
      ports,
      targets: { mnist: ['127.0.0.1:18561', 'localhost:18562'], 'my-service': ['127.0.0.1:7000'] },
      scrapeInterval: '1s',
      evaluationInterval: '2s',
      ruleFiles: ['/state/rules/*.yml'],
    });
    const byName = jobs(rendered);
    expect(byName.mnist!.static_configs).toEqual([{ targets: ['127.0.0.1:18561', 'localhost:18562'] }]);
    expect(byName['my-service']!.static_configs).toEqual([{ targets: ['127.0.0.1:7000'] }]);
    // 0.0.0.0 is where the services listen; they are scraped on loopback.
    expect(byName.prometheus!.static_configs).toEqual([{ targets: ['127.0.0.1:19090'] }]);
    const config = parse(rendered);
    expect(config.global).toEqual({ scrape_interval: '1s', evaluation_interval: '2s' });
    expect(config.rule_files).toEqual(['/state/rules/*.yml']);
  });

  it('never lets a target override move the stack itself', () => {
    const rendered = renderPrometheusConfig(source, {
      host: '127.0.0.1',
      ports,
      targets: { pushgateway: ['x:1'] },
    });
    expect(jobs(rendered).pushgateway!.static_configs).toEqual([{ targets: ['127.0.0.1:19091'] }]);
  });

  it.each([
    [{ targets: { mnist: ['http://127.0.0.1:8561'] } }, /not host:port/],
    [{ targets: { mnist: ['127.0.0.1'] } }, /not host:port/],
    [{ scrapeInterval: '1 s' }, /not a Prometheus duration/],
  ])('refuses bad input %j', (extra, message) => {
    expect(() => renderPrometheusConfig(source, { host: '127.0.0.1', ports, ...extra })).toThrow(message);
  });

  it('refuses a config without the stack jobs, naming the jobs it has', () => {
    const other = 'scrape_configs:\n  - job_name: node\n    static_configs: [{ targets: ["a:1"] }]\n';
    expect(() => renderPrometheusConfig(other, { host: '127.0.0.1', ports })).toThrow(
      'prometheus.yml has no scrape job "prometheus" (jobs: node)',
    );
  });
});

/**
 * Starts one real Pushgateway and one real Prometheus (scraping it with honor_labels every second) on free loopback
 * ports for the whole run, and stops them after. Tests read the URLs with `inject('pushgatewayUrl')` and
 * `inject('prometheusUrl')`; a test that must restart or break a gateway starts its own with
 * `startPushgateway` from `@gangplank/stack`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startPrometheus, startPushgateway, type ServiceHandle } from '@gangplank/stack';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pushgatewayUrl: string;
    prometheusUrl: string;
    stateDir: string;
  }
}

let services: ServiceHandle[] = [];
let stateDir = '';

export async function setup(project: TestProject): Promise<void> {
  stateDir = mkdtempSync(join(tmpdir(), 'gangplank-test-'));
  const pgw = await startPushgateway({ stateDir: join(stateDir, 'pgw') });
  services.push(pgw);
  const promPort = await freePort();
  const config = join(stateDir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: pushgateway',
      '    honor_labels: true',
      '    static_configs:',
      `      - targets: ['${new URL(pgw.url).host}']`,
      '',
    ].join('\n'),
  );
  services.push(await startPrometheus({ stateDir: join(stateDir, 'prom'), port: promPort, configFile: config }));
  project.provide('pushgatewayUrl', pgw.url);
  project.provide('prometheusUrl', services[1]!.url);
  project.provide('stateDir', stateDir);
}

export async function teardown(): Promise<void> {
  await Promise.all(services.map((s) => s.stop()));
  services = [];
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}

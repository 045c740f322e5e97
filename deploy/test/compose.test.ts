import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { deployDir } from './tools.js';

interface Service {
  image: string;
  command?: string[];
  ports?: string[];
  volumes?: string[];
}

const composeDir = join(deployDir, 'compose');
const compose = parse(readFileSync(join(composeDir, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};

describe('deploy/compose', () => {
  it('runs the three services and Grafana from images pinned to an exact version', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'alertmanager',
      'grafana',
      'prometheus',
      'pushgateway',
    ]);
    for (const service of Object.values(compose.services)) {
      expect(service.image).toMatch(
        /^(prom\/(prometheus|pushgateway|alertmanager):v|grafana\/grafana:)\d+\.\d+\.\d+$/,
      );
    }
  });

  it('publishes the default ports on loopback only', () => {
    const ports = Object.values(compose.services).flatMap((s) => s.ports ?? []);
    expect(ports.sort()).toEqual([
      '127.0.0.1:3000:3000',
      '127.0.0.1:9090:9090',
      '127.0.0.1:9091:9091',
      '127.0.0.1:9093:9093',
    ]);
  });

  it('keeps pushed groups in a volume across restarts', () => {
    const pgw = compose.services.pushgateway!;
    const file = pgw.command!.find((a) => a.startsWith('--persistence.file='))!.split('=')[1]!;
    const volume = pgw.volumes!.map((v) => v.split(':')).find(([, target]) => file.startsWith(`${target}/`));
    expect(volume, `a volume holding ${file}`).toBeDefined();
    expect(Object.keys(compose.volumes)).toContain(volume![0]);
  });

  it('mounts config files that exist', () => {
    const mounts = Object.values(compose.services)
      .flatMap((s) => s.volumes ?? [])
      .map((v) => v.split(':')[0]!)
      .filter((source) => source.startsWith('.'));
    expect(mounts.length).toBeGreaterThanOrEqual(3);
    for (const source of mounts) expect(existsSync(resolve(composeDir, source)), source).toBe(true);
  });
});

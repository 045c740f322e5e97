#!/usr/bin/env node
// npm's prepack/postpack of @gangplank/stack: an installed package has no repository next to it, so the configs
// `startStack` renders (Prometheus, its alert and recording rules, Alertmanager) are packed inside it, in the same
// layout as the repository's deploy/, which stays the one copy people edit (the compose file and the promtool rule
// tests use it there). `--remove` deletes the packed copy again after `npm pack`, so the checkout keeps one copy.
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(packageDir, '..', '..', 'deploy');
const target = join(packageDir, 'deploy');
/** What `renderStackConfigs` reads, relative to a deploy folder. */
const PACKED = ['prometheus/prometheus.yml', 'prometheus/rules', 'alertmanager/alertmanager.yml'];

rmSync(target, { recursive: true, force: true });
if (!process.argv.includes('--remove')) {
  for (const path of PACKED) {
    const from = join(source, path);
    if (!existsSync(from)) throw new Error(`${from} is missing: pack @gangplank/stack from a checkout`);
    mkdirSync(dirname(join(target, path)), { recursive: true });
    cpSync(from, join(target, path), { recursive: true });
  }
}

#!/usr/bin/env node
// `npm run bench`: builds, then runs every benchmark of bench/ one after the other (each prints its own figures;
// bench/README.md says what each measures). `npm run bench -- <name> [args…]` runs one, with its own arguments,
// e.g. `npm run bench -- training-overhead 15 5000 2`; `npm run bench -- --list` names them.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, run } from './lib/prepare.mjs';

const benchDir = fileURLToPath(new URL('../bench/', import.meta.url));
const names = readdirSync(benchDir)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();

const [first, ...rest] = process.argv.slice(2);
if (first === '--list') {
  console.log(names.join('\n'));
  process.exit(0);
}
const chosen = first === undefined ? names : [first.replace(/^bench\//, '').replace(/\.ts$/, '')];
const unknown = chosen.filter((name) => !names.includes(name));
if (unknown.length > 0) {
  console.error(`no benchmark ${unknown.join(', ')} in bench/; there are: ${names.join(', ')}`);
  process.exit(2);
}

// The benchmarks import the packages from their built dist/, as the tests do.
build();
const failed = [];
for (const name of chosen) {
  console.log(`\n== bench/${name}.ts ==`);
  const status = run('npx', ['tsx', `bench/${name}.ts`, ...(first === undefined ? [] : rest)]);
  if (status !== 0) failed.push(`${name} (exit ${status})`);
}
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}

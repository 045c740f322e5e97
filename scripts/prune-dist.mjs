#!/usr/bin/env node
// Deletes what `tsc -b` left in packages/*/dist from sources that no longer exist (a renamed or removed module keeps
// its old .js, .d.ts and maps: tsc never deletes outputs), so `npm pack` ships no build leftovers and no source map
// pointing at a missing source. Run after `tsc -b` (the root `build` script and `npm test` do).
// dist/webapp is the web app bundle (esbuild, rebuilt whole), not tsc's.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { root } from './lib/prepare.mjs';

const TSC_OUTPUT = /\.(js|d\.ts)(\.map)?$/;

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

function exists(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

for (const name of readdirSync(join(root, 'packages'))) {
  const dist = join(root, 'packages', name, 'dist');
  const src = join(root, 'packages', name, 'src');
  if (!exists(join(root, 'packages', name, 'package.json'))) continue;
  let files;
  try {
    files = [...walk(dist)];
  } catch {
    continue; // not built yet
  }
  for (const file of files) {
    const path = relative(dist, file);
    if (path.startsWith(`webapp/`) || !TSC_OUTPUT.test(path)) continue;
    const source = join(src, path.replace(TSC_OUTPUT, '.ts'));
    if (!exists(source)) {
      rmSync(file);
      console.error(`prune-dist: removed ${relative(root, file)} (no ${relative(root, source)})`);
    }
  }
}

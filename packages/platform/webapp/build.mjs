// Bundles the web app (webapp/src/main.ts, its CSS and uPlot's) into dist/webapp/: index.html plus content-hashed
// assets, so the server can cache assets for good and the page works with no internet. Type-checking is `tsc -b`'s
// job (webapp/tsconfig.json is a project reference); esbuild only strips types.
// Usage: node webapp/build.mjs   (from packages/platform; `npm run build -w @gangplank/platform` does it)
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist', 'webapp');

export async function buildWebapp() {
  await rm(out, { recursive: true, force: true });
  await mkdir(join(out, 'assets'), { recursive: true });
  const result = await build({
    entryPoints: { app: join(here, 'src', 'main.ts') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022', 'chrome111', 'firefox115', 'safari16'],
    outdir: join(out, 'assets'),
    entryNames: '[name]-[hash]',
    metafile: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  const files = Object.keys(result.metafile.outputs).map((file) => basename(file));
  const script = files.find((file) => file.endsWith('.js'));
  const style = files.find((file) => file.endsWith('.css'));
  if (!script || !style)
    throw new Error(`web app build produced ${files.join(', ')}: no script or stylesheet`);
  const template = await readFile(join(here, 'src', 'index.html'), 'utf8');
  const html = template.replace('%SCRIPT%', `/ui/assets/${script}`).replace('%STYLE%', `/ui/assets/${style}`);
  await writeFile(join(out, 'index.html'), html);
  const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  return { script, style, bytes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { script, style, bytes } = await buildWebapp();
  console.log(`web app: dist/webapp/assets/${script}, ${style} (${(bytes / 1024).toFixed(1)} KiB)`);
}

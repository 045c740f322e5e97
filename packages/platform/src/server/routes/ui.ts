/**
 * The web app: `/` redirects to `/ui/`, which serves the bundle `webapp/build.mjs` writes to `dist/webapp/`
 * (index.html, never cached, naming content-hashed assets that are cached for good), plus `/ui/config.json`.
 * Public like `/`: the page asks for the bearer token itself and sends it on its REST calls. Asset names come
 * from the bundle's own listing, so no path from a request reaches the file system.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { typed } from '../typed-app.js';

export interface UiConfig {
  /** Whether the server reads plots from Prometheus (`query_range`, full history). */
  prometheus: boolean;
  /** Whether the server falls back to the Pushgateway's current values. */
  pushgateway: boolean;
  /** Whether REST calls need a bearer token. */
  auth: boolean;
}

interface Asset {
  type: string;
  body: Buffer;
}

// Same place from src/server/routes (tests) and dist/server/routes (the built server): the package's dist/webapp.
const WEBAPP_DIR = fileURLToPath(new URL('../../../dist/webapp/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Gangplank</title>
<p>The web app is not built: run <code>npm run build</code> (or <code>npm run build -w @gangplank/platform</code>).</p>`;

function loadBundle(dir: string): { index: Asset; assets: Map<string, Asset> } | undefined {
  const indexFile = path.join(dir, 'index.html');
  if (!existsSync(indexFile)) return undefined;
  const assets = new Map<string, Asset>();
  const assetDir = path.join(dir, 'assets');
  for (const name of existsSync(assetDir) ? readdirSync(assetDir) : []) {
    const type = TYPES[path.extname(name)];
    if (type) assets.set(name, { type, body: readFileSync(path.join(assetDir, name)) });
  }
  return { index: { type: TYPES['.html'] ?? '', body: readFileSync(indexFile) }, assets };
}

export function registerUiRoutes(app: FastifyInstance, config: UiConfig): void {
  let bundle = loadBundle(WEBAPP_DIR);
  // A server started before the bundle was built picks it up once it is there.
  const current = (): typeof bundle => (bundle ??= loadBundle(WEBAPP_DIR));
  const sendIndex = (reply: FastifyReply): FastifyReply => {
    const loaded = current();
    void reply.header('cache-control', 'no-cache');
    if (!loaded) return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    return reply.type(loaded.index.type).send(loaded.index.body);
  };

  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect('/ui/'));
  // ignoreTrailingSlash: `/ui` is served too; the page's own URLs are absolute.
  app.get('/ui/', { schema: { hide: true } }, (_request, reply) => sendIndex(reply));
  app.get('/ui/index.html', { schema: { hide: true } }, (_request, reply) => sendIndex(reply));
  const assetSchema = { hide: true, params: Type.Object({ name: Type.String() }) };
  typed(app).get('/ui/assets/:name', { schema: assetSchema }, (request, reply) => {
    const asset = current()?.assets.get(request.params.name);
    if (!asset) return reply.code(404).send({ message: 'no such file in the web app' });
    return reply
      .type(asset.type)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(asset.body);
  });
  app.get('/ui/config.json', { schema: { hide: true } }, () => config);
}

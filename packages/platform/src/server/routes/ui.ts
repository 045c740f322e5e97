/**
 * The web page: `/` redirects to `/ui/`, which serves one HTML document, one ES module and one stylesheet (held as
 * strings in `src/web/`, so `tsc -b` ships them without a copy step), plus `/ui/config.json`. Public like `/`: the
 * page asks for the bearer token itself and sends it on its REST calls.
 */
import type { FastifyInstance } from 'fastify';
import { APP_JS } from '../../web/app-js.js';
import { INDEX_HTML } from '../../web/index-html.js';
import { STYLE_CSS } from '../../web/style-css.js';

export interface UiConfig {
  /** Whether the server reads plots from Prometheus (`query_range`, full history). */
  prometheus: boolean;
  /** Whether the server falls back to the Pushgateway's current values. */
  pushgateway: boolean;
  /** Whether REST calls need a bearer token. */
  auth: boolean;
}

const ASSETS: Record<string, { type: string; body: string }> = {
  // ignoreTrailingSlash: `/ui` is served too; the page's own URLs are absolute.
  '/ui/': { type: 'text/html; charset=utf-8', body: INDEX_HTML },
  '/ui/index.html': { type: 'text/html; charset=utf-8', body: INDEX_HTML },
  '/ui/app.js': { type: 'text/javascript; charset=utf-8', body: APP_JS },
  '/ui/style.css': { type: 'text/css; charset=utf-8', body: STYLE_CSS },
};

export function registerUiRoutes(app: FastifyInstance, config: UiConfig): void {
  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect('/ui/'));
  for (const [url, asset] of Object.entries(ASSETS)) {
    app.get(url, { schema: { hide: true } }, (_request, reply) =>
      reply.type(asset.type).header('cache-control', 'no-cache').send(asset.body),
    );
  }
  app.get('/ui/config.json', { schema: { hide: true } }, () => config);
}

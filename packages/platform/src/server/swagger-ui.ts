/**
 * Swagger UI at `/swagger`, built on its first request. `@fastify/swagger-ui` with `@fastify/static` and their
 * dependencies took ~50 ms of module loading and ~25 ms of registration at every start (a tenth of a reopen on
 * PGlite, bench/README.md), for a page most starts never serve. The first request under `/swagger` builds a
 * small Fastify instance holding the app's OpenAPI document (`app.swagger()`, complete once the app is ready) and
 * the UI plugin; each request under `/swagger` is answered by it through `inject`, headers and body as they are.
 */
import type { StaticDocumentSpec } from '@fastify/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../domain/errors.js';
import { toError } from '../domain/to-error.js';

export const SWAGGER_PREFIX = '/swagger';

async function buildDocs(app: FastifyInstance): Promise<FastifyInstance> {
  const [{ default: fastify }, { default: swagger }, { default: swaggerUi }] = await Promise.all([
    import('fastify'),
    import('@fastify/swagger'),
    import('@fastify/swagger-ui'),
  ]);
  const docs = fastify({ logger: false });
  // The static mode's type names OpenAPI 2 and 3.0 documents only; it serves the 3.1 document as given.
  const document = app.swagger() as unknown as StaticDocumentSpec['document'];
  await docs.register(swagger, { mode: 'static', specification: { document } });
  await docs.register(swaggerUi, { routePrefix: SWAGGER_PREFIX });
  await docs.ready();
  return docs;
}

/** Routes `/swagger` and `/swagger/*` of `app` to the UI, built when first asked for. */
export function registerSwaggerUi(app: FastifyInstance): void {
  let docs: Promise<FastifyInstance> | undefined;
  app.addHook('onClose', async () => {
    await (await docs?.catch(() => undefined))?.close();
  });
  const forward = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    docs ??= buildDocs(app);
    let ui: FastifyInstance;
    try {
      ui = await docs;
    } catch (error) {
      docs = undefined; // the next request tries again
      throw new ApiError(503, `Swagger UI could not be loaded (${toError(error).message}); try again later`);
    }
    const answer = await ui.inject({ method: 'GET', url: request.url, headers: request.headers });
    const { connection: _connection, 'transfer-encoding': _encoding, ...headers } = answer.headers;
    return reply.code(answer.statusCode).headers(headers).send(answer.rawPayload);
  };
  for (const url of [SWAGGER_PREFIX, `${SWAGGER_PREFIX}/*`]) {
    app.get(url, { schema: { hide: true } }, forward);
  }
}

/**
 * The OpenAPI document and Swagger UI at `/swagger`, built on their first request. `@fastify/swagger` (with the
 * `yaml` it requires) and `@fastify/swagger-ui` (with `@fastify/static`) took ~100 ms of module loading and
 * registration at every start, a fifth of a reopen on PGlite (bench/README.md), for pages most starts never
 * serve. The first request under `/swagger` builds the documentation app — the same routes made by `createApp`
 * with both plugins registered before them, so the document is the one they describe — and every request under
 * `/swagger` is answered by it through `inject`, status, headers and body as they are.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../domain/errors.js';
import { toError } from '../domain/to-error.js';

export const SWAGGER_PREFIX = '/swagger';

/** The two plugins, registered on the documentation app: the document first, before any route exists. */
export async function registerOpenApi(
  app: FastifyInstance,
  info: { version: string; auth: boolean },
): Promise<void> {
  const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([
    import('@fastify/swagger'),
    import('@fastify/swagger-ui'),
  ]);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gangplank Model Training API',
        description:
          'Wire-compatible with Odahu-flow 1.6 REST API v1 (trainings, toolchain integrations, connections).',
        version: info.version,
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: info.auth ? [{ bearer: [] }] : [],
    },
  });
  await app.register(swaggerUi, { routePrefix: SWAGGER_PREFIX });
}

/** Routes `/swagger` and `/swagger/*` of `app` to the documentation app `build` makes when first asked. */
export function forwardSwagger(app: FastifyInstance, build: () => Promise<FastifyInstance>): void {
  let docs: Promise<FastifyInstance> | undefined;
  app.addHook('onClose', async () => {
    await (await docs?.catch(() => undefined))?.close();
  });
  const forward = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    docs ??= build().then(async (made) => {
      await made.ready();
      return made;
    });
    let target: FastifyInstance;
    try {
      target = await docs;
    } catch (error) {
      docs = undefined; // the next request tries again
      throw new ApiError(
        503,
        `the API documentation could not be built (${toError(error).message}); try again`,
      );
    }
    const answer = await target.inject({ method: 'GET', url: request.url, headers: request.headers });
    const { connection: _connection, 'transfer-encoding': _encoding, ...headers } = answer.headers;
    return reply.code(answer.statusCode).headers(headers).send(answer.rawPayload);
  };
  for (const url of [SWAGGER_PREFIX, `${SWAGGER_PREFIX}/*`]) {
    app.get(url, { schema: { hide: true } }, forward);
  }
}

/**
 * The Fastify instance seen through its routes' TypeBox schemas: `request.params`, `request.query` and
 * `request.body` get the static types of the schemas a route declares, so handlers need no casts.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';

export function typed(app: FastifyInstance) {
  return app.withTypeProvider<TypeBoxTypeProvider>();
}

export type TypedApp = ReturnType<typeof typed>;

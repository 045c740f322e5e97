/** `/api/v1/toolchain/integration`: Odahu's five routes. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../domain/errors.js';
import { validateToolchain } from '../../domain/validate-toolchain.js';
import { readToolchainBody } from '../../domain/wire.js';
import type { Store } from '../../store/store.js';
import { parsePage, rejectUnknown } from '../query.js';
import { MessageSchema, requestBody, ToolchainIntegrationSchema } from '../schemas.js';
import { typed } from '../typed-app.js';
import { IdParams, Repeatable } from './route-params.js';

const PATH = '/api/v1/toolchain/integration';
const TAGS = ['ToolchainIntegration'];

export function registerToolchainRoutes(untyped: FastifyInstance, store: Store): void {
  const app = typed(untyped);
  const body = requestBody(ToolchainIntegrationSchema);

  app.get(
    PATH,
    {
      schema: {
        tags: TAGS,
        summary: 'List toolchain integrations (X-Total-Count header)',
        querystring: Type.Object({ size: Repeatable, page: Repeatable }),
        response: { 200: Type.Array(ToolchainIntegrationSchema) },
      },
    },
    async (request, reply) => {
      const { query } = request;
      rejectUnknown(query, ['size', 'page']);
      const result = await store.listToolchains(parsePage(query));
      void reply.header('x-total-count', String(result.total));
      return result.items;
    },
  );

  app.get(
    `${PATH}/:id`,
    { schema: { tags: TAGS, params: IdParams, response: { 200: ToolchainIntegrationSchema } } },
    async (request) => {
      const { id } = request.params;
      const toolchain = await store.getToolchain(id);
      if (!toolchain) throw new NotFoundError(id);
      return toolchain;
    },
  );

  app.post(
    PATH,
    { schema: { tags: TAGS, body, response: { 201: ToolchainIntegrationSchema } } },
    async (request, reply) => {
      const input = readToolchainBody(request.body);
      const spec = validateToolchain(input);
      return reply.status(201).send(await store.createToolchain(input.id, spec));
    },
  );

  app.put(
    PATH,
    { schema: { tags: TAGS, body, response: { 200: ToolchainIntegrationSchema } } },
    async (request) => {
      const input = readToolchainBody(request.body);
      return store.updateToolchain(input.id, validateToolchain(input));
    },
  );

  app.delete(
    `${PATH}/:id`,
    { schema: { tags: TAGS, params: IdParams, response: { 200: MessageSchema } } },
    async (request) => {
      const { id } = request.params;
      if (!(await store.deleteToolchain(id))) throw new NotFoundError(id);
      return { message: `ToolchainIntegration ${id} was deleted` };
    },
  );
}

/** `/api/v1/connection`: Odahu's six routes, secrets base64 on the wire and `*****` on reads. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { BadRequestError, NotFoundError } from '../../domain/errors.js';
import { connectionToWire } from '../../domain/connection-wire.js';
import { validateConnection } from '../../domain/validate-connection.js';
import { readConnectionBody } from '../../domain/wire.js';
import type { Store } from '../../store/store.js';
import { filter, parsePage, rejectUnknown } from '../query.js';
import { ConnectionSchema, MessageSchema, requestBody } from '../schemas.js';
import { typed } from '../typed-app.js';
import { IdParams, Repeatable } from './route-params.js';

const PATH = '/api/v1/connection';
const TAGS = ['Connection'];

export function registerConnectionRoutes(untyped: FastifyInstance, store: Store): void {
  const app = typed(untyped);
  const body = requestBody(ConnectionSchema);

  async function mustGet(id: string) {
    const connection = await store.getConnection(id);
    if (!connection) throw new NotFoundError(id);
    return connection;
  }

  app.get(
    PATH,
    {
      schema: {
        tags: TAGS,
        summary: 'List connections, secrets masked (X-Total-Count header)',
        querystring: Type.Object({
          size: Repeatable,
          page: Repeatable,
          type: Repeatable,
        }),
        response: { 200: Type.Array(ConnectionSchema) },
      },
    },
    async (request, reply) => {
      const { query } = request;
      rejectUnknown(query, ['size', 'page', 'type']);
      const type = filter(query, 'type');
      const result = await store.listConnections({ ...parsePage(query), ...(type ? { type } : {}) });
      void reply.header('x-total-count', String(result.total));
      return result.items.map((c) => connectionToWire(c, false));
    },
  );

  /** The two reads of one connection: the same lookup, its secrets masked or decrypted. */
  function getOne(path: string, summary: string, decrypted: boolean): void {
    app.get(
      path,
      { schema: { tags: TAGS, summary, params: IdParams, response: { 200: ConnectionSchema } } },
      async (request) => connectionToWire(await mustGet(request.params.id), decrypted),
    );
  }
  getOne(`${PATH}/:id`, 'Get a connection, secrets masked', false);
  getOne(
    `${PATH}/:id/decrypted`,
    'Get a connection with its secrets (base64); admins only when authentication is on',
    true,
  );

  app.post(
    PATH,
    { schema: { tags: TAGS, body, response: { 201: ConnectionSchema } } },
    async (request, reply) => {
      const input = readConnectionBody(request.body);
      const spec = validateConnection(input);
      return reply.status(201).send(connectionToWire(await store.createConnection(input.id, spec), false));
    },
  );

  app.put(
    PATH,
    {
      schema: {
        tags: TAGS,
        summary: 'Update a connection; a secret sent as ***** keeps the stored one',
        body,
        response: { 200: ConnectionSchema },
      },
    },
    async (request) => {
      const input = readConnectionBody(request.body);
      const stored = input.id === '' ? undefined : await store.getConnection(input.id);
      const spec = validateConnection(input, stored?.spec);
      return connectionToWire(await store.updateConnection(input.id, spec), false);
    },
  );

  app.delete(
    `${PATH}/:id`,
    { schema: { tags: TAGS, params: IdParams, response: { 200: MessageSchema } } },
    async (request) => {
      const { id } = request.params;
      const connection = await mustGet(id);
      if (connection.spec.vital) throw new BadRequestError(`${id} connection is vital, it cannot be deleted`);
      if (!(await store.deleteConnection(id))) throw new NotFoundError(id);
      return { message: `Connection ${id} was deleted` };
    },
  );
}

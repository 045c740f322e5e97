/**
 * `createApp`: the Fastify application of the Model Training API, built without listening so tests call it
 * in-process with `app.inject`. Wire-compatible with Odahu-flow 1.6's `/api/v1` for trainings, toolchain
 * integrations and connections.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { BadRequestError, ForbiddenError, UnauthorizedError } from '../domain/errors.js';
import { unstorablePaths } from '../domain/wire.js';
import { parseYamlDocument } from '../domain/yaml-text.js';
import type { TrainingValidationContext } from '../domain/validate-training.js';
import type { Store } from '../store/store.js';
import { createAuthenticator, type AuthOptions, type Principal } from './auth.js';
import { installErrorHandling } from './errors.js';
import { lazySchemaCompilers } from './lazy-schema-compilers.js';
import { createServerMetrics, type DispatcherCounters } from './metrics.js';
import { registerArtifactDownloadRoute } from './routes/artifact-download.js';
import { registerConnectionRoutes } from './routes/connections.js';
import { registerHistoryRoutes } from './routes/history.js';
import { isRunCredential, type RunCredentials } from './run-credential.js';
import { forwardSwagger, registerOpenApi, SWAGGER_PREFIX } from './swagger-ui.js';
import { registerToolchainRoutes } from './routes/toolchains.js';
import { registerTrainingMetricsRoute } from './routes/training-metrics.js';
import { registerTrainingRoutes } from './routes/trainings.js';
import { registerUiRoutes } from './routes/ui.js';
import { createMetricsSource } from './metrics-source.js';

export interface AppOptions {
  store: Store;
  /** Bearer-token authentication; absent means off (the default on loopback). */
  auth?: AuthOptions;
  /** Training defaults and allowed node pools (Odahu's `training.*` configuration). */
  training?: Omit<TrainingValidationContext, 'getConnection' | 'getToolchain'>;
  /** Odahu's feature switches: a disabled API answers every non-GET with 400 `This API is disabled`. */
  disabled?: { training?: boolean; connection?: boolean };
  /** Largest accepted request body in bytes. @default 1048576 */
  bodyLimit?: number;
  /** Poll interval of followed log streams. @default 500 */
  logPollMs?: number;
  /** Fastify logger setting. @default false */
  logger?: FastifyServerOptions['logger'];
  /** Serve `/metrics`. @default true */
  metrics?: boolean;
  /** The dispatcher's claim and lease-loss counters, served on `/metrics` (start.ts makes them). */
  dispatcherCounters?: DispatcherCounters;
  /** Called after a training is created, updated, deleted or cancelled (the dispatcher's `wake`). */
  onTrainingChange?: () => void;
  /** Prometheus read by the web page's plots (`query_range`); absent: the Pushgateway's current values. */
  prometheusUrl?: string;
  /** Pushgateway read by the web page's plots when no Prometheus is configured. */
  pushgatewayUrl?: string;
  /** Verifies run credentials (`gprun.…`), which may only record their own run's history. */
  runCredentials?: RunCredentials;
  /** Run-history points a run may hold. @default 200000 */
  maxHistoryPointsPerRun?: number;
  /** Version shown in the OpenAPI document. @default "1.0" */
  version?: string;
  /**
   * Compile every route's schemas when the app is made (Fastify's default) instead of on each route's first
   * request (lazy-schema-compilers.ts): for the test that checks they all compile. @default false
   */
  eagerSchemas?: boolean;
  /**
   * The documentation app of swagger-ui.ts: the same routes, made to be described (the OpenAPI plugins registered
   * before them), never listening, reached only through the app's `/swagger` routes. Internal. @default false
   */
  documentation?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

export async function createApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Odahu's CLI sends explicit nulls and strings for numbers: the body schemas are lenient and nothing coerces.
    ajv: {
      customOptions: {
        coerceTypes: false,
        removeAdditional: false,
        useDefaults: false,
        allowUnionTypes: true,
      },
    },
    ...(options.eagerSchemas ? {} : { schemaController: { compilersFactory: lazySchemaCompilers() } }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    // Node answers a request without Host with a bare 400 and no body; the hook below answers it with a message.
    http: { requireHostHeader: false },
  });
  installErrorHandling(app);
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.raw.httpVersion !== '1.0' && request.headers.host === undefined) {
      return done(new BadRequestError('the request has no Host header (HTTP/1.1 requires one)'));
    }
    done();
  });

  // Clients that always send `Content-Type: application/json` send it on DELETE and cancel too, with no body:
  // an empty body is "no body" (routes that need one still refuse it through their schema, naming the body).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
    if (String(text).trim() === '') return done(null, undefined);
    void parseJson(request, String(text), done);
  });

  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_request, text, done) => {
    try {
      done(null, parseYamlDocument(String(text)));
    } catch (error) {
      done(
        new BadRequestError(`invalid YAML body: ${(error as Error).message.split('\n')[0] ?? ''}`),
        undefined,
      );
    }
  });

  if (options.documentation) {
    await registerOpenApi(app, { version: options.version ?? '1.0', auth: Boolean(options.auth) });
  } else {
    forwardSwagger(app, () => createApp({ ...options, documentation: true }));
  }

  const metrics =
    options.metrics === false || options.documentation
      ? undefined
      : createServerMetrics(options.store, options.dispatcherCounters);
  if (metrics) {
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.observe(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }

  // The documentation app is only reached through this app's /swagger routes, which need no token.
  if (options.auth && !options.documentation) {
    const authenticator = createAuthenticator(options.auth);
    app.addHook('onRequest', async (request) => {
      const path = request.url.split('?')[0] ?? '';
      // The web page's files are public; the page sends the token on its API calls.
      if (path === '/ui' || path.startsWith('/ui/')) return;
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
      if (bearer !== undefined && isRunCredential(bearer)) {
        // A run credential opens one door: POST to its own run's history (the route checks the ids and the state).
        const grant = options.runCredentials?.verify(bearer);
        if (!grant) throw new UnauthorizedError('invalid token: not a valid run credential');
        if (
          request.method !== 'POST' ||
          !/^\/api\/v1\/model\/training\/[^/]+\/runs\/[^/]+\/history$/.test(path)
        ) {
          throw new ForbiddenError(
            `a run credential may only POST its run's history, not ${request.method} ${path}`,
          );
        }
        request.runGrant = grant;
        return;
      }
      const principal = await authenticator.check(request.method, path, request.headers.authorization);
      if (principal) request.principal = principal;
    });
  }

  const disabled = options.disabled ?? {};
  if (disabled.training || disabled.connection) {
    app.addHook('onRequest', (request, _reply, done) => {
      if (request.method === 'GET' || request.method === 'HEAD') return done();
      const path = request.url.split('?')[0] ?? '';
      const training =
        path.startsWith('/api/v1/model/training') || path.startsWith('/api/v1/toolchain/integration');
      if ((disabled.training && training) || (disabled.connection && path.startsWith('/api/v1/connection'))) {
        return done(new BadRequestError('This API is disabled'));
      }
      done();
    });
  }

  // PostgreSQL cannot hold NUL or lone surrogates in text: refuse them up front instead of failing in the database.
  app.addHook('preValidation', (request, _reply, done) => {
    const bad = unstorablePaths({ params: request.params, query: request.query, body: request.body });
    if (bad.length > 0)
      return done(new BadRequestError(`${bad.join(', ')} must be valid Unicode text without NUL characters`));
    done();
  });

  app.get('/health', { schema: { hide: true } }, () => ({}));
  app.get(
    '/api/v1/user/info',
    {
      schema: {
        tags: ['User'],
        summary: 'The caller, from its token (empty when authentication is off)',
        response: {
          200: {
            type: 'object',
            properties: {
              username: { type: 'string' },
              email: { type: 'string' },
              roles: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
    (request) => {
      const principal = request.principal;
      const email = principal?.claims?.email;
      return {
        username: principal?.subject ?? '',
        email: typeof email === 'string' ? email : '',
        roles: principal?.roles ?? [],
      };
    },
  );
  // Odahu's Swagger UI and document addresses.
  app.get(`${SWAGGER_PREFIX}/index.html`, { schema: { hide: true } }, (_request, reply) =>
    reply.redirect(SWAGGER_PREFIX),
  );
  app.get(`${SWAGGER_PREFIX}/data.json`, { schema: { hide: true } }, (_request, reply) =>
    reply.redirect(`${SWAGGER_PREFIX}/json`),
  );
  if (metrics) {
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      void reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  }

  registerTrainingRoutes(app, {
    store: options.store,
    validation: options.training ?? {},
    logPollMs: options.logPollMs ?? 500,
    onChange: options.onTrainingChange ?? (() => undefined),
  });
  registerTrainingMetricsRoute(app, {
    store: options.store,
    source: createMetricsSource({
      ...(options.prometheusUrl ? { prometheusUrl: options.prometheusUrl } : {}),
      ...(options.pushgatewayUrl ? { pushgatewayUrl: options.pushgatewayUrl } : {}),
    }),
  });
  registerUiRoutes(app, {
    prometheus: Boolean(options.prometheusUrl),
    pushgateway: Boolean(options.pushgatewayUrl),
    auth: Boolean(options.auth),
  });
  registerHistoryRoutes(app, {
    store: options.store,
    ...(options.maxHistoryPointsPerRun !== undefined
      ? { maxPointsPerRun: options.maxHistoryPointsPerRun }
      : {}),
  });
  registerArtifactDownloadRoute(app, options.store);
  registerToolchainRoutes(app, options.store);
  registerConnectionRoutes(app, options.store);
  return app;
}

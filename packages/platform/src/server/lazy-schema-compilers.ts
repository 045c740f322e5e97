/**
 * Fastify's own schema compilers (ajv for requests, fast-json-stringify for replies), loaded and run for a route
 * the first time it validates a request or serializes a reply, instead of for every route at start: compiling them
 * all was about 0.25 s of `gangplank serve`'s start and loading them 0.05 s more (bench/server-footprint.ts), for
 * routes that a server may never be asked. A schema that does not compile fails its route's requests with a 500
 * rather than the start: test/server/route-schemas.test.ts compiles every route's schemas eagerly.
 *
 * Fastify treats a supplied validator factory as a custom compiler, which differs from its default in one thing:
 * header schemas are not lower-cased first. No route has a header schema.
 */
import { createRequire } from 'node:module';
import type AjvCompiler from '@fastify/ajv-compiler';
import type SerializerSelector from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;
type ValidatorFactory = AjvCompiler.BuildCompilerFromPool;
type SerializerFactory = SerializerSelector.SerializerFactory;
type Validate = ReturnType<ReturnType<ValidatorFactory>>;

// CommonJS packages, required on first use (an import would load ajv at start, which is what this avoids).
const load = createRequire(import.meta.url);

/** A validator that compiles `schema` when first called (or when Fastify first looks at it). */
function lazyValidator(compile: () => Validate): Validate {
  let compiled: Validate | undefined;
  const real = (): Validate => (compiled ??= compile());
  const validate = ((data: unknown, dataCxt?: Parameters<Validate>[1]) => real()(data, dataCxt)) as Validate;
  // Fastify reads `errors` after a failed call, and ajv's `schemaEnv` to decide whether to pass the parent data.
  Object.defineProperties(validate, {
    errors: { get: () => real().errors, configurable: true },
    schemaEnv: { get: () => real().schemaEnv, configurable: true },
  });
  return validate;
}

/** A fresh pair of factories per app, as Fastify makes its defaults per instance. */
export function lazySchemaCompilers(): Required<CompilersFactory> {
  const buildValidator: ValidatorFactory = (externalSchemas, options) => {
    let compiler: ReturnType<ValidatorFactory> | undefined;
    return (route) =>
      lazyValidator(() => {
        compiler ??= (load('@fastify/ajv-compiler') as typeof AjvCompiler)()(externalSchemas, options);
        return compiler(route);
      });
  };
  const buildSerializer: SerializerFactory = (externalSchemas, options) => {
    let compiler: ReturnType<SerializerFactory> | undefined;
    return (route) => {
      let serialize: ((doc: unknown) => string) | undefined;
      return (doc) => {
        compiler ??= (load('@fastify/fast-json-stringify-compiler') as typeof SerializerSelector)()(
          externalSchemas,
          options,
        );
        return (serialize ??= compiler(route))(doc);
      };
    };
  };
  return { buildValidator, buildSerializer };
}

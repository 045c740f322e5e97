/**
 * Property: a training body with a value of the wrong JSON type in any string field is refused with a 400 naming
 * that field, never coerced, never a 500, and nothing is stored.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { call, cliTraining, closeApp, openSeededApp } from '../server/helpers.js';

let store: Store;
let app: FastifyInstance;
beforeAll(async () => {
  ({ store, app } = await openSeededApp());
});
afterAll(() => closeApp(app, store));

/** Paths of string fields in a training body (list items and map values are not nullable). */
const STRING_FIELDS: ReadonlyArray<readonly string[]> = [
  ['spec', 'entrypoint'],
  ['spec', 'workDir'],
  ['spec', 'image'],
  ['spec', 'toolchain'],
  ['spec', 'model', 'name'],
  ['spec', 'model', 'version'],
  ['spec', 'hyperParameters', 'alpha'],
  ['spec', 'resources', 'limits', 'memory'],
  ['spec', 'data', '0', 'localPath'],
  ['spec', 'algorithmSource', 'vcs', 'connection'],
];

function withValue(id: string, path: readonly string[], value: unknown): Record<string, unknown> {
  const body = cliTraining(id);
  let node = body;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1]!] = value;
  return body;
}

const wrong = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.string(), { maxKeys: 2 }),
);

describe('JSON types at the door', () => {
  it('named examples from issue 15 are refused with the field', async () => {
    const cases: Array<[readonly string[], unknown, string]> = [
      [['spec', 'entrypoint'], 0, 'invalid body: spec.entrypoint must be string,null'],
      [['spec', 'workDir'], true, 'invalid body: spec.workDir must be string,null'],
      [['spec', 'image'], 1.5, 'invalid body: spec.image must be string,null'],
      [['spec', 'hyperParameters', 'a'], null, 'invalid body: spec.hyperParameters.a must be string'],
    ];
    for (const [path, value, message] of cases) {
      const response = await call(app, 'POST', '/api/v1/model/training', withValue('t-named', path, value));
      expect(response.statusCode).toBe(400);
      expect(response.data).toEqual({ message });
    }
    expect(await store.getTraining('t-named')).toBeUndefined();
  });

  it('any wrong-typed value in a string field: a 400 naming the field, nothing stored', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...STRING_FIELDS), wrong, async (path, value) => {
        const id = `t-${n++}`;
        const response = await call(app, 'POST', '/api/v1/model/training', withValue(id, path, value));
        expect(response.statusCode).toBe(400);
        expect((response.data as { message: string }).message).toContain(`invalid body: ${path.join('.')} `);
        expect(await store.getTraining(id)).toBeUndefined();
      }),
      { numRuns: 150 },
    );
  });
});

/**
 * Property: a training whose resource quantities are out of grammar or range is refused at submit with a 400 that
 * names the field, never a 500, and nothing is stored; a quantity the API accepts is one the executors can apply.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuantity } from '../../src/domain/quantity.js';
import { MAX_MEMORY_BYTES, MIN_MEMORY_LIMIT_BYTES } from '../../src/domain/validate-resources.js';
import { parseCpuCores, parseMemoryBytes } from '../../src/executors/quantity.js';
import type { Store } from '../../src/store/store.js';
import { call, cliTraining, closeApp, openSeededApp } from '../server/helpers.js';

let store: Store;
let app: FastifyInstance;
beforeAll(async () => {
  ({ store, app } = await openSeededApp());
});
afterAll(() => closeApp(app, store));

function trainingWith(id: string, limits: Record<string, string>): Record<string, unknown> {
  const body = cliTraining(id);
  const spec = body.spec as Record<string, unknown>;
  spec.resources = { limits };
  return body;
}

const suffix = fc.constantFrom(
  '',
  'm',
  'k',
  'M',
  'G',
  'T',
  'P',
  'E',
  'Ki',
  'Mi',
  'Gi',
  'Ti',
  'Pi',
  'Ei',
  'n',
  'u',
);
const number = fc.oneof(
  fc.nat().map(String),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `${a}.${b}`),
  fc.nat().map((n) => `.${n}`),
  fc.constantFrom('1e400', '1e-400', '99999999999999999999999999999999', '1e3', '1E18', '9e15'),
);
const quantity = fc.oneof(
  fc.tuple(number, suffix).map(([n, s]) => n + s),
  fc.tuple(number, fc.integer({ min: -500, max: 500 })).map(([n, e]) => `${n}e${e}`),
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '1Ki',
    '.5',
    '1e3',
    '99999999999999999999999999999999Ei',
    '64Mi',
    '-1',
    '1.5.5',
    ' 1Gi',
    'Infinity',
  ),
);

describe('resource quantities at the door', () => {
  it('named examples from issue 15 are refused with the field and a reason', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ memory: '1e400' }, 'resources.limits.memory: "1e400" is too large'],
      [{ cpu: '1e400' }, 'resources.limits.cpu: "1e400" is too large'],
      [{ memory: '99999999999999999999999999999999Ei' }, 'is larger than 8Pi'],
      [{ memory: '1Ki' }, 'resources.limits.memory: "1Ki" is below 64Mi'],
      [{ memory: '.5' }, 'resources.limits.memory: ".5" is below 64Mi'],
      [{ memory: '1e3' }, 'resources.limits.memory: "1e3" is below 64Mi'],
      [
        { memory: 'lots' },
        'validation of memory limit is failed: quantities must match the regular expression',
      ],
    ];
    for (const [limits, text] of cases) {
      const response = await call(app, 'POST', '/api/v1/model/training', trainingWith('q-named', limits));
      expect(response.statusCode, JSON.stringify(limits)).toBe(400);
      expect((response.data as { message: string }).message).toContain(text);
    }
    expect(await store.getTraining('q-named')).toBeUndefined();
    const ok = await call(
      app,
      'POST',
      '/api/v1/model/training',
      trainingWith('q-ok', { memory: '64Mi', cpu: '500m' }),
    );
    expect(ok.statusCode).toBe(201);
  });

  it('any quantity: a 400 naming the field and nothing stored, or stored and usable by the executors', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('cpu', 'memory'), quantity, async (key, value) => {
        const id = `q-${n++}`;
        const response = await call(
          app,
          'POST',
          '/api/v1/model/training',
          trainingWith(id, { [key]: value }),
        );
        expect(response.statusCode).toBeLessThan(500);
        if (response.statusCode === 400) {
          const message = (response.data as { message: string }).message;
          expect(message).toMatch(new RegExp(`resources\\.limits\\.${key}|validation of ${key} limit`));
          expect(await store.getTraining(id)).toBeUndefined();
          return;
        }
        expect(response.statusCode).toBe(201);
        if (value === '') return; // empty is unset (Go omitempty): the defaults apply
        const parsed = parseQuantity(value);
        expect(parsed).toBeDefined();
        if (key === 'memory') {
          const bytes = parseMemoryBytes(value);
          expect(bytes).toBeGreaterThanOrEqual(MIN_MEMORY_LIMIT_BYTES);
          expect(bytes).toBeLessThanOrEqual(MAX_MEMORY_BYTES);
          // prlimit reads the decimal digits we print: never an exponent form.
          expect(String(bytes)).toMatch(/^[0-9]+$/);
        } else {
          expect(Number.isFinite(parseCpuCores(value))).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });
});

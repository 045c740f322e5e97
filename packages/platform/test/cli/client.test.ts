import { describe, expect, it } from 'vitest';
import { ApiError, GangplankClient, UnreachableError } from '../../src/client/index.js';

/** A fetch that answers from a script and records what was asked. */
function scripted(answers: (Response | Error)[]): { fetch: typeof fetch; calls: string[] } {
  const calls: string[] = [];
  const fetchImpl = ((url: string, init?: RequestInit) => {
    calls.push(
      `${init?.method ?? 'GET'} ${new URL(url).pathname}${new URL(url).search} ${String(init?.headers && (init.headers as Record<string, string>)['authorization'])}`,
    );
    const next = answers.shift();
    if (!next) return Promise.reject(new Error('no more answers'));
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  }) as typeof fetch;
  return { fetch: fetchImpl, calls };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });
const noSleep = () => Promise.resolve();

describe('GangplankClient', () => {
  it("speaks Odahu's routes with the bearer token and list filters", async () => {
    const { fetch, calls } = scripted([json(200, [{ id: 'a' }]), json(200, null), json(201, { id: 'x' })]);
    const client = new GangplankClient({ url: 'http://h:5000/', token: 't', fetch, sleep: noSleep });
    expect(await client.trainings.list({ model_name: ['a', 'b'], size: 1 })).toEqual([{ id: 'a' }]);
    expect(await client.connections.list()).toEqual([]); // a null page reads as empty
    await client.toolchains.create({ id: 'x' });
    expect(calls).toEqual([
      'GET /api/v1/model/training?model_name=a&model_name=b&size=1 Bearer t',
      'GET /api/v1/connection Bearer t',
      'POST /api/v1/toolchain/integration Bearer t',
    ]);
  });

  it("turns {message} answers into ApiError with the server's text and status", async () => {
    const { fetch } = scripted([
      json(404, { message: 'entity "x" is not found' }),
      new Response('plain failure', { status: 400 }),
    ]);
    const client = new GangplankClient({ url: 'http://h', fetch, sleep: noSleep });
    await expect(client.trainings.get('x')).rejects.toMatchObject({
      name: 'ApiError',
      status: 404,
      message: 'entity "x" is not found',
    });
    await expect(client.trainings.delete('x')).rejects.toMatchObject({
      status: 400,
      message: 'plain failure',
    });
  });

  it('retries GETs on 503 and on no answer, but never resends a PUT (each PUT starts a run)', async () => {
    const get = scripted([
      json(503, { message: 'busy' }),
      new TypeError('fetch failed'),
      json(200, { id: 'w' }),
    ]);
    expect(
      await new GangplankClient({ url: 'http://h', fetch: get.fetch, sleep: noSleep }).trainings.get('w'),
    ).toEqual({ id: 'w' });
    expect(get.calls).toHaveLength(3);

    const put = scripted([json(503, { message: 'busy' }), json(200, { id: 'w' })]);
    const err = await new GangplankClient({ url: 'http://h', fetch: put.fetch, sleep: noSleep }).trainings
      .update({ id: 'w' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(put.calls).toHaveLength(1);

    const down = scripted([
      new TypeError('fetch failed'),
      new TypeError('fetch failed'),
      new TypeError('fetch failed'),
    ]);
    await expect(
      new GangplankClient({ url: 'http://h', fetch: down.fetch, sleep: noSleep }).health(),
    ).rejects.toBeInstanceOf(UnreachableError);
  });
});

import { describe, expect, it } from 'vitest';
import type { ModelTraining } from '../../src/domain/types.js';
import { createStore, openSqlStore } from '../../src/store/create-store.js';
import { migrate } from '../../src/store/migrate.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { TrainingCache } from '../../src/store/training-cache.js';

const training = (id: string, state: ModelTraining['status']['state']): ModelTraining => ({
  id,
  createdAt: 'x',
  updatedAt: 'x',
  spec: { model: { name: 'm', version: '1' }, toolchain: 't', entrypoint: '', algorithmSource: {} },
  status: { state },
});

describe('TrainingCache', () => {
  it('never caches a read that raced an eviction', () => {
    const cache = new TrainingCache();
    const token = cache.token('a'); // a read starts
    cache.evict('a'); // a write lands meanwhile
    cache.set('a', training('a', 'scheduling'), token); // the read's (stale) result
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', training('a', 'running'), cache.token('a'));
    expect(cache.get('a')?.status.state).toBe('running');
  });

  it('freezes entries, bounds its size and can be switched off', () => {
    const cache = new TrainingCache(2);
    for (const id of ['a', 'b', 'c']) cache.set(id, training(id, 'unknown'), cache.token(id));
    expect(cache.get('a')).toBeUndefined();
    const b = cache.get('b');
    expect(b && Object.isFrozen(b.status)).toBe(true);
    cache.disable();
    expect(cache.get('b')).toBeUndefined();
    cache.set('d', training('d', 'unknown'), cache.token('d'));
    expect(cache.get('d')).toBeUndefined();
  });
});

describe('migrations', () => {
  it('apply once and are a no-op on the next start', async () => {
    const store = await openSqlStore();
    try {
      expect(await migrate(store.driver)).toEqual([]);
      const applied = await store.driver.query<{ version: number }>(
        'SELECT version FROM gangplank_migrations',
      );
      expect(applied.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await store.close();
    }
  });

  it('refuses a database URL it does not know', async () => {
    await expect(createStore({ databaseUrl: 'mysql://x' })).rejects.toThrow('unsupported database URL');
  });
});

import type { Store } from '../store/store.js';

/** Store methods after which a dispatcher has something to do (a new run, a cancel request). */
const RUN_CHANGES = new Set<string>([
  'createTraining',
  'updateTraining',
  'deleteTraining',
  'createRun',
  'requestCancel',
]);

/**
 * Wraps a store so that `onRunChange` is called after every call that creates a run or asks one to stop. Hand the
 * wrapped store to the HTTP app and `() => dispatcher.wake()` as the callback: trainings then start within
 * milliseconds instead of at the dispatcher's next poll, without the routes knowing about the dispatcher.
 */
export function notifyingStore(store: Store, onRunChange: () => void): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !RUN_CHANGES.has(property) || typeof value !== 'function')
        return value;
      return async (...args: unknown[]) => {
        const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        onRunChange();
        return result;
      };
    },
  });
}

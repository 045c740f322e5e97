/**
 * TF.js shortens two metric names in its logs, whatever the user asked for: `'accuracy'` and `'acc'` are logged as
 * `acc`, `'crossentropy'` and `'ce'` as `ce` (validation keys get `val_` in front). Keras spells them out, and the
 * dashboards and alert rules written for Python Gangplank on Keras query those names, so they are exported under
 * Keras' spelling unless the user keeps the keys as logged. Every other TF.js key (`loss`, `mse`, `precision`, …)
 * is already what Keras logs.
 */

/** How log keys become metric names: Keras' spelling (the default) or exactly as logged. */
export type LogKeyNames = 'keras' | 'as-logged';

const KERAS_SPELLING: Readonly<Record<string, string>> = { acc: 'accuracy', ce: 'crossentropy' };

/** The key Keras logs for a TF.js log key: `acc` → `accuracy`, `val_acc` → `val_accuracy`, others unchanged. */
export function kerasKey(key: string): string {
  const prefix = key.startsWith('val_') ? 'val_' : '';
  const spelled = KERAS_SPELLING[key.slice(prefix.length)];
  return spelled === undefined ? key : prefix + spelled;
}

/** The renaming a recorder applies to log keys. */
export function logKeyRenamer(names: LogKeyNames = 'keras'): (key: string) => string {
  return names === 'keras' ? kerasKey : (key) => key;
}

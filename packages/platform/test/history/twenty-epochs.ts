/** The training of the run-history tests, with the server (run-history-e2e) and without (local-run-history). */
import { fileURLToPath } from 'node:url';
import type { ModelTrainingSpec } from '../../src/domain/types.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/train-20-epochs.mjs', import.meta.url));

/**
 * train-20-epochs.mjs (20 epochs of about 50 ms, each recorded in the run history) on the `node` toolchain
 * (NODE_TOOLCHAIN), its source the local connection `src`, pushing its metrics to `pushgatewayAddr`.
 */
export function twentyEpochs(pushgatewayAddr: string): ModelTrainingSpec {
  return {
    model: { name: 'history', version: '1.0' },
    toolchain: 'node',
    entrypoint: SCRIPT,
    algorithmSource: { objectStorage: { connection: 'src' } },
    envs: [{ name: 'GANGPLANK_PUSHGATEWAY_ADDR', value: pushgatewayAddr }],
  };
}

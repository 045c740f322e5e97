/**
 * Runs a resolved local plan with the execution engineer's `runTrainingLocally` (the server's local executor).
 * Imported only when a local run really starts, because it loads the executors.
 */
import type { CliContext } from './context.js';
import { CliFailure } from './errors.js';
import type { LocalPlan } from './local-plan.js';

export interface LocalRunOptions {
  outputDir: string;
  pushgatewayUrl: string | undefined;
}

export async function runLocal(
  _ctx: CliContext,
  _plan: LocalPlan,
  _options: LocalRunOptions,
): Promise<number> {
  const platform = (await import('../index.js')) as unknown as Record<string, unknown>;
  if (typeof platform['runTrainingLocally'] !== 'function') {
    throw new CliFailure(
      'this build has no local executor yet (runTrainingLocally); use --dry-run to check the manifests',
    );
  }
  throw new CliFailure('local runs are not wired yet');
}

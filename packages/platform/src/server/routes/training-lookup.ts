/** What the training routes share: the store, the validation context, and the lookups that 404. */
import { NotFoundError } from '../../domain/errors.js';
import type { ModelTraining, TrainingRun } from '../../domain/types.js';
import type { TrainingValidationContext } from '../../domain/validate-training.js';
import type { Store } from '../../store/store.js';

export interface TrainingRoutesOptions {
  store: Store;
  validation: Omit<TrainingValidationContext, 'getConnection' | 'getToolchain'>;
  /** How often a followed log stream polls the store. @default 500 */
  logPollMs: number;
  /** Called after a create, update, delete or cancel. */
  onChange: () => void;
}

export interface TrainingRoutes extends TrainingRoutesOptions {
  context: TrainingValidationContext;
  /** The training, or a 404. */
  mustGet: (id: string) => Promise<ModelTraining>;
  /** A run of the training (its latest when `runId` is undefined; undefined when it has none), or a 404. */
  runOf: (trainingId: string, runId: string | undefined) => Promise<TrainingRun | undefined>;
}

export function trainingRoutes(options: TrainingRoutesOptions): TrainingRoutes {
  const { store } = options;
  async function mustGet(id: string): Promise<ModelTraining> {
    const training = await store.getTraining(id);
    if (!training) throw new NotFoundError(id);
    return training;
  }
  async function runOf(trainingId: string, runId: string | undefined): Promise<TrainingRun | undefined> {
    const training = await mustGet(trainingId);
    const id = runId ?? training.status.runId;
    if (id === undefined) return undefined;
    const run = await store.getRun(id);
    if (!run || run.trainingId !== trainingId) throw new NotFoundError(id);
    return run;
  }
  return {
    ...options,
    context: {
      ...options.validation,
      getConnection: (id) => store.getConnection(id),
      getToolchain: (id) => store.getToolchain(id),
    },
    mustGet,
    runOf,
  };
}

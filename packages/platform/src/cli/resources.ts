import type { ResourceKind, WireResource } from '../client/index.js';
import { connectionColumns, toolchainColumns, trainingColumns } from './columns.js';
import type { Column } from './table.js';

/** How the CLI names and shows each kind. */
export interface ResourceSpec {
  kind: ResourceKind;
  /** CLI group, e.g. `train`. */
  group: string;
  /** Noun in messages, e.g. `training`. */
  noun: string;
  /** A manifest file name for examples. */
  exampleFile: string;
  exampleId: string;
  columns: (now: number) => Column<WireResource>[];
}

export const TRAINING: ResourceSpec = {
  kind: 'ModelTraining',
  group: 'train',
  noun: 'training',
  exampleFile: 'training.yaml',
  exampleId: 'wine',
  columns: (now) => trainingColumns(now),
};

export const TOOLCHAIN: ResourceSpec = {
  kind: 'ToolchainIntegration',
  group: 'toolchain-integration',
  noun: 'toolchain integration',
  exampleFile: 'toolchain.yaml',
  exampleId: 'mlflow',
  columns: toolchainColumns,
};

export const CONNECTION: ResourceSpec = {
  kind: 'Connection',
  group: 'connection',
  noun: 'connection',
  exampleFile: 'connection.yaml',
  exampleId: 'wine-data',
  columns: connectionColumns,
};

/**
 * Wire shapes of the REST API (Odahu-flow 1.6 `/api/v1` envelopes plus Gangplank's run history). Only the fields
 * the client and CLI read are typed; everything else passes through untouched.
 */

export interface WireArtifact {
  runId?: string;
  artifactName?: string;
  commitID?: string;
  [key: string]: unknown;
}

export interface WireTrainingStatus {
  /**
   * One of Odahu's five states (`scheduling | running | succeeded | failed | unknown`); typed as string so that
   * newer servers' states pass through.
   */
  state?: string;
  podName?: string;
  exitCode?: number | null;
  reason?: string | null;
  message?: string | null;
  artifacts?: WireArtifact[];
  [key: string]: unknown;
}

/** Any resource envelope: `{id, createdAt, updatedAt, spec, status}`. */
export interface WireResource {
  id: string;
  createdAt?: string;
  updatedAt?: string;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown> | null;
  [key: string]: unknown;
}

export interface WireModelTraining extends WireResource {
  spec?: {
    model?: { name?: string; version?: string; artifactNameTemplate?: string };
    toolchain?: string;
    entrypoint?: string;
    [key: string]: unknown;
  };
  status?: WireTrainingStatus | null;
}

export type WireToolchainIntegration = WireResource;
export type WireConnection = WireResource;

/** One run of a training (every create and every PUT makes one). */
export interface WireTrainingRun {
  id: string;
  trainingId?: string;
  /** 1 for the first run of the training, then 2, 3… */
  seq?: number;
  cancelRequested?: boolean;
  cancelReason?: string | null;
  state?: string;
  reason?: string | null;
  message?: string | null;
  exitCode?: number | null;
  podName?: string | null;
  artifacts?: WireArtifact[];
  createdAt?: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  [key: string]: unknown;
}

/** List query of `GET /api/v1/model/training` (Odahu's names; `*` means no filter). */
export interface ListQuery {
  size?: number;
  page?: number;
  [filter: string]: string | number | readonly string[] | undefined;
}

import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunArtifact } from '../domain/run-artifact.js';
import { RunError, errorText } from '../domain/run-error.js';
import { DEFAULT_ARTIFACT_NAME_TEMPLATE, type RunSpec } from '../domain/run-spec.js';
import { joinKey } from '../transfer/object-store.js';
import { openStore } from '../transfer/open-store.js';
import { renderArtifactName } from './name-template.js';
import { zipFolder } from './zip-folder.js';

export interface PublishOptions {
  spec: RunSpec;
  /** Folder the training wrote its results into. */
  outputDir: string;
  /** Local folder the zip is written to (kept when there is no output connection). */
  artifactDir: string;
  commitId: string;
  log: (text: string) => void;
  /** @default crypto.randomUUID */
  uuid?: () => string;
}

export interface PublishedArtifact extends RunArtifact {
  /** Where the zip is on this machine. */
  localFile: string;
  /** Where it was uploaded (`s3://bucket/key` …), when there is an output connection. */
  location?: string;
}

/**
 * Zips the output folder under the rendered artifact name and uploads it to the output connection at
 * `<connection path>/<artifact name>` (Odahu's result step). Failures are `ArtifactError`s.
 */
export async function publishArtifact(options: PublishOptions): Promise<PublishedArtifact> {
  const { spec } = options;
  let name: string;
  try {
    name = renderArtifactName(spec.model.artifactNameTemplate || DEFAULT_ARTIFACT_NAME_TEMPLATE, {
      Name: spec.model.name,
      Version: spec.model.version,
      RandomUUID: (options.uuid ?? randomUUID)(),
      CommitID: options.commitId,
    });
  } catch (error) {
    throw new RunError('ArtifactError', errorText(error), { cause: error });
  }
  const localFile = join(options.artifactDir, name);
  try {
    mkdirSync(dirname(localFile), { recursive: true });
    const summary = await zipFolder(options.outputDir, localFile);
    options.log(`artifact: zipped ${summary.files} file(s), ${summary.bytes} bytes into ${name}`);
  } catch (error) {
    throw new RunError('ArtifactError', `artifact: zipping the output folder failed: ${errorText(error)}`, {
      cause: error,
    });
  }
  const artifact: PublishedArtifact = {
    runId: spec.runId,
    artifactName: name,
    commitID: options.commitId,
    localFile,
  };
  const output = spec.output?.connection;
  if (!output) return artifact;
  try {
    const { store, basePath } = openStore(output);
    const key = joinKey(basePath, name);
    await store.upload(localFile, key);
    artifact.location = `${store.label}/${key}`;
    options.log(`artifact: uploaded ${name} to ${artifact.location}`);
  } catch (error) {
    throw new RunError(
      'ArtifactError',
      `artifact: upload of ${name} to output connection "${output.id}" failed: ${errorText(error)}`,
      { cause: error },
    );
  }
  return artifact;
}

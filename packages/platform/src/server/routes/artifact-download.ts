/**
 * `GET /api/v1/model/training/{id}/artifact/{artifactName}`: streams the zip a run of the training published. The
 * name in the request only selects among the names the store recorded on the training's runs; the file opened is
 * built from the record (the run's folder in its executor handle, `artifacts/`, the recorded name), so no part of
 * the request reaches the file system. Read permission is the training's (`permissions.ts`, GET on a training path).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { create as contentDisposition } from 'content-disposition';
import type { FastifyInstance } from 'fastify';
import { artifactNameProblems } from '../../domain/artifact-name.js';
import { ApiError } from '../../domain/errors.js';
import type { TrainingRun } from '../../domain/types.js';
import type { Store } from '../../store/store.js';
import { typed } from '../typed-app.js';

class ArtifactNotFoundError extends ApiError {
  constructor(what: string) {
    super(404, what);
  }
}

const ArtifactParams = Type.Object({ id: Type.String(), artifactName: Type.String() });

/** The run folder an executor recorded (`dir` of the local and Slurm handles); undefined for remote executors. */
function runFolder(run: TrainingRun): string | undefined {
  const handle = run.executorHandle;
  if (typeof handle !== 'object' || handle === null) return undefined;
  const dir = (handle as Record<string, unknown>).dir;
  return typeof dir === 'string' && dir.startsWith('/') ? dir : undefined;
}

/** The newest run that recorded `name`, with the recorded (not the requested) name. */
function recordedArtifact(
  runs: readonly TrainingRun[],
  name: string,
): { run: TrainingRun; artifactName: string } | undefined {
  const newestFirst = [...runs].sort((a, b) => b.seq - a.seq);
  for (const run of newestFirst) {
    const artifact = run.artifacts.find((a) => a.artifactName === name);
    if (artifact?.artifactName !== undefined) return { run, artifactName: artifact.artifactName };
  }
  return undefined;
}

export function registerArtifactDownloadRoute(untyped: FastifyInstance, store: Store): void {
  const app = typed(untyped);
  app.get(
    '/api/v1/model/training/:id/artifact/:artifactName',
    {
      schema: {
        tags: ['ModelTraining'],
        summary:
          'Gangplank: download an artifact (zip) a run of the training published; only names recorded on its runs',
        params: ArtifactParams,
        produces: ['application/zip'],
        response: {
          200: { type: 'string', format: 'binary', description: 'The artifact zip, streamed' },
          404: Type.Object({ message: Type.String() }),
        },
      },
    },
    async (request, reply) => {
      const { id, artifactName } = request.params;
      const training = await store.getTraining(id);
      if (!training) throw new ArtifactNotFoundError(`entity "${id}" is not found`);
      const found = recordedArtifact(await store.listRuns(id), artifactName);
      const missing = `training "${id}" has no artifact "${artifactName}"`;
      // A record written before names were checked could still hold a path: served only if it is a plain relative name.
      if (!found || artifactNameProblems(found.artifactName).length > 0)
        throw new ArtifactNotFoundError(missing);
      const folder = runFolder(found.run);
      if (folder === undefined) {
        throw new ArtifactNotFoundError(`${missing} on this server (its run's executor keeps it elsewhere)`);
      }
      const file = join(folder, 'artifacts', found.artifactName);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) throw new ArtifactNotFoundError(`${missing} any more (its file is gone)`);
      const base = found.artifactName.split('/').pop() ?? found.artifactName;
      return reply
        .type('application/zip')
        .header('content-length', info.size)
        .header('content-disposition', contentDisposition(base))
        .send(createReadStream(file));
    },
  );
}

// Runs the head study and the PCA in a worker thread (studyWorker.js beside this file under tsc and webpack), and
// keeps the study beside the cached vectors so a reopened dataset does not refit it.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { InspectorError } from '../errors';
import type { HeadStudy } from './headStudy';
import type { Projection } from './projection';
import { keepJson } from './resultCache';
import type { DatasetRun } from './run';
import type { StudyRequest } from './studyWorker';

/** What the views need beyond the report's metrics. */
export interface Analysis {
  study: HeadStudy | null;
  projection: Projection | null;
}

export async function analyse(
  run: DatasetRun,
  gold: Int32Array | undefined,
  want: { study: boolean; projection: boolean },
  workerPath = path.join(__dirname, 'studyWorker.js'),
): Promise<Analysis> {
  const file = gold ? studyFile(run, gold) : undefined;
  let study: HeadStudy | null = null;
  if (want.study && file) {
    try {
      study = JSON.parse(fs.readFileSync(file, 'utf8')) as HeadStudy;
    } catch {
      // not cached yet
    }
  }
  // The PCA depends only on the run's vectors, so it is kept in the run's folder too: a reopened dataset (and a
  // panel restored after a window reload) then starts no worker at all.
  const pcaFile = path.join(run.cacheDir, 'pca-v1.json');
  let projection: Projection | null = null;
  if (want.projection) {
    try {
      projection = JSON.parse(fs.readFileSync(pcaFile, 'utf8')) as Projection;
      if (projection.x.length !== run.count) projection = null;
    } catch {
      // not cached yet
    }
  }
  const needStudy = want.study && gold !== undefined && study === null;
  const needProjection = want.projection && projection === null;
  if (!needStudy && !needProjection) return { study, projection };
  // The worker reads the vectors from the run's cache files: cloning 100+ MB across would block this thread.
  const req: StudyRequest = {
    cacheDir: run.cacheDir,
    count: run.count,
    labels: run.labels,
    dim: run.dim,
    nLayers: run.nLayers,
    gold: gold ?? null,
    study: needStudy,
    projection: needProjection,
  };
  const out = await inWorker(workerPath, req);
  if (needStudy && out.study && file) await keepJson(file, out.study);
  if (needProjection && out.projection) await keepJson(pcaFile, out.projection);
  return { study: study ?? out.study, projection: projection ?? out.projection };
}

/** The gold labels (another label column or mapping) are not part of the run's key: they name the file. */
function studyFile(run: DatasetRun, gold: Int32Array): string {
  const key = createHash('sha256')
    .update(new Uint8Array(gold.buffer, gold.byteOffset, gold.byteLength))
    .digest('hex')
    .slice(0, 16);
  return path.join(run.cacheDir, `head-study-v1-${key}.json`);
}

function inWorker(workerPath: string, msg: unknown): Promise<Analysis> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerPath);
    worker.once('message', (m: Analysis & { error?: string }) => {
      void worker.terminate();
      if (m.error) reject(new InspectorError('INFERENCE_FAILED', `The head study failed: ${m.error}`, 'See the log.'));
      else resolve(m);
    });
    worker.once('error', (err) =>
      reject(
        new InspectorError(
          'WORKER_FAILED',
          `The head study's worker crashed: ${err.message}`,
          'Run it again; see the log.',
        ),
      ),
    );
    worker.postMessage(msg);
  });
}

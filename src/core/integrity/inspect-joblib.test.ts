/**
 * The artifact inspector's view of a joblib file: the arrays joblib writes after each
 * NumpyArrayWrapper, listed as joblib.load reads them (test/fixtures/joblib, made by make.py).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectArtifact } from '../formats/index.ts';
import { artifactBody } from './inspect-view.ts';
import { repoRoot } from '../../../test/helpers';

const real = (name: string) => inspectArtifact(path.join(repoRoot, 'test/fixtures/joblib', name));

describe('the inspector on a joblib file', () => {
  it('the inspector lists the arrays as joblib.load reads them', async () => {
    const body = artifactBody(await real('estimator.joblib'));
    expect(body.fields).toContainEqual(expect.objectContaining({ label: 'joblib arrays', value: '4' }));
    const table = body.tables.find((t) => t.title === 'joblib arrays (4)');
    expect(table?.rows).toEqual([
      ['f8', '(4, 6)', 'C', '192', '240', 'raw, 12 pad bytes'],
      ['i4', '(4)', 'C', '16', '528', 'raw, 6 pad bytes'],
      ['O8', '(6)', 'C', '242', '644', 'pickle (object dtype, scanned)'],
      ['f8', '(4)', 'C', '32', '960', 'raw, 16 pad bytes'],
    ]);
  });
});

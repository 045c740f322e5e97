import { describe, expect, it } from 'vitest';
import { compareHref, parseRoute, runHref } from '../../webapp/src/route.js';

describe('hash routes', () => {
  it('reads the list, a run and a comparison', () => {
    expect(parseRoute('')).toEqual({ view: 'list' });
    expect(parseRoute('#/')).toEqual({ view: 'list' });
    expect(parseRoute('#/training/wine')).toEqual({ view: 'run', trainingId: 'wine' });
    expect(parseRoute('#/training/wine/wine-1-ab')).toEqual({
      view: 'run',
      trainingId: 'wine',
      runId: 'wine-1-ab',
    });
    expect(parseRoute('#/compare?runs=a/r1,b/r2,bad,c/r3/x')).toEqual({
      view: 'compare',
      runs: [
        { trainingId: 'a', runId: 'r1' },
        { trainingId: 'b', runId: 'r2' },
      ],
    });
  });

  it('writes what it reads, with odd characters encoded', () => {
    const refs = [
      { trainingId: 'a,b', runId: 'r/1' },
      { trainingId: 'c', runId: 'r2' },
    ];
    expect(parseRoute(compareHref(refs))).toEqual({ view: 'compare', runs: refs });
    expect(parseRoute(runHref('x y', 'r%1'))).toEqual({ view: 'run', trainingId: 'x y', runId: 'r%1' });
  });
});

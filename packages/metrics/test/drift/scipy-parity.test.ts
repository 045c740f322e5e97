import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  chiSquareContingency,
  chiSquareGoodnessOfFit,
  chiSquareTwoSample,
} from '../../src/drift/chi-square.js';
import { kolmogorovSmirnovSf, smirnovSf } from '../../src/drift/kolmogorov.js';
import { ksTwoSample } from '../../src/drift/ks.js';
import { quantile } from '../../src/drift/quantile.js';
import { chiSquareSf } from '../../src/drift/special.js';

// Fixtures computed with SciPy 1.17.1 by scripts/drift-vectors.py (the script is not run by tests).
function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/drift/${name}.json`, import.meta.url), 'utf8')) as T;
}

const RTOL = 1e-9;

function expectClose(actual: number, expected: number, what: string): void {
  const ok = actual === expected || Math.abs(actual - expected) <= RTOL * Math.abs(expected);
  if (!ok)
    expect.fail(
      `${what}: got ${actual}, SciPy ${expected} (relative ${Math.abs(actual - expected) / Math.abs(expected)})`,
    );
}

interface ChiFixture {
  chi2Sf: { x: number; dof: number; sf: number }[];
  chisquare: {
    observed: number[];
    expected: number[] | null;
    ddof: number;
    statistic: number;
    pValue: number;
  }[];
  contingency: { table: number[][]; correction: boolean; statistic: number; pValue: number; dof: number }[];
  twoSample: { reference: number[]; batch: number[]; statistic: number; pValue: number; dof: number }[];
}

interface KsFixture {
  ks2samp: {
    sample1: number[];
    sample2: number[];
    auto: { statistic: number; pValue: number | null };
    exact?: { statistic: number; pValue: number | null };
    asymp: { statistic: number; pValue: number | null };
  }[];
  kstwoSf: { n: number; x: number; sf: number }[];
  smirnov: { n: number; x: number; sf: number }[];
}

describe('chi-square against SciPy', () => {
  const fx = fixture<ChiFixture>('chi-square');

  it('reproduces the reference vectors (§E.6)', () => {
    expectClose(chiSquareSf(3.84, 1), 0.05004352124870519, 'chi2.sf(3.84,1)');
    expectClose(1 - chiSquareSf(2, 3), 0.42759329552912023, 'chi2.cdf(2,3)');
    expectClose(chiSquareSf(10, 4), 0.04042768199451279, 'chi2.sf(10,4)');
    expectClose(chiSquareSf(200, 10), 1.6139305336977307e-37, 'chi2.sf(200,10)');
  });

  it('chi2.sf, including the far tail', () => {
    for (const c of fx.chi2Sf) expectClose(chiSquareSf(c.x, c.dof), c.sf, `chi2.sf(${c.x}, ${c.dof})`);
  });

  it('chisquare (uniform and given expected frequencies, ddof)', () => {
    for (const c of fx.chisquare) {
      const r = chiSquareGoodnessOfFit(c.observed, {
        ...(c.expected === null ? {} : { expected: c.expected }),
        ddof: c.ddof,
      });
      expectClose(r.statistic, c.statistic, `chisquare(${JSON.stringify(c.observed)}) statistic`);
      expectClose(r.pValue, c.pValue, `chisquare(${JSON.stringify(c.observed)}) p`);
    }
  });

  it('chi2_contingency with and without Yates', () => {
    for (const c of fx.contingency) {
      const r = chiSquareContingency(c.table, { correction: c.correction });
      const what = `chi2_contingency(${JSON.stringify(c.table)}, correction=${c.correction})`;
      expectClose(r.statistic, c.statistic, `${what} statistic`);
      expectClose(r.pValue, c.pValue, `${what} p`);
      expect(r.dof).toBe(c.dof);
    }
  });

  it('reference sample against a batch over the union of categories', () => {
    for (const c of fx.twoSample) {
      const r = chiSquareTwoSample(c.reference, c.batch);
      expectClose(r.statistic, c.statistic, 'two-sample statistic');
      expectClose(r.pValue, c.pValue, 'two-sample p');
      expect(r.dof).toBe(c.dof);
    }
  });
});

describe('Kolmogorov–Smirnov against SciPy', () => {
  const fx = fixture<KsFixture>('ks');

  it('ks_2samp for every method, with ties, small and large samples', () => {
    for (const c of fx.ks2samp) {
      const size = `${c.sample1.length}×${c.sample2.length}`;
      for (const method of ['auto', 'exact', 'asymp'] as const) {
        const want = c[method];
        if (want === undefined || want.pValue === null) continue;
        const r = ksTwoSample(c.sample1, c.sample2, { method });
        expectClose(r.statistic, want.statistic, `${size} ${method} statistic`);
        expectClose(r.pValue, want.pValue, `${size} ${method} p`);
      }
    }
  });

  it('kstwo.sf over all the regions of its algorithm', () => {
    for (const c of fx.kstwoSf) expectClose(kolmogorovSmirnovSf(c.n, c.x), c.sf, `kstwo.sf(${c.x}, ${c.n})`);
  });

  it('smirnov (one-sided)', () => {
    for (const c of fx.smirnov) expectClose(smirnovSf(c.n, c.x), c.sf, `smirnov(${c.n}, ${c.x})`);
  });
});

describe('type-7 quantile against numpy', () => {
  it('matches np.quantile', () => {
    const fx = fixture<{ quantile: { values: number[]; p: number; q: number }[] }>('misc');
    for (const c of fx.quantile) expectClose(quantile(c.values, c.p), c.q, `quantile p=${c.p}`);
  });
});

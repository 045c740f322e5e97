#!/usr/bin/env python3
"""Regenerates packages/metrics/test/fixtures/drift/*.json with SciPy (not run by the tests).

Usage: python3 scripts/drift-vectors.py   (SciPy 1.17.1 produced the committed fixtures)
"""
import json
import pathlib

import numpy as np
import scipy
from scipy import stats, special

OUT = pathlib.Path(__file__).resolve().parent.parent / "packages/metrics/test/fixtures/drift"
rng = np.random.default_rng(20261122)


def f(v):
    """NaN (SciPy's kstwo.sf at n = round(0.5) = 0, for 1×1 samples) becomes null; the tests skip it."""
    v = float(v)
    return None if np.isnan(v) else v


def chi2_cases():
    sf = []
    for x, k in [(3.84, 1), (10, 4), (200, 10), (0.001, 3), (1e-8, 1), (50, 2), (1000, 30), (745, 2),
                 (1500, 1), (30, 30), (0.5, 0.5), (7.5, 7), (120, 100), (3000, 2500), (1e-3, 200),
                 (2500, 2500), (2600, 2500), (10500, 10000), (40000, 40000), (300, 150), (205, 200), (1000, 500)]:
        sf.append({"x": x, "dof": k, "sf": f(stats.chi2.sf(x, k))})
    gof = []
    base = [
        ([16, 18, 16, 14, 12, 12], None, 0),
        ([16, 18, 16, 14, 12, 12], [16, 16, 16, 16, 16, 8], 0),
        ([16, 18, 16, 14, 12, 12], None, 1),
        ([16, 18, 16, 14, 12, 12], None, 2),
        ([1000, 0, 0, 0, 0, 0, 0, 0, 0, 0], None, 0),
        ([5, 5], None, 0),
    ]
    for _ in range(8):
        k = int(rng.integers(2, 12))
        obs = rng.integers(0, 60, size=k).tolist()
        if sum(obs) == 0:
            obs[0] = 1
        p = rng.dirichlet(np.ones(k))
        exp = (p * sum(obs)).tolist()
        base.append((obs, exp, 0))
    for obs, exp, ddof in base:
        r = stats.chisquare(obs, f_exp=exp, ddof=ddof)
        gof.append({"observed": obs, "expected": exp, "ddof": ddof, "statistic": f(r.statistic), "pValue": f(r.pvalue)})
    cont = []
    tables = [
        [[10, 20, 30], [6, 9, 17]],
        [[12, 3], [17, 16]],
        [[10, 10], [10, 10]],
        [[10, 10.3], [10, 10]],
        [[1, 0], [0, 1]],
        [[500, 0], [0, 500]],
        [[3, 7, 0, 1], [30, 70, 2, 9]],
        [[5], [9]],
        [[5, 9]],
        [[1, 2, 3], [4, 5, 6], [7, 8, 100]],
    ]
    for _ in range(6):
        k = int(rng.integers(2, 8))
        tables.append([(rng.integers(1, 80, size=k)).tolist(), (rng.integers(1, 80, size=k)).tolist()])
    for t in tables:
        for corr in (True, False):
            r = stats.chi2_contingency(t, correction=corr)
            cont.append({"table": t, "correction": corr, "statistic": f(r.statistic), "pValue": f(r.pvalue),
                         "dof": int(r.dof)})
    two = []
    for _ in range(4):
        k = int(rng.integers(2, 6))
        ref = rng.integers(0, k, size=int(rng.integers(20, 300))).tolist()
        batch = rng.integers(0, k + 1, size=int(rng.integers(5, 120))).tolist()
        cats = sorted(set(ref) | set(batch))
        table = [[ref.count(c) for c in cats], [batch.count(c) for c in cats]]
        r = stats.chi2_contingency(table)
        two.append({"reference": ref, "batch": batch, "statistic": f(r.statistic), "pValue": f(r.pvalue),
                    "dof": int(r.dof)})
    return {"chi2Sf": sf, "chisquare": gof, "contingency": cont, "twoSample": two}


def ks_cases():
    cases = []
    x25 = [0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56, 0.39, 1.64, 0.05, -0.06, 0.64, -0.82, 0.37, 1.77,
           1.09, -1.28, 2.36, 1.31, 1.05, -0.32, -0.4, 1.06, -2.47]
    plans = [(25, 20, 0.0, 1.0, False), (300, 200, 0.1, 1.0, False), (50, 50, 0.3, 1.0, False),
             (40, 40, 0.0, 1.0, True), (7, 5, 0.0, 1.0, False), (1, 1, 0, 1, False), (3, 100, 1.0, 1.0, False),
             (120, 80, 0.5, 1.0, True), (1000, 700, 0.05, 1.0, False), (64, 48, 2.0, 1.0, False),
             (500, 500, 0.0, 1.5, True), (15, 35, 0.8, 1.0, False), (2000, 1500, 0.3, 1.0, False),
             (10000, 3000, 0.05, 1.0, False), (300, 11000, 0.15, 1.0, False), (20000, 200, 0.0, 1.0, True),
             (11000, 2000, 0.03, 1.0, False), (10001, 50, 0.4, 1.0, False), (12000, 5, 1.0, 1.0, False),
             (12000, 150, 0.25, 1.0, False)]
    for n1, n2, shift, scale, ties in plans:
        # 3 decimals keep the fixture small (ties are then common in the big samples, which is wanted).
        a = np.round(rng.normal(size=n1), 3)
        b = np.round(rng.normal(loc=shift, scale=scale, size=n2), 3)
        if ties:
            a = np.round(a, 1)
            b = np.round(b, 1)
        cases.append((a.tolist(), b.tolist()))
    cases.insert(0, (x25, rng.normal(size=20).round(2).tolist()))
    out = []
    for a, b in cases:
        entry = {"sample1": a, "sample2": b}
        for method in ("auto", "exact", "asymp"):
            if method == "exact" and max(len(a), len(b)) > 20000:
                continue
            r = stats.ks_2samp(a, b, method=method)
            entry[method] = {"statistic": f(r.statistic), "pValue": f(r.pvalue)}
        out.append(entry)
    kstwo = []
    for n in [1, 2, 5, 10, 50, 100, 140, 141, 200, 1000, 5000, 20000, 100000, 200000]:
        for x in [0.001, 0.01, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.45, 0.5, 0.7, 0.95, 0.999, 0.5 / n + 1e-9,
                  0.9 / n, 1 - 1.5 / n]:
            if 0 < x < 1:
                kstwo.append({"n": n, "x": x, "sf": f(stats.kstwo.sf(x, n))})
    smirnov = []
    for n in [1, 3, 10, 100, 141, 1000, 10000]:
        for x in [0.01, 0.05, 0.1, 0.3, 0.5, 0.8]:
            smirnov.append({"n": n, "x": x, "sf": f(special.smirnov(n, x))})
    return {"ks2samp": out, "kstwoSf": kstwo, "smirnov": smirnov}


def misc_cases():
    return {
        "quantile": [{"values": [0.3, 0.1, 0.4, 0.2, 0.5], "p": 0.8, "q": f(np.quantile([0.3, 0.1, 0.4, 0.2, 0.5], 0.8))},
                     {"values": rng.normal(size=101).tolist(), "p": 0.998,
                      "q": None}],
        "fdr": [{"pValues": pv, "adjusted": [f(v) for v in stats.false_discovery_control(pv, method="bh")]}
                for pv in ([0.01, 0.04, 0.03, 0.005, 0.2, 0.5], [0.9, 0.8, 0.95], rng.uniform(0, 0.1, 12).tolist(),
                           [0.001, 0.001, 0.5, 0.02])],
        "mmd": [{"x": [[0], [1], [2], [3]], "y": [[0.5], [1.5], [4]], "sigma": 1.0, "mmd2": -0.31575177284906875}],
    }


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    meta = {"scipy": scipy.__version__, "numpy": np.__version__}
    misc = misc_cases()
    q = misc["quantile"][1]
    q["q"] = f(np.quantile(q["values"], q["p"]))
    for name, data in (("chi-square", chi2_cases()), ("ks", ks_cases()), ("misc", misc)):
        (OUT / f"{name}.json").write_text(json.dumps({"generatedBy": meta, **data}) + "\n")


main()

"""Writes paired-holm.json: reference values for Statistics.PairedTest and holmAdjusted.

Run once (python3 make-paired-holm.py > paired-holm.json); the Swift tests read the file.
SciPy's ttest_1samp(d, 0, alternative='greater') for the paired test, statsmodels'
multipletests(method='holm') for Holm's adjustment."""
import json, numpy as np, scipy, statsmodels
from scipy import stats
from statsmodels.stats.multitest import multipletests

rng = np.random.default_rng(20261207)
cases = []
for n, shift in [(15, 0.02), (15, -0.01), (2, 0.3), (5, 1.5), (40, 0.0), (15, 0.4)]:
    d = rng.normal(shift, 0.05 if n != 5 else 0.4, size=n).round(6).tolist()
    r = stats.ttest_1samp(d, 0, alternative="greater")
    cases.append({"differences": d, "statistic": float(r.statistic), "p": float(r.pvalue), "df": int(n - 1),
                  "mean": float(np.mean(d)), "standard_error": float(np.std(d, ddof=1) / np.sqrt(n)),
                  "effect_size": float(np.mean(d) / np.std(d, ddof=1))})
holm = []
for p in [[0.01, 0.04, 0.03, 0.005, 0.2, 0.5, 0.001, 0.049, 0.7],
          [0.5, 0.5, 0.5], [1e-8, 0.9, 0.02, 0.02, 0.011],
          rng.uniform(0, 0.2, size=9).round(8).tolist()]:
    holm.append({"p": p, "holm": multipletests(p, method="holm")[1].tolist()})
print(json.dumps({"generator": f"scipy {scipy.__version__}, statsmodels {statsmodels.__version__}, numpy {np.__version__}",
                  "paired": cases, "holm": holm}, indent=1))

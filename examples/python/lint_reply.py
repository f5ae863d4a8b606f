"""Lint an agent's draft reply before it is sent, then its rewrite.

Run with the package on PYTHONPATH (bindings/python) and libredress-c
findable (REDRESS_LIBRARY=/path/to/libredress-c.so, or installed).
"""

import sys

import redress

draft = "Sir, that coupon expired yesterday, as our policy clearly states. I can refund you 300 yuan though."
rewrite = ("I'm so sorry, finding the coupon expired right when you wanted it is really frustrating. "
           "It's our mistake, and I'll ask my supervisor to extend it for you.")

report = redress.lint(draft, language="en")
for f in report["findings"]:
    print(f"{f['severity']:<5} {f['code']:<28} [{f['begin_char']}, {f['end_char']}) {f['phrase']!r}")
    print(f"      hint: {f['hint']}")
print(f"structure score: {report['structure_score']}/100")

better = redress.lint(rewrite, language="en")
print(f"rewrite: {len(better['findings'])} findings, structure score {better['structure_score']}/100")

# Run as a test: the draft must be caught and the rewrite must score higher.
codes = {f["code"] for f in report["findings"]}
sys.exit(0 if "promise.over_authority" in codes and better["structure_score"] > report["structure_score"] else 1)

"""pass@k: the chance that at least one of k samples drawn from n generations passes.

The unbiased estimator of Chen et al. (2021, "Evaluating Large Language Models Trained on Code"),
``1 - C(n-c, k) / C(n, k)``, computed as a product so large n does not overflow. Hand-written
because it is one line of arithmetic: the libraries that ship it (HF ``evaluate``'s code_eval)
also execute code, which this function does not need.
"""

from __future__ import annotations

import numpy as np

from llmore.errors import AppError


def pass_at_k(n: int, correct: int, k: int) -> float:
    """pass@k for one problem with ``n`` generations of which ``correct`` passed."""
    if not 0 <= correct <= n or k < 1 or k > n:
        raise AppError(
            f"pass@k needs 0 <= correct <= n and 1 <= k <= n; got n={n}, correct={correct}, k={k}. "
            "Generate at least k samples per problem.",
            code="invalid_pass_at_k",
            details=[{"field": "k", "message": f"must be between 1 and n={n}"}],
        )
    if n - correct < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - correct + 1, n + 1)))


def mean_pass_at_k(samples: list[tuple[int, int]], k: int) -> float:
    """The mean pass@k over problems given as ``(n, correct)`` pairs."""
    return float(np.mean([pass_at_k(n, c, k) for n, c in samples])) if samples else 0.0

"""The Bradley-Terry information matrix kept sparse, for assessments of many essays.

The negative Hessian of the penalised log-likelihood is M = L + ridge * I, with L the graph
Laplacian of the comparisons weighted by p(1 - p). Stored densely it costs n^2 memory and
n^3 time; here it is never formed. It is stored as a sparse matrix whose pattern (one entry per
distinct pair judged, plus the diagonal) is built once per set of judgements, so memory and
time per product are O(essays + judgements).

Because every row of L sums to zero, M 1 = ridge * 1 exactly: the all-ones direction is an
eigenvector, known in advance. Every solve splits it off (M^-1 b = mean(b) / ridge * 1 +
M^-1 (b - mean(b))), and conjugate gradients with a Jacobi preconditioner run only in the
sum-to-zero subspace, where the comparison graph of a CJ design (each essay compared with
several others, partners spread over the scale) is well conditioned: tens of iterations.

The standard errors need the diagonal of the covariance C M^-1 C (C the centring matrix).
Up to EXACT_VARIANCES essays the reported one is computed exactly (a dense inverse);
above that, and inside the search for the spread of abilities, which needs only its mean, it
is estimated: M^-1 = sum_t P^t D^-1 with P = I - D^-1 M (D = diag(M)), whose
first terms have an exact diagonal (1/D_i, zero, sum_j W_ij^2 / (D_i^2 D_j)); the rest,
P^3 M^-1, is estimated with centred random sign vectors (Hutchinson), whose error is small
because those terms are spread thinly over many essays. docs/benchmarks.md gives the error
measured against the exact diagonal. The log-determinant (for the Laplace evidence) is
likewise split into exact leading terms and a remainder estimated by stochastic Lanczos
quadrature, with fixed probes so that it is a smooth function of the ridge for the search
over the spread of abilities.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.linalg import lapack

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Up to this many essays the standard errors reported are exact (a dense inverse of an
# n x n matrix, 8 MB at this size); above, estimated.
EXACT_VARIANCES = 1_000
# Random sign vectors for the estimated diagonal, and for the log-determinant (whose
# differences between nearby ridges are what the search needs: common probes make them
# smooth, and 8 probes of 20 Lanczos steps chose the same spread as the exact determinant
# in simulation at 1,000 essays).
PROBES = 32
LOGDET_PROBES = 8
LANCZOS_STEPS = 20
# Where probing is cheap (fewer essays), more probes for the averages: n x probes >= this.
PROBE_BUDGET = 32_000
MAX_PROBES = 32
_RTOL = 1e-10
_MAX_ITERATIONS = 2_000


@dataclass(frozen=True)
class Design:
    """Which essays each judgement compared: built once, reused for every set of weights."""

    n: int
    winners: IntArray
    losers: IntArray
    pair_first: IntArray  # each distinct pair once (first < second)
    pair_second: IntArray
    pair_of: IntArray  # for each judgement, its distinct pair
    # The pattern of M in CSR form: each stored entry's source in [pair weights..., diagonal...]
    indices: NDArray[np.int32]
    indptr: NDArray[np.int32]
    source: IntArray
    probe_seed: int = field(default=12345)


def design(n: int, winners: IntArray, losers: IntArray) -> Design:
    low, high = np.minimum(winners, losers), np.maximum(winners, losers)
    keys, pair_of = np.unique(low * n + high, return_inverse=True)
    first, second = keys // n, keys % n
    pairs = len(keys)
    rows = np.concatenate([first, second, np.arange(n)])
    columns = np.concatenate([second, first, np.arange(n)])
    source = np.concatenate([np.arange(pairs), np.arange(pairs), pairs + np.arange(n)])
    order = np.lexsort((columns, rows))
    indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return Design(
        n,
        winners,
        losers,
        first,
        second,
        pair_of.astype(np.int64),
        columns[order].astype(np.int32),
        indptr,
        source[order],
    )


@dataclass(frozen=True)
class Information:
    """M = L + ridge * I for one set of scores, L the Laplacian weighted by p(1 - p)."""

    design: Design
    weights: FloatArray  # p(1 - p) per judgement
    ridge: float
    diagonal: FloatArray = field(init=False)
    pair_weight: FloatArray = field(init=False)  # summed over repeats of a pair
    matrix: sp.csr_matrix = field(init=False)

    def __post_init__(self) -> None:
        d = self.design
        degree = np.bincount(d.winners, weights=self.weights, minlength=d.n)
        degree += np.bincount(d.losers, weights=self.weights, minlength=d.n)
        diagonal = degree + self.ridge
        pair_weight = np.bincount(d.pair_of, weights=self.weights, minlength=len(d.pair_first))
        values = np.concatenate([-pair_weight, diagonal])[d.source]
        matrix = sp.csr_matrix((values, d.indices, d.indptr), shape=(d.n, d.n))
        object.__setattr__(self, "diagonal", diagonal)
        object.__setattr__(self, "pair_weight", pair_weight)
        object.__setattr__(self, "matrix", matrix)

    def apply(self, x: FloatArray) -> FloatArray:
        return np.asarray(self.matrix @ x, dtype=np.float64)

    def solve(self, rhs: FloatArray) -> FloatArray:
        """M^-1 rhs, for one right-hand side or a block of them (columns)."""
        mean = rhs.mean(axis=0)
        return _solve_centred(self, rhs - mean) + mean / self.ridge

    def constrained_variances(self, exact: bool) -> FloatArray:
        """The diagonal of C M^-1 C, exact or estimated."""
        if exact:
            # diag(M^-1)_i = |L^-1 e_i|^2 with M = L L' (Cholesky); and C M^-1 C =
            # M^-1 - 11'/(ridge n) because M^-1 1 = 1 / ridge.
            factor, info = lapack.dpotrf(self.dense(), lower=1)
            inverse_factor, info_inverse = lapack.dtrtri(factor, lower=1)
            if info or info_inverse:
                raise np.linalg.LinAlgError("the information matrix is not positive definite")
            inverse_diagonal = np.einsum("ij,ij->j", inverse_factor, inverse_factor)
            return np.asarray(inverse_diagonal - 1.0 / (self.ridge * self.design.n))
        return self._estimated_variances()

    def mean_variance(self) -> float:
        """The mean of diag(C M^-1 C), estimated with fewer probes: an average over all the
        essays, its error is far smaller than any one essay's."""
        return float(np.mean(self._estimated_variances(self._average_probes())))

    def log_det(self) -> float:
        """log det M, estimated (stochastic Lanczos quadrature)."""
        return self._estimated_log_det()

    def dense(self) -> FloatArray:
        return np.asarray(self.matrix.toarray(), dtype=np.float64)

    def _local_inverse_diagonal(self) -> FloatArray:
        """The diagonal of D^-1 + P D^-1 + P^2 D^-1: 1/D_i + sum_j W_ij^2 / (D_i^2 D_j)."""
        d = self.design
        squared = self.pair_weight**2
        second = np.bincount(
            d.pair_first, weights=squared / self.diagonal[d.pair_second], minlength=d.n
        )
        second += np.bincount(
            d.pair_second, weights=squared / self.diagonal[d.pair_first], minlength=d.n
        )
        return 1.0 / self.diagonal + second / self.diagonal**2

    def _propagate(self, x: FloatArray, steps: int) -> FloatArray:
        """P^steps x with P = I - D^-1 M."""
        scale = self.diagonal[:, None] if x.ndim == 2 else self.diagonal
        for _ in range(steps):
            x = x - self.apply(x) / scale
        return x

    def _average_probes(self) -> int:
        return max(LOGDET_PROBES, min(MAX_PROBES, PROBE_BUDGET // self.design.n))

    def _probes(self, count: int = PROBES, centred: bool = True) -> FloatArray:
        rng = np.random.default_rng(self.design.probe_seed)
        signs = rng.choice(np.array([-1.0, 1.0]), size=(self.design.n, count))
        return signs - signs.mean(axis=0) if centred else signs

    def _estimated_variances(self, probes_count: int = PROBES) -> FloatArray:
        n = self.design.n
        probes = self._probes(probes_count)
        # diag(M^-1) = local terms + diag(R), R = P^3 M^-1. Centred probes v (E[v v'] = C)
        # give E[v * R v] = diag(R C) = diag(R) - R 1 / n, and R 1 = P^3 1 / ridge exactly.
        remainder = self._propagate(_solve_centred(self, probes), 3)
        sampled = np.mean(probes * remainder, axis=1)
        ones = self._propagate(np.full(n, 1.0 / self.ridge), 3)
        inverse_diagonal = self._local_inverse_diagonal() + sampled + ones / n
        # C M^-1 C = M^-1 - 11'/(ridge n) because M^-1 1 = 1 / ridge.
        return np.asarray(inverse_diagonal - 1.0 / (self.ridge * n), dtype=np.float64)

    def _estimated_log_det(self) -> float:
        """log det M = sum log D_i + log det A, A = D^-1/2 M D^-1/2 = I - S (tr S = 0), and
        tr log(I - S) = -tr(S^2) / 2 + tr g(A) with g(x) = log x + (1 - x) + (1 - x)^2 / 2.
        tr(S^2) is exact; only tr g(A) is estimated (stochastic Lanczos quadrature), and
        its error is five times smaller than that of estimating tr log M directly."""
        d = self.design
        scale = 1.0 / np.sqrt(self.diagonal)[:, None]
        squared = 2.0 * np.sum(
            self.pair_weight**2 / (self.diagonal[d.pair_first] * self.diagonal[d.pair_second])
        )

        def remainder(x: FloatArray) -> FloatArray:
            return np.asarray(np.log(x) + (1.0 - x) + 0.5 * (1.0 - x) ** 2)

        probes = self._probes(self._average_probes(), centred=False)
        estimated = _lanczos_trace(lambda x: self.apply(x * scale) * scale, probes, remainder)
        return float(np.sum(np.log(self.diagonal)) - 0.5 * squared + estimated)


def _lanczos_trace(
    apply: Callable[[FloatArray], FloatArray],
    probes: FloatArray,
    function: Callable[[FloatArray], FloatArray],
) -> float:
    """tr f(A) ~ mean over probes v of |v|^2 e1' f(T) e1, T the Lanczos tridiagonal of A
    from v (Gauss quadrature of v' f(A) v)."""
    norms = np.sqrt(np.sum(probes**2, axis=0))
    q = probes / norms
    previous = np.zeros_like(q)
    alphas, betas = [], []
    beta = np.zeros(q.shape[1])
    for step in range(LANCZOS_STEPS):
        w = apply(q)
        alpha = np.sum(q * w, axis=0)
        w -= alpha * q + beta * previous
        alphas.append(alpha)
        beta = np.sqrt(np.sum(w**2, axis=0))
        if step == LANCZOS_STEPS - 1 or np.all(beta < 1e-10):
            break
        betas.append(beta)
        previous, q = q, w / np.where(beta > 0, beta, 1.0)
    a, b = np.array(alphas), np.array(betas)
    total = 0.0
    k = len(a)
    for column in range(q.shape[1]):
        tridiagonal = np.diag(a[:, column])
        tridiagonal += np.diag(b[: k - 1, column], 1) + np.diag(b[: k - 1, column], -1)
        values, vectors = np.linalg.eigh(tridiagonal)
        weights = vectors[0] ** 2
        total += norms[column] ** 2 * float(
            np.sum(weights * function(np.clip(values, 1e-300, None)))
        )
    return total / q.shape[1]


def information(
    design: Design, scores: FloatArray, ridge: float, slope: FloatArray | None = None
) -> Information:
    """`slope`: each judgement's judge discrimination a (information a^2 p (1 - p))."""
    margin = scores[design.winners] - scores[design.losers]
    if slope is None:
        p = 0.5 * (1.0 + np.tanh(0.5 * margin))
        return Information(design, p * (1.0 - p), ridge)
    p = 0.5 * (1.0 + np.tanh(0.5 * slope * margin))
    return Information(design, slope**2 * p * (1.0 - p), ridge)


def _solve_centred(info: Information, rhs: FloatArray) -> FloatArray:
    """M^-1 rhs for right-hand sides that sum to zero: preconditioned conjugate gradients in
    the sum-to-zero subspace (column by column, vectorised over a block)."""
    single = rhs.ndim == 1
    b = rhs[:, None] if single else rhs
    inverse_diagonal = (1.0 / info.diagonal)[:, None]

    def precondition(r: FloatArray) -> FloatArray:
        z = r * inverse_diagonal
        return z - z.mean(axis=0)

    x = np.zeros_like(b)
    r = b.copy()
    z = precondition(r)
    p = z.copy()
    rz = np.sum(r * z, axis=0)
    threshold = _RTOL * np.sqrt(np.sum(b**2, axis=0))
    active = np.sqrt(np.sum(r**2, axis=0)) > threshold
    for _ in range(_MAX_ITERATIONS):
        if not active.any():
            break
        q = info.apply(p)
        pq = np.sum(p * q, axis=0)
        alpha = np.where(active, rz / np.where(pq > 0, pq, 1.0), 0.0)
        x += alpha * p
        r -= alpha * q
        active &= np.sqrt(np.sum(r**2, axis=0)) > threshold
        z = precondition(r)
        rz_next = np.sum(r * z, axis=0)
        beta = np.where(active, rz_next / np.where(rz > 0, rz, 1.0), 0.0)
        p = z + beta * p
        rz = rz_next
    return x[:, 0] if single else x

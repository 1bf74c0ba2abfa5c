import math

import numpy as np
import pytest

from services.cj_assessment.method import scale


def _pairs(*games: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    winners = np.array([w for w, _ in games], dtype=np.int64)
    losers = np.array([loser for _, loser in games], dtype=np.int64)
    return winners, losers


def test_two_essays_without_ridge_match_the_hand_computed_mle() -> None:
    # A beat B twice and lost once: sigmoid(d) = 2/3, so d = ln 2, split evenly around 0.
    # Fisher information for d is n p (1 - p) = 3 * 2/9 = 2/3; theta_A = d/2, so
    # var(theta_A) = (3/2) / 4.
    winners, losers = _pairs((0, 1), (0, 1), (1, 0))
    fitted = scale.fit(2, winners, losers, ridge=0.0)
    assert fitted.scores[0] == pytest.approx(math.log(2) / 2, abs=1e-9)
    assert fitted.scores[1] == pytest.approx(-math.log(2) / 2, abs=1e-9)
    assert fitted.se[0] == pytest.approx(math.sqrt(1.5) / 2, rel=1e-6)
    assert fitted.se[1] == pytest.approx(math.sqrt(1.5) / 2, rel=1e-6)


def test_a_perfect_record_stays_finite_and_solves_the_penalised_equation() -> None:
    # A beat B once. With the ridge the optimum solves 1 - sigmoid(d) = ridge * d / 2,
    # solved here by bisection independently of the Newton fit.
    winners, losers = _pairs((0, 1))
    ridge = 0.05
    fitted = scale.fit(2, winners, losers, ridge=ridge)
    low, high = 0.0, 50.0
    for _ in range(200):
        middle = (low + high) / 2
        if 1 - 1 / (1 + math.exp(-middle)) - ridge * middle / 2 > 0:
            low = middle
        else:
            high = middle
    assert fitted.scores[0] - fitted.scores[1] == pytest.approx(low, abs=1e-8)
    assert np.all(np.isfinite(fitted.scores)) and np.all(fitted.se > 0)


def test_scores_are_mean_centred_and_order_follows_the_record() -> None:
    winners, losers = _pairs((0, 1), (1, 2), (0, 2), (2, 3), (1, 3), (0, 3), (3, 1))
    fitted = scale.fit(4, winners, losers)
    assert fitted.scores.sum() == pytest.approx(0.0, abs=1e-9)
    assert fitted.scores[0] > fitted.scores[1] > fitted.scores[3]


def test_disconnected_essays_get_finite_scores_and_no_zero_se() -> None:
    winners, losers = _pairs((0, 1), (2, 3))
    fitted = scale.fit(5, winners, losers)  # essay 4 was never compared
    assert np.all(np.isfinite(fitted.scores))
    assert np.all(fitted.se > 0)
    assert fitted.se[4] > fitted.se[0]


def test_se_is_the_inverse_of_the_numeric_hessian_under_the_sum_to_zero_constraint() -> None:
    rng = np.random.default_rng(3)
    n = 6
    truth = rng.normal(0, 1, n)
    games = []
    for _ in range(80):
        i, j = rng.choice(n, 2, replace=False)
        games.append((i, j) if rng.random() < 1 / (1 + math.exp(truth[j] - truth[i])) else (j, i))
    winners, losers = _pairs(*games)
    ridge = 0.05
    fitted = scale.fit(n, winners, losers, ridge=ridge)
    # Parametrise the constrained scores by n-1 free coordinates: theta = B u, with B an
    # orthonormal basis of the sum-to-zero subspace; the covariance is B H_u^-1 B^T.
    basis = np.linalg.svd(np.eye(n) - 1 / n)[0][:, : n - 1]

    def objective(u: np.ndarray) -> float:
        return scale.penalised_log_likelihood(fitted.scores + basis @ u, winners, losers, ridge)

    h = 1e-4
    hessian = np.zeros((n - 1, n - 1))
    for a in range(n - 1):
        for b in range(n - 1):
            ea, eb = np.eye(n - 1)[a] * h, np.eye(n - 1)[b] * h
            hessian[a, b] = (
                objective(ea + eb) - objective(ea - eb) - objective(-ea + eb) + objective(-ea - eb)
            ) / (4 * h * h)
    numeric = basis @ np.linalg.inv(-hessian) @ basis.T
    assert np.sqrt(np.diag(numeric)) == pytest.approx(fitted.se, rel=1e-3)


def test_ssr_formula() -> None:
    scores = np.array([-1.5, -0.5, 0.5, 1.5])
    se = np.array([0.5, 0.5, 0.5, 0.5])
    observed = np.var(scores, ddof=1)  # 5/3
    expected = (observed - 0.25) / observed
    assert scale.scale_separation_reliability(scores, float(np.mean(se**2))) == pytest.approx(
        expected
    )
    assert scale.scale_separation_reliability(np.zeros(3), 0.25) is None


def _random_rounds(n: int, sd: float, rounds: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    truth = rng.normal(0, sd, n)
    games = []
    for _ in range(rounds):
        order = rng.permutation(n)
        for k in range(0, n - 1, 2):
            i, j = order[k], order[k + 1]
            games.append(
                (i, j) if rng.random() < 1 / (1 + math.exp(truth[j] - truth[i])) else (j, i)
            )
    winners, losers = _pairs(*games)
    return truth, winners, losers


def test_posterior_reliability_formula() -> None:
    posterior = np.array([0.2, 0.3, 0.25, 0.25])
    # 1 - mean posterior variance / spread of abilities
    assert scale.posterior_reliability(posterior, 2.0) == pytest.approx(1 - 0.25 / 2.0)
    assert scale.posterior_reliability(posterior, 0.2) == 0.0  # never negative
    assert scale.posterior_reliability(posterior[:2], 2.0) is None
    assert scale.posterior_reliability(posterior, 0.0) is None


def test_the_spread_of_abilities_is_recovered_roughly() -> None:
    # With 20 comparisons per essay the estimate lands near the true variance (4 and 1);
    # the approximations are biased low, so "roughly" means within a factor of 1.6.
    for sd, seed in ((2.0, 1), (1.0, 2)):
        truth, winners, losers = _random_rounds(80, sd, 20, seed)
        start = scale.fit_scores(80, winners, losers)
        variance = scale.ability_variance(80, winners, losers, start)
        assert sd**2 / 1.6 < variance < sd**2 * 1.6


def test_posterior_reliability_is_close_to_the_true_reliability() -> None:
    truth, winners, losers = _random_rounds(100, 2.0, 10, 5)
    start = scale.fit_scores(100, winners, losers)
    variance = scale.ability_variance(100, winners, losers, start)
    fitted = scale.fit(100, winners, losers, ridge=1 / variance)
    reported = scale.posterior_reliability(fitted.se**2, variance)
    true_reliability = np.corrcoef(fitted.scores, truth)[0, 1] ** 2
    assert reported is not None and abs(reported - true_reliability) < 0.08


def _random_design(n: int, per_essay: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Each essay in about `per_essay` comparisons with random partners, SD 2 logits."""
    rng = np.random.default_rng(seed)
    truth = rng.normal(0, 2.0, n)
    a = np.concatenate([rng.permutation(n) for _ in range(per_essay)])
    b = np.concatenate([rng.permutation(n) for _ in range(per_essay)])
    keep = a != b
    a, b = a[keep][: n * per_essay // 2], b[keep][: n * per_essay // 2]
    a_won = rng.random(len(a)) < 1 / (1 + np.exp(truth[b] - truth[a]))
    return np.where(a_won, a, b).astype(np.int64), np.where(a_won, b, a).astype(np.int64)


@pytest.mark.parametrize("n", [50, 400, 1000])
def test_the_sparse_path_agrees_with_the_dense_one_up_to_a_thousand_essays(n: int) -> None:
    winners, losers = _random_design(n, 10, seed=n)
    for ridge in (scale.RIDGE, 0.25):
        dense = scale.fit(n, winners, losers, ridge=ridge, use_sparse=False)
        sparse_fit = scale.fit(n, winners, losers, ridge=ridge, use_sparse=True)
        assert np.max(np.abs(dense.scores - sparse_fit.scores)) < 1e-6
        assert np.max(np.abs(dense.se - sparse_fit.se)) < 1e-6


def test_an_early_sparse_design_with_unjudged_essays_agrees_too() -> None:
    # 1,000 essays, only 300 judgements: most essays unjudged, the graph in pieces.
    winners, losers = _random_design(1000, 10, seed=3)
    winners, losers = winners[:300], losers[:300]
    dense = scale.fit(1000, winners, losers, use_sparse=False)
    sparse_fit = scale.fit(1000, winners, losers, use_sparse=True)
    assert np.max(np.abs(dense.scores - sparse_fit.scores)) < 1e-6
    assert np.max(np.abs(dense.se - sparse_fit.se)) < 1e-6


def test_estimated_standard_errors_stay_within_their_measured_bound() -> None:
    # Above sparse.EXACT_VARIANCES the SEs are estimated: against the exact ones at 1,500
    # essays each is within 4 % (measured: SD 0.6 %, max 2.5 %) and their mean square, which
    # the reliability uses, within 0.5 %.
    n = 1500
    winners, losers = _random_design(n, 10, seed=7)
    exact = scale.fit(n, winners, losers, ridge=0.25, use_sparse=True, exact_se=True)
    estimated = scale.fit(n, winners, losers, ridge=0.25, use_sparse=True, exact_se=False)
    assert np.max(np.abs(estimated.se / exact.se - 1)) < 0.04
    assert np.mean(estimated.se**2) == pytest.approx(np.mean(exact.se**2), rel=0.005)


def test_the_estimated_log_determinant_is_close_to_the_exact_one() -> None:
    from services.cj_assessment.method import sparse

    n = 1000
    winners, losers = _random_design(n, 10, seed=11)
    scores = scale.fit_scores(n, winners, losers, ridge=0.25)
    information = sparse.information(sparse.design(n, winners, losers), scores, 0.25)
    exact = float(np.linalg.slogdet(information.dense())[1])
    assert information.log_det() == pytest.approx(exact, rel=0.01)


def test_the_spread_found_on_the_sparse_path_matches_the_dense_one() -> None:
    n = 600
    winners, losers = _random_design(n, 10, seed=5)
    start = scale.fit_scores(n, winners, losers)
    dense = scale.ability_variance(n, winners, losers, start, use_sparse=False)
    sparse_variance = scale.ability_variance(n, winners, losers, start, use_sparse=True)
    assert sparse_variance == pytest.approx(dense, rel=0.02)

"""A lender's book (sroi.portfolio, docs/method.md §13): sharing, streams, merge, executors, errors."""

from __future__ import annotations

import concurrent.futures as cf

import numpy as np
import pytest

import sroi
from sroi.exceptions import SROIError
from sroi.finance import credit_line
from sroi.portfolio import BookSimulation, Portfolio, Programme, html_section
from sroi.portfolio.streams import SharedLayer, stream_uniforms


def _programme(
    reach: float = 10.0, *, named: bool = True, currency: str = "GBP", payer: str = "Council"
) -> sroi.Analysis:
    """A small programme with tier-A cash; its estimates are named parameters (shared in a
    book) or unnamed (specific to the programme)."""
    take_up = sroi.Ref("take_up") if named else sroi.Uniform(0.2, 0.6)
    deadweight = sroi.Ref("deadweight") if named else sroi.Pert(0.1, 0.2, 0.4)
    return sroi.Analysis(
        name="Programme",
        currency=currency,
        inputs=[sroi.Input("Funder", "Grant", f"1000 {currency}")],
        parameters={"take_up": sroi.Uniform(0.2, 0.6), "deadweight": sroi.Pert(0.1, 0.2, 0.4)}
        if named
        else {},
        outcomes=[
            sroi.Outcome(
                "People",
                "Back in work",
                quantity=f"{reach} person",
                proxy=f"300 {currency}/person",
                duration=3,
                drop_off=0.2,
                quantity_factors=(take_up,),
                deadweight=deadweight,
                cash_tier="A",
                payer=payer,
            ),
            sroi.Outcome("People", "Wellbeing", quantity=f"{reach} person", proxy=f"100 {currency}/person"),
        ],
    )


def _same(a: BookSimulation, b: BookSimulation) -> None:
    """Bit-identical book results."""
    for name in ("present_value", "total_inputs", "ratio", "eligible_cash", "borrower_cash", "payer_cash"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.programme_summary.equals(b.programme_summary)
    assert a.book_line.value == b.book_line.value


@pytest.fixture(scope="module")
def mixed_book() -> Portfolio:
    """Nine programmes (two blocks of tasks) of three borrowers, shared and specific estimates."""
    progs = [
        Programme(f"p{i}", _programme(5 + i, named=i % 2 == 0), borrower=f"B{i % 3}", payer=f"Payer {i % 2}")
        for i in range(9)
    ]
    return Portfolio(progs, credit={"haircut": 0.8}, share_identical=False)


# -- the done-when tests -----------------------------------------------------------------------
@pytest.mark.parametrize("n_programmes", [1, 3, 12])
def test_identical_shared_programmes_line_is_n_times_single(n_programmes: int) -> None:
    a = _programme()
    single = Portfolio([Programme("one", a)]).simulate(4096, seed=11)
    book = Portfolio([Programme(f"p{i}", a, borrower="all") for i in range(n_programmes)]).simulate(
        4096, seed=11
    )
    # every estimate is shared, so each draw's cash is N times the single programme's (rounding of
    # N float additions: relative 1e-12); the line is linear in the cash
    np.testing.assert_allclose(book.eligible_cash, n_programmes * single.eligible_cash, rtol=1e-12)
    assert book.book_line.value == pytest.approx(n_programmes * single.book_line.value, rel=1e-9)
    # the same ratio distribution, draw by draw (no false diversification)
    np.testing.assert_allclose(book.ratio, single.ratio, rtol=1e-12)
    # and the book line equals credit_line on the single programme's cash times N
    direct = credit_line(n_programmes * single.eligible_cash.T, currency="GBP")
    assert book.book_line.value == pytest.approx(direct.value, rel=1e-9)


def test_independent_programmes_narrow_the_book_ratio() -> None:
    progs = [Programme(f"p{i}", _programme(10, named=False)) for i in range(10)]
    sim = Portfolio(progs, share_identical=False).simulate(8192, seed=5)
    book_sd = float(sim.book_summary.loc["ratio", "sd"])
    each_sd = sim.programme_summary["ratio_sd"]
    # independent and identically distributed: sd / sqrt(10) in theory; margin for MC error
    assert book_sd < 0.5 * float(each_sd.min())
    s = sim.book_summary.loc["ratio"]
    widths = sim.programme_summary["ratio_p90"] - sim.programme_summary["ratio_p10"]
    assert float(s["p90"] - s["p10"]) < float(widths.min())


def test_shared_draws_remove_false_diversification() -> None:
    """The same programmes, shared versus declared specific: the shared book's downside cash is
    lower, and its line is about the sum of the single lines (the trap of issue #16)."""
    progs = [Programme(f"p{i}", _programme(10)) for i in range(6)]
    shared = Portfolio(progs).simulate(8192, seed=2)
    independent = Portfolio(progs, specific=["take_up", "deadweight"]).simulate(8192, seed=2)
    assert shared.book_line.value < independent.book_line.value
    assert shared.book_line.value == pytest.approx(
        shared.lines().loc["sum of borrower lines", "line"], rel=1e-6
    )


def test_identical_unnamed_estimates_are_shared_by_default() -> None:
    """The same unnamed estimate copied into several programmes is one assumption (shared by
    its field path, outcomes named by id); a different distribution at that path is not."""
    progs = [Programme(f"p{i}", _programme(10, named=False)) for i in range(4)]
    other = _programme(10, named=False)
    other = other.replace(
        outcomes=[other.outcomes[0].replace(deadweight=sroi.Pert(0.2, 0.3, 0.5)), other.outcomes[1]]
    )
    book = Portfolio([*progs, Programme("other", other)])
    assert "outcomes[id=people_back_in_work].quantity_factors[0]" in book.shared_parameters
    dw = [n for n in book.shared_parameters if n.startswith("outcomes[id=people_back_in_work].deadweight")]
    assert len(dw) == 1 and "~ Pert(low=0.1" in dw[0]  # the four identical ones; "other" keeps its own
    assert book._plans[4].local  # other's deadweight is specific
    sim = book.simulate(2048, seed=1)
    np.testing.assert_allclose(sim.payer_cash[0], sim.eligible_cash.sum(axis=0), rtol=1e-12)  # sum order
    # four identical programmes drawn together: the same value in every draw
    four = Portfolio(progs).simulate(2048, seed=1, keep_programme_draws=True)
    pv = four.programme_present_value
    assert pv is not None
    for key in ("p1", "p2", "p3"):
        np.testing.assert_array_equal(pv[key], pv["p0"])


# -- streams, chunks, executors ---------------------------------------------------------------
@pytest.mark.parametrize("start", [0, 1, 1023, 5000])
def test_stream_jump_ahead_equals_reading_in_order(start: int) -> None:
    whole = stream_uniforms((1, 2, 3, 4), (1, 99, 7), 0, start + 300)
    np.testing.assert_array_equal(stream_uniforms((1, 2, 3, 4), (1, 99, 7), start, 300), whole[start:])


def test_same_seed_same_book_whatever_the_chunk_size(mixed_book: Portfolio) -> None:
    ref = mixed_book.simulate(5000, seed=9)
    for chunk in (1024, 2048, 8192):
        _same(ref, mixed_book.simulate(5000, seed=9, chunk_size=chunk))


@pytest.mark.parametrize("pool", [cf.ThreadPoolExecutor, cf.ProcessPoolExecutor])
def test_same_seed_same_book_with_an_executor(mixed_book: Portfolio, pool: type) -> None:
    ref = mixed_book.simulate(3000, seed=4, chunk_size=1024)
    with pool(max_workers=2) as ex:
        _same(ref, mixed_book.simulate(3000, seed=4, chunk_size=2048, executor=ex))


def test_same_seed_same_book_on_a_local_dask_cluster(mixed_book: Portfolio) -> None:
    distributed = pytest.importorskip("distributed")
    ref = mixed_book.simulate(2048, seed=4)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        _same(ref, mixed_book.simulate(2048, seed=4, chunk_size=1024, executor=client))


def test_programme_results_do_not_depend_on_the_other_programmes() -> None:
    a, b = _programme(10), _programme(20, named=False)
    one = Portfolio([Programme("x", a), Programme("y", b)]).simulate(2048, seed=1)
    other = Portfolio([Programme("z", _programme(3)), Programme("y", b), Programme("x", a)]).simulate(
        2048, seed=1
    )
    assert one.programme_summary.loc["x"].equals(other.programme_summary.loc["x"])
    assert one.programme_summary.loc["y"].equals(other.programme_summary.loc["y"])


def test_different_seeds_differ(mixed_book: Portfolio) -> None:
    assert not np.array_equal(
        mixed_book.simulate(1024, seed=1).ratio, mixed_book.simulate(1024, seed=2).ratio
    )


def test_programme_summaries_match_its_draws() -> None:
    book = Portfolio([Programme("x", _programme(10, named=False)), Programme("y", _programme(7))])
    sim = book.simulate(4096, seed=3, keep_programme_draws=True)
    assert sim.programme_present_value is not None
    pv = sim.programme_present_value["x"].to_numpy(np.float64)
    row = sim.programme_summary.loc["x"]
    assert row["present_value_mean"] == pytest.approx(pv.mean(), rel=1e-6)  # float32 draws
    # histogram quantiles: within one bin (range / 1000) of the exact quantile
    width = 2 * (pv.max() - pv.min()) / 1000
    for q in (10, 50, 90):
        assert abs(row[f"present_value_p{q}"] - np.percentile(pv, q)) <= 2 * width
    np.testing.assert_allclose(
        sim.programme_present_value.sum(axis=1), sim.present_value, rtol=1e-6
    )  # float32 per programme


def test_correlation_with_a_shared_parameter_is_kept() -> None:
    """A programme's rank correlation between a shared and its own estimate (drawn
    conditionally on the shared normal) is the one it declares."""
    a = _programme(10).replace(
        parameters={
            "take_up": sroi.Uniform(0.2, 0.6),
            "deadweight": sroi.Pert(0.1, 0.2, 0.4),
            "local_share": sroi.Uniform(0.5, 1.0),
        },
        correlations=[("take_up", "local_share", 0.6)],
    )
    a = a.replace(
        outcomes=[
            a.outcomes[0],
            sroi.Outcome(
                "People",
                "Wellbeing",
                quantity="10 person",
                proxy="100 GBP/person",
                quantity_factors=(sroi.Ref("local_share"),),
            ),
        ]
    )
    book = Portfolio([Programme("x", a)], specific=["local_share"])
    plan = book._plans[0]
    layer = SharedLayer((1, 2, 3, 4), book.shared_parameters)
    values = plan.values(layer, 0, 20000)
    from scipy import stats

    rho = stats.spearmanr(values[plan.keys.index("take_up")], values[plan.keys.index("local_share")])[0]
    assert rho == pytest.approx(0.6, abs=0.03)  # MC error of a Spearman rho at n = 20,000: ~0.005


# -- results --------------------------------------------------------------------------------------
def test_stress_lowers_the_book(mixed_book: Portfolio) -> None:
    table = mixed_book.stress(["take_up"], n=2048, seed=1, quantile=0.10)
    assert list(table.index) == ["base", "take_up"]
    assert table.loc["take_up", "eligible_cash_p50"] < table.loc["base", "eligible_cash_p50"]
    assert table.loc["take_up", "line_change"] < 0


def test_concentration_shares(mixed_book: Portfolio) -> None:
    sim = mixed_book.simulate(4096, seed=6)
    by_payer = sim.concentration_by_payer()
    assert by_payer["share_of_shortfall"].sum() == pytest.approx(1.0, abs=1e-9)  # additive by construction
    by_param = sim.concentration_by_parameter()
    assert set(by_param.index) == {"take_up", "deadweight"}
    assert ((by_param["first_order_share"] >= 0) & (by_param["first_order_share"] <= 1)).all()
    # take_up (0.2-0.6) moves the cash more than deadweight (0.1-0.4)
    assert by_param.index[0] == "take_up"


def test_display(mixed_book: Portfolio) -> None:
    sim = mixed_book.simulate(1024, seed=1)
    page = html_section(sim)
    assert "A lender&#x27;s book" in page or "A lender's book" in page
    assert "Concentration by payer" in page and "Credit lines" in page
    assert sim._repr_html_() == page
    assert "Book of 9 programmes" in repr(sim)
    assert len(sim.borrower_lines) == 3
    assert "Portfolio: 9 programmes" in repr(mixed_book)


def test_folder_of_model_files(tmp_path) -> None:
    for name in ("alpha", "beta"):
        sroi.save(_programme(), tmp_path / f"{name}.yaml")
    book = Portfolio(tmp_path)
    assert [p.key for p in book.programmes] == ["alpha", "beta"]
    assert book.shared_parameters == ("deadweight", "take_up")


# -- bad input ---------------------------------------------------------------------------------
def test_duplicate_keys() -> None:
    a = _programme()
    with pytest.raises(SROIError, match=r"programmes\[1\]\.key.*duplicate key 'x'"):
        Portfolio([Programme("x", a), Programme("x", a)])


def test_mismatched_currencies() -> None:
    with pytest.raises(SROIError, match=r"programmes\[1\]\.currency.*EUR.*GBP"):
        Portfolio([Programme("x", _programme()), Programme("y", _programme(currency="EUR"))])


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"specific": ["nope"]}, "specific"),
        ({"correlations": [("take_up", "nope", 0.3)]}, r"correlations\[0\]"),
    ],
)
def test_unknown_shared_parameter(kwargs: dict, field: str) -> None:
    with pytest.raises(SROIError, match=rf"{field}.*unknown shared parameter 'nope'"):
        Portfolio([Programme("x", _programme())], **kwargs)


def test_unknown_stressed_parameter_and_bad_options(mixed_book: Portfolio) -> None:
    with pytest.raises(SROIError, match=r"fixed.*unknown shared parameter 'nope'"):
        mixed_book.simulate(1024, seed=1, fixed={"nope": 0.1})
    with pytest.raises(SROIError, match=r"chunk_size.*multiple of 1,024"):
        mixed_book.simulate(1024, seed=1, chunk_size=1000)
    with pytest.raises(SROIError, match="executor"):
        mixed_book.simulate(1024, seed=1, executor=object())


def test_bad_programmes() -> None:
    a = _programme()
    with pytest.raises(SROIError, match=r"programmes\[0\].specific.*unknown parameter 'nope'"):
        Portfolio([Programme("x", a, specific=("nope",))])
    with pytest.raises(SROIError, match=r"programmes\[1\]\.credit.*same borrower"):
        Portfolio([Programme("x", a, borrower="B", credit={"haircut": 0.7}), Programme("y", a, borrower="B")])
    with pytest.raises(SROIError, match=r"credit.*unknown loan term"):
        Programme("x", a, credit={"haricut": 0.7})
    with pytest.raises(SROIError, match="programmes.*empty"):
        Portfolio([])
    with pytest.raises(SROIError, match=r"programmes\[0\]"):
        Portfolio([42])
    with pytest.raises(SROIError, match=r"programmes\[0\]\.correlations.*rho=0.5 in correlations\[0\]"):
        Portfolio(
            [Programme("x", a.replace(correlations=[("take_up", "deadweight", 0.3)]))],
            correlations=[("take_up", "deadweight", 0.5)],
        )

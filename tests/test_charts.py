"""Chart geometry: the axis top is a round number above the largest value, bars stand on the
baseline in proportion, a month without figures leaves a gap, and each small chart has its
own scale, so one outlier flattens only its own line."""

from decimal import Decimal as D

from app.collection import charts
from app.core.i18n import format_compact_rupiah, format_percent, format_rupiah, use_language


def test_the_axis_top_is_one_two_or_five_times_a_power_of_ten():
    assert charts._nice_top(D("95.83")) == 100
    assert charts._nice_top(D("100")) == 100
    assert charts._nice_top(D("17.4")) == 20
    assert charts._nice_top(D("0.3")) == D("0.5")
    assert charts._nice_top(D(0)) == 100  # an empty chart still has an axis
    assert charts._nice_top(D(1_234_000_000)) == 2_000_000_000


def _bars(items: list[tuple[str, int]]) -> tuple[tuple[charts.Bar, ...], charts.Axis]:
    return charts.bars(
        items,
        lambda v: format_compact_rupiah(int(v)),
        lambda name, value: f"{name}: {format_rupiah(value)}",
    )


def test_bars_stand_on_the_baseline_in_proportion_with_rupiah_in_indonesian():
    box = charts.WIDE
    with use_language("id"):
        bars, axis = _bars([("1-29", 20_000_000), ("30-59", 5_000_000), ("60-89", 0)])
    assert [round(b.y + b.height, 1) for b in bars] == [box.baseline] * 3
    assert bars[0].height == round(box.baseline - box.top, 1)  # 20 jt is the top of the axis
    assert bars[1].height == round(bars[0].height / 4, 1)
    assert bars[2].height == 0
    labels = [t.label.replace("\xa0", " ") for t in axis.ticks]
    assert labels == ["Rp 0", "Rp 5 jt", "Rp 10 jt", "Rp 15 jt", "Rp 20 jt"]
    assert bars[1].caption == "30-59: Rp 5.000.000"
    with use_language("en"):
        _, axis = _bars([("1-29", 1_200_000_000)])
    assert [t.label for t in axis.ticks][-1] == "Rp 2B"
    with use_language("id"):
        _, axis = _bars([("1-29", 1_200_000_000)])
    assert [t.label.replace("\xa0", " ") for t in axis.ticks][1] == "Rp 500 jt"
    assert [t.label.replace("\xa0", " ") for t in axis.ticks][-1] == "Rp 2 M"


def test_no_arrears_still_draw_an_axis_of_money():
    with use_language("id"):
        bars, axis = _bars([("1-29", 0), ("30-59", 0)])
    assert [b.height for b in bars] == [0, 0]
    assert axis.ticks[-1].label.replace("\xa0", " ") == "Rp 1 jt"


def test_a_month_without_figures_is_a_gap():
    with use_language("id"):
        series, axis = charts.lines(
            ["Jan 25", "Feb 25", "Mar 25"],
            {"recovery": [D("38.73"), None, D("40")]},
            format_percent,
        )
    (line,) = series
    assert [caption for _, _, caption in line.dots] == [
        "Jan 25 recovery: 38,73%",
        "Mar 25 recovery: 40%",
    ]
    assert len(line.points.split()) == 2
    assert [label for _, label in axis.labels] == ["Jan 25", "Feb 25", "Mar 25"]
    assert axis.ticks[-1].label == "50%"


def test_small_multiples_each_have_their_own_scale():
    months = [f"M{n}" for n in range(12)]
    steady = [D("2.5")] * 12
    outlier = [D("3")] * 11 + [D("95")]
    with use_language("en"):
        (calm,), calm_axis = charts.lines(
            months, {"1-29": steady}, format_percent, box=charts.SMALL
        )
        (wild,), wild_axis = charts.lines(
            months, {"30-59": outlier}, format_percent, box=charts.SMALL
        )
    assert calm_axis.ticks[-1].label == "5%"
    assert wild_axis.ticks[-1].label == "100%"
    # The steady line sits halfway up its own chart rather than flat on the floor.
    inner = charts.SMALL.height - charts.SMALL.top - charts.SMALL.bottom
    assert {y for _, y, _ in calm.dots} == {round(charts.SMALL.top + inner / 2, 1)}
    assert calm_axis.box == wild_axis.box == charts.SMALL
    assert wild.dots[-1][1] < charts.SMALL.top + inner * 0.1  # 95% near the top of its own


def test_sparse_labels_leave_months_out_under_the_axis_but_not_in_the_markers():
    months = ["Jan", "Feb", "Mar", "Apr"]
    (line,), axis = charts.lines(
        months, {"x": [D(1)] * 4}, format_percent, ["", "Feb", "", "Apr"], charts.SMALL
    )
    assert [label for _, label in axis.labels] == ["Feb", "Apr"]
    assert [caption.split()[0] for _, _, caption in line.dots] == months

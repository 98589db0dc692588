"""Chart geometry: the axis top is a round number above the largest value, bars stand on the
baseline in proportion, and a month without figures leaves a gap."""

from decimal import Decimal as D

from app.collection import charts


def test_the_axis_top_is_one_two_or_five_times_a_power_of_ten():
    assert charts._nice_top(D("95.83")) == 100
    assert charts._nice_top(D("100")) == 100
    assert charts._nice_top(D("17.4")) == 20
    assert charts._nice_top(D("0.3")) == D("0.5")
    assert charts._nice_top(D(0)) == 100  # an empty chart still has an axis


def test_bars_stand_on_the_baseline_in_proportion():
    bars, axis = charts.bars([("current", 20_000_000), ("1-29", 5_000_000), ("30-59", 0)])
    baseline = charts.HEIGHT - charts.BOTTOM
    assert [round(b.y + b.height, 1) for b in bars] == [baseline] * 3
    assert bars[0].height == round(baseline - charts.TOP, 1)  # 20 jt is the top of the axis
    assert bars[1].height == round(bars[0].height / 4, 1)
    assert bars[2].height == 0
    assert [t.label for t in axis.ticks] == ["0 jt", "5 jt", "10 jt", "15 jt", "20 jt"]
    assert bars[1].caption == "1-29: Rp 5,000,000"


def test_a_month_without_figures_is_a_gap():
    series, axis = charts.lines(
        ["2025-01", "2025-02", "2025-03"],
        {"recovery": [D("38.73"), None, D("40")]},
        ["Jan 25", "Feb 25", "Mar 25"],
    )
    (line,) = series
    assert [caption for _, _, caption in line.dots] == [
        "2025-01 recovery: 38.73 %",
        "2025-03 recovery: 40 %",
    ]
    assert len(line.points.split()) == 2
    assert [label for _, label in axis.labels] == ["Jan 25", "Feb 25", "Mar 25"]
    assert axis.ticks[-1].label == "50 %"

"""Chart geometry for the portfolio page, pure: values in, SVG coordinates out.

The page is drawn on the server as inline SVG, so it needs no script, no front-end build and
no third-party chart library; these functions only place bars, points and ticks in a box.
How a value is written (``Rp 1,2 M``, ``12,5%``) is the caller's: it passes the formatter.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


@dataclass(frozen=True)
class Box:
    """A chart's size and the margins its axis labels take."""

    width: int = 640
    height: int = 260
    left: int = 72
    right: int = 16
    top: int = 16
    bottom: int = 40

    @property
    def baseline(self) -> int:
        return self.height - self.bottom


WIDE = Box()
# One of the small multiples: several side by side, each on its own scale.
SMALL = Box(width=300, height=160, left=52, right=10, top=12, bottom=30)


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    caption: str


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    points: str  # "x,y x,y ..." for <polyline>, the gaps (months not closed) left out
    dots: tuple[tuple[float, float, str], ...]  # x, y and the value, for a marker and its title


@dataclass(frozen=True)
class Axis:
    box: Box
    ticks: tuple[Tick, ...]
    labels: tuple[tuple[float, str], ...]  # x and the category under it


def _nice_top(largest: Decimal, empty: Decimal = Decimal(100)) -> Decimal:
    """The smallest 1, 2 or 5 times a power of ten at or above ``largest`` (``empty`` when
    there is nothing above zero)."""
    if largest <= 0:
        return empty
    power = Decimal(10) ** (largest.adjusted())
    for step in (1, 2, 5, 10):
        if largest <= step * power:
            return step * power
    raise AssertionError(largest)  # pragma: no cover - 10 x power always holds


def _y(value: Decimal, top: Decimal, box: Box) -> float:
    inner = box.height - box.top - box.bottom
    return round(box.top + inner * float(1 - value / top), 1)


def _ticks(top: Decimal, box: Box, label: Callable[[Decimal], str]) -> tuple[Tick, ...]:
    steps = 4
    return tuple(
        Tick(_y(top * k / steps, top, box), label(top * k / steps)) for k in range(steps + 1)
    )


def _columns(count: int, box: Box) -> tuple[float, float]:
    """The x of the first category's centre and the distance between categories."""
    inner = box.width - box.left - box.right
    step = inner / max(count, 1)
    return box.left + step / 2, step


def bars(
    items: list[tuple[str, int]],
    label: Callable[[Decimal], str],
    caption: Callable[[str, int], str],
    box: Box = WIDE,
    empty: int = 1_000_000,
) -> tuple[tuple[Bar, ...], Axis]:
    """Vertical bars, one per category, on an axis from 0 to a round number above the
    largest (``empty`` when all are 0); ``label`` writes the ticks, ``caption`` a bar's
    title."""
    top = _nice_top(Decimal(max((v for _, v in items), default=0)), Decimal(empty))
    first, step = _columns(len(items), box)
    placed = []
    for n, (name, value) in enumerate(items):
        y = _y(Decimal(value), top, box)
        placed.append(
            Bar(
                label=name,
                value=value,
                x=round(first + n * step - step * 0.35, 1),
                y=y,
                width=round(step * 0.7, 1),
                height=round(box.baseline - y, 1),
                caption=caption(name, value),
            )
        )
    under = tuple((round(first + n * step, 1), name) for n, (name, _) in enumerate(items))
    return tuple(placed), Axis(box, _ticks(top, box, label), under)


def lines(
    categories: list[str],
    series: Mapping[str, Sequence[Decimal | None]],
    label: Callable[[Decimal], str],
    labels: list[str] | None = None,
    box: Box = WIDE,
) -> tuple[tuple[Series, ...], Axis]:
    """One line per series across the categories (months, named in the markers' titles), on
    one axis from 0 to a round number above the largest value, ``label`` writing ticks and
    values, ``labels`` (default: the categories; an empty one is left out) under the axis.
    A month without a figure (not closed) leaves a gap in the markers and is skipped by the
    line."""
    values = [v for points in series.values() for v in points if v is not None]
    top = _nice_top(max(values, default=Decimal(0)))
    first, step = _columns(len(categories), box)
    drawn = []
    for n, (name, points) in enumerate(series.items()):
        dots = tuple(
            (round(first + k * step, 1), _y(v, top, box), f"{categories[k]} {name}: {label(v)}")
            for k, v in enumerate(points)
            if v is not None
        )
        drawn.append(
            Series(
                name=name,
                colour=PALETTE[n % len(PALETTE)],
                points=" ".join(f"{x},{y}" for x, y, _ in dots),
                dots=dots,
            )
        )
    under = tuple((round(first + k * step, 1), c) for k, c in enumerate(labels or categories) if c)
    return tuple(drawn), Axis(box, _ticks(top, box, label), under)

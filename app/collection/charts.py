"""Chart geometry for the portfolio page, pure: values in, SVG coordinates out.

The page is drawn on the server as inline SVG, so it needs no script, no front-end build and
no third-party chart library; these functions only place bars, points and ticks in a box.
"""

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


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
    ticks: tuple[Tick, ...]
    labels: tuple[tuple[float, str], ...]  # x and the category under it


def _nice_top(largest: Decimal) -> Decimal:
    """The smallest 1, 2 or 5 times a power of ten at or above ``largest`` (100 for nothing)."""
    if largest <= 0:
        return Decimal(100)
    power = Decimal(10) ** (largest.adjusted())
    for step in (1, 2, 5, 10):
        if largest <= step * power:
            return step * power
    raise AssertionError(largest)  # pragma: no cover - 10 x power always holds


def _y(value: Decimal, top: Decimal) -> float:
    inner = HEIGHT - TOP - BOTTOM
    return round(TOP + inner * float(1 - value / top), 1)


def _ticks(top: Decimal, unit: str) -> tuple[Tick, ...]:
    steps = 4
    return tuple(
        Tick(_y(top * k / steps, top), f"{(top * k / steps).normalize():,f}{unit}")
        for k in range(steps + 1)
    )


def _columns(count: int) -> tuple[float, float]:
    """The x of the first category's centre and the distance between categories."""
    inner = WIDTH - LEFT - RIGHT
    step = inner / max(count, 1)
    return LEFT + step / 2, step


def bars(
    items: list[tuple[str, int]], scale: int = 1_000_000, unit: str = " jt"
) -> tuple[tuple[Bar, ...], Axis]:
    """Vertical bars, one per category, amounts shown in ``unit`` (millions of rupiah)."""
    top = _nice_top(Decimal(max((v for _, v in items), default=0)) / scale)
    first, step = _columns(len(items))
    placed = []
    for n, (label, value) in enumerate(items):
        y = _y(Decimal(value) / scale, top)
        placed.append(
            Bar(
                label=label,
                value=value,
                x=round(first + n * step - step * 0.35, 1),
                y=y,
                width=round(step * 0.7, 1),
                height=round(HEIGHT - BOTTOM - y, 1),
                caption=f"{label}: Rp {value:,}",
            )
        )
    labels = tuple((round(first + n * step, 1), label) for n, (label, _) in enumerate(items))
    return tuple(placed), Axis(_ticks(top, unit), labels)


def lines(
    categories: list[str], series: dict[str, list[Decimal | None]], labels: list[str] | None = None
) -> tuple[tuple[Series, ...], Axis]:
    """One line per series across the categories (months), in percent, ``labels`` (default:
    the categories) under the axis; a month without a figure (not closed) leaves a gap in the
    markers and is skipped by the line."""
    values = [v for points in series.values() for v in points if v is not None]
    top = _nice_top(max(values, default=Decimal(0)))
    first, step = _columns(len(categories))
    drawn = []
    for n, (name, points) in enumerate(series.items()):
        dots = tuple(
            (round(first + k * step, 1), _y(v, top), f"{categories[k]} {name}: {v} %")
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
    under = tuple((round(first + k * step, 1), c) for k, c in enumerate(labels or categories))
    return tuple(drawn), Axis(_ticks(top, " %"), under)

"""Geometry of the simple bar charts of the envelope dashboard, drawn as inline SVG by the
template (no script, no style attribute: CSP-safe). A table always accompanies each chart."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

SERIES = (("reserved", "Réservé"), ("committed", "Engagé"), ("paid", "Payé"))
LABEL_WIDTH = 230
BAR_AREA = 380
VALUE_WIDTH = 130
BAR_HEIGHT = 10
GROUP_GAP = 14


@dataclass(frozen=True)
class Bar:
    series: str
    x: int
    y: int
    width: int
    height: int
    value: Decimal


@dataclass(frozen=True)
class Group:
    label: str
    y: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    groups: tuple[Group, ...]
    label_width: int


def bar_chart(rows: list[tuple[str, dict[str, Decimal]]]) -> Chart:
    """One group of three horizontal bars (réservé, engagé, payé) per row, on a shared scale."""
    peak = max((value for _, values in rows for value in values.values()), default=Decimal(0))
    group_height = BAR_HEIGHT * len(SERIES) + GROUP_GAP
    groups = []
    for index, (label, values) in enumerate(rows):
        top = index * group_height + GROUP_GAP // 2
        bars = tuple(
            Bar(
                series=key,
                x=LABEL_WIDTH,
                y=top + position * BAR_HEIGHT,
                width=_scaled(values.get(key, Decimal(0)), peak),
                height=BAR_HEIGHT - 1,
                value=values.get(key, Decimal(0)),
            )
            for position, (key, _name) in enumerate(SERIES)
        )
        groups.append(Group(label=label, y=top + BAR_HEIGHT * len(SERIES) // 2 + 4, bars=bars))
    return Chart(
        width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        height=max(len(rows), 1) * group_height,
        groups=tuple(groups),
        label_width=LABEL_WIDTH,
    )


def _scaled(value: Decimal, peak: Decimal) -> int:
    if peak <= 0 or value <= 0:
        return 0
    return max(1, int(BAR_AREA * value / peak))

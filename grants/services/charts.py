"""Geometry of the dashboards' charts, drawn as inline SVG by ``templates/charts/`` (no script,
no style attribute: CSP-safe). Column charts for indicator trends by year (value against target),
horizontal bars for breakdowns (envelope movements, contracts and alerts by département and zoning
category). A table always accompanies each chart."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

PLOT_HEIGHT = 140
TOP = 16
AXIS = 20
LEFT = 12
COLUMN = 18
GROUP_GAP = 22
LABEL_WIDTH = 230
BAR_AREA = 300
VALUE_WIDTH = 60
BAR_HEIGHT = 10
ROW_GAP = 12


@dataclass(frozen=True)
class Column:
    series: str
    x: int
    y: int
    width: int
    height: int
    value: Decimal | None


@dataclass(frozen=True)
class ColumnGroup:
    label: str
    x: int  # centre, for the label under the group
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    baseline: int
    groups: tuple[ColumnGroup, ...]
    empty: bool


def column_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, str]],
    values: Mapping[str, Mapping[str, Decimal | None]],
) -> ColumnChart:
    """One group of columns per category (year), one column per series, on a shared scale
    from zero; a missing value draws no column."""
    present = [
        v
        for cat in categories
        for key, _ in series
        if (v := values.get(cat, {}).get(key)) is not None
    ]
    peak = max((abs(v) for v in present), default=Decimal(0))
    group_width = COLUMN * len(series) + GROUP_GAP
    baseline = TOP + PLOT_HEIGHT
    groups = []
    for index, category in enumerate(categories):
        left = LEFT + index * group_width
        columns = []
        for position, (key, _label) in enumerate(series):
            value = values.get(category, {}).get(key)
            height = _scaled(value, peak, PLOT_HEIGHT)
            columns.append(
                Column(key, left + position * COLUMN, baseline - height, COLUMN - 2, height, value)
            )
        groups.append(ColumnGroup(category, left + (COLUMN * len(series)) // 2, tuple(columns)))
    return ColumnChart(
        width=max(LEFT * 2 + len(categories) * group_width, 160),
        height=baseline + AXIS,
        baseline=baseline,
        groups=tuple(groups),
        empty=not present,
    )


@dataclass(frozen=True)
class Bar:
    series: str
    x: int
    y: int
    width: int
    height: int
    value: Decimal


@dataclass(frozen=True)
class BarGroup:
    label: str
    y: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    groups: tuple[BarGroup, ...]


def bar_chart(
    rows: Sequence[tuple[str, Mapping[str, Decimal | int]]],
    series: Sequence[tuple[str, str]],
    *,
    bar_area: int = BAR_AREA,
    value_width: int = VALUE_WIDTH,
) -> BarChart:
    """One group of horizontal bars per row (e.g. CPOMs, critical, warning by département), on
    a shared scale; ``value_width`` leaves room for the value printed after the longest bar."""
    peak = max((Decimal(v) for _, values in rows for v in values.values()), default=Decimal(0))
    group_height = BAR_HEIGHT * len(series) + ROW_GAP
    groups = []
    for index, (label, values) in enumerate(rows):
        top = index * group_height + ROW_GAP // 2
        bars = tuple(
            Bar(
                key,
                LABEL_WIDTH,
                top + position * BAR_HEIGHT,
                _scaled(Decimal(values.get(key, 0)), peak, bar_area),
                BAR_HEIGHT - 1,
                Decimal(values.get(key, 0)),
            )
            for position, (key, _name) in enumerate(series)
        )
        groups.append(BarGroup(label, top + BAR_HEIGHT * len(series) // 2 + 4, bars))
    return BarChart(
        width=LABEL_WIDTH + bar_area + value_width,
        height=max(len(rows), 1) * group_height,
        label_width=LABEL_WIDTH,
        groups=tuple(groups),
    )


def _scaled(value: Decimal | None, peak: Decimal, area: int) -> int:
    if value is None or peak <= 0 or value <= 0:
        return 0
    return max(1, int(area * value / peak))

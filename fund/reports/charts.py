"""Charts drawn on the server: inline SVG for pages (no JavaScript) and reportlab for PDFs.

Values are integer minor units; bar heights are computed in integer pixels, so no float ever
touches an amount. Labels are escaped; the SVG is returned as ``Markup`` ready for Jinja.
PDF charts draw in the embedded Noto Sans family (``fund.pdf``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from fund.pdf import LATIN, LATIN_BOLD, register_fonts
from ledger.money import MINOR_DIGITS, format_minor

if TYPE_CHECKING:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


@dataclass(frozen=True, slots=True)
class Chart:
    """A titled chart: category labels and named series of minor-unit values."""

    title: str
    currency: str
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[int, ...]], ...]
    kind: str = "bar"  # "bar" (grouped, or stacked when ``stacked``) or "line"
    stacked: bool = False

    @property
    def empty(self) -> bool:
        """True when there is nothing to draw."""
        return not self.labels or all(not any(values) for _, values in self.series)


def whole_units(minor: int, currency: str) -> int:
    """Minor units to whole major units (rounded toward zero): chart scale only, not books."""
    scale: int = 10 ** MINOR_DIGITS[currency]
    return (abs(minor) // scale) * (1 if minor >= 0 else -1)


def _bounds(chart: Chart) -> tuple[int, int]:
    if chart.stacked:
        totals = [sum(values[i] for _, values in chart.series) for i in range(len(chart.labels))]
        values = totals
    else:
        values = [value for _, series in chart.series for value in series]
    low, high = min([0, *values]), max([0, *values])
    if high == low:
        high = low + 1
    return low, high


def svg(chart: Chart, *, width: int = 640, height: int = 260) -> Markup:
    """The chart as an inline ``<svg>`` element with a title, axis and legend."""
    left, right, top, bottom = 90, 10, 30, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    low, high = _bounds(chart)
    span = high - low

    def y(value: int) -> int:
        return top + plot_h - (value - low) * plot_h // span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width}" height="{height + 20 * ((len(chart.series) + 2) // 3)}" '
        f'viewBox="0 0 {width} {height + 20 * ((len(chart.series) + 2) // 3)}">',
        f"<title>{escape(chart.title)}</title>",
        f'<text x="{left}" y="18" font-size="14" font-weight="bold">{escape(chart.title)}</text>',
    ]
    for value in (low, (low + high) // 2, high):
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(value)}" y2="{y(value)}" '
            f'stroke="#ddd"/><text x="{left - 4}" y="{y(value) + 4}" font-size="10" '
            f'text-anchor="end">{escape(format_minor(value, chart.currency))}</text>'
        )
    count = max(len(chart.labels), 1)
    slot = plot_w // count
    if chart.kind == "line":
        for number, (name, values) in enumerate(chart.series):
            colour = PALETTE[number % len(PALETTE)]
            points = " ".join(
                f"{left + slot * i + slot // 2},{y(value)}" for i, value in enumerate(values)
            )
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}">'
                f"<title>{escape(name)}</title></polyline>"
            )
    else:
        groups = 1 if chart.stacked else max(len(chart.series), 1)
        bar = max((slot - 8) // groups, 2)
        for i in range(len(chart.labels)):
            base = 0
            for number, (name, values) in enumerate(chart.series):
                value = values[i]
                if chart.stacked:
                    y1, y2 = y(base + value), y(base)
                    x = left + slot * i + 4
                    base += value
                else:
                    y1, y2 = y(max(value, 0)), y(min(value, 0))
                    x = left + slot * i + 4 + number * bar
                colour = PALETTE[number % len(PALETTE)]
                label = f"{name} {chart.labels[i]}: {format_minor(value, chart.currency)}"
                parts.append(
                    f'<rect x="{x}" y="{y1}" width="{bar}" height="{max(y2 - y1, 0)}" '
                    f'fill="{colour}"><title>{escape(label)}</title></rect>'
                )
    for i, label in enumerate(chart.labels):
        parts.append(
            f'<text x="{left + slot * i + slot // 2}" y="{top + plot_h + 16}" font-size="10" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    for number, (name, _) in enumerate(chart.series):
        x = left + (number % 3) * 180
        y_legend = height + 20 * (number // 3) - 10
        parts.append(
            f'<rect x="{x}" y="{y_legend - 9}" width="10" height="10" '
            f'fill="{PALETTE[number % len(PALETTE)]}"/>'
            f'<text x="{x + 14}" y="{y_legend}" font-size="11">{escape(name)}</text>'
        )
    parts.append(f'<text x="{width - right}" y="18" font-size="10" text-anchor="end">')
    parts.append(f"{escape(chart.currency)}</text></svg>")
    return Markup("".join(parts))  # noqa: S704  (every text above went through escape())


def drawing(chart: Chart, *, width: int = 480, height: int = 200) -> Drawing:
    """The chart as a reportlab drawing for a PDF (whole currency units on the axis)."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    register_fonts()
    canvas = Drawing(width, height + 30, initialFontName=LATIN)  # else Times-Roman, unembedded
    # Titles name their currency already ("... (BDT)"); say it only where one does not.
    title = chart.title if chart.currency in chart.title else f"{chart.title} ({chart.currency})"
    canvas.add(String(0, height + 16, title, fontName=LATIN_BOLD, fontSize=11))
    data = [
        tuple(whole_units(value, chart.currency) for value in values) for _, values in chart.series
    ]
    plot: VerticalBarChart | HorizontalLineChart
    plot = HorizontalLineChart() if chart.kind == "line" else VerticalBarChart()
    plot.x, plot.y, plot.width, plot.height = 60, 40, width - 80, height - 50
    plot.data = data or [(0,)]
    plot.categoryAxis.categoryNames = list(chart.labels)
    plot.categoryAxis.labels.fontName = LATIN
    plot.categoryAxis.labels.fontSize = 7
    plot.valueAxis.labels.fontName = LATIN
    plot.valueAxis.labels.fontSize = 7
    plot.valueAxis.forceZero = 1
    # Ticks arrive as floats (20000000.0): shown as whole units with separators, axis only.
    plot.valueAxis.labelTextFormat = _whole_tick
    for number in range(len(data)):
        colour = colors.HexColor(PALETTE[number % len(PALETTE)])
        if isinstance(plot, VerticalBarChart):
            plot.bars[number].fillColor = colour
        else:
            plot.lines[number].strokeColor = colour
    if isinstance(plot, VerticalBarChart) and chart.stacked:
        plot.categoryAxis.style = "stacked"
    canvas.add(plot)
    legend = Legend()
    legend.x, legend.y = 60, 12
    legend.fontName = LATIN
    legend.fontSize = 7
    legend.columnMaximum = 1
    legend.deltax = 90
    legend.alignment = "right"
    legend.colorNamePairs = [
        (colors.HexColor(PALETTE[n % len(PALETTE)]), name)
        for n, (name, _) in enumerate(chart.series)
    ]
    canvas.add(legend)
    return canvas


def _whole_tick(value: float) -> str:
    return f"{round(value):,}"


def series_from_table(
    table: dict[str, dict[str, int]], rows: Sequence[str] | None = None
) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[int, ...]], ...]]:
    """``{label: {series: value}}`` → labels and one value tuple per series (0 where missing)."""
    labels = tuple(rows) if rows is not None else tuple(table)
    names = sorted({name for row in table.values() for name in row})
    return labels, tuple(
        (name, tuple(table.get(label, {}).get(name, 0) for label in labels)) for name in names
    )

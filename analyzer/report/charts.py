"""Charts as inline SVG, drawn with matplotlib's SVG backend.

Text is drawn as paths, so the SVG needs no font at view time and fetches
nothing.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd

COLORS = {
    "delivered": "#12b76a",
    "deferred": "#f79009",
    "bounced": "#d92d20",
    "received": "#2e90fa",
    "rejected": "#7a5af8",
}
FONT_PREFERENCE = ["DejaVu Sans", "IPAGothic", "IPAexGothic", "Noto Sans CJK JP"]
"""Chart fonts, the report's own first; only installed ones are used.
matplotlib (3.6 and later) takes each glyph that DejaVu Sans lacks, such as
kana and kanji, from the next font that has it."""


def choose_period(start: pd.Timestamp | None, end: pd.Timestamp | None) -> str:
    """Pick a bar width that gives a readable number of bars for the log's span."""
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return "h"
    span = end - start
    if span <= pd.Timedelta(hours=3):
        return "min"
    if span <= pd.Timedelta(days=4):
        return "h"
    return "D"


def traffic_svg(
    traffic: pd.DataFrame, labels: dict[str, str], period: str = "h"
) -> str:
    """Stacked bars of delivered, deferred and bounced attempts and, when there
    are any, rejected submissions per period, and a line of those received."""
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "path"
    plt.rcParams["font.family"] = _installed_fonts()
    plt.rcParams["svg.hashsalt"] = "mailbundle"  # stable ids, so reports diff cleanly
    figure, axes = plt.subplots(figsize=(9, 2.8), dpi=100)
    try:
        _draw(axes, traffic, labels, pd.Timedelta(1, unit=period))
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    finally:
        plt.close(figure)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def _installed_fonts() -> list[str]:
    from matplotlib import font_manager

    names = {font.name for font in font_manager.fontManager.ttflist}
    return [name for name in FONT_PREFERENCE if name in names] or ["sans-serif"]


def _draw(
    axes: Any, traffic: pd.DataFrame, labels: dict[str, str], step: pd.Timedelta
) -> None:
    if traffic.empty:
        axes.text(0.5, 0.5, "–", ha="center", va="center")
        axes.set_axis_off()
        return
    local = traffic.index
    if local.tz is not None:
        local = local.tz_localize(None)
    # Periods without mail count zero, so the received line drops there instead
    # of running straight across them.
    index = pd.date_range(local.min(), local.max(), freq=step)
    traffic = traffic.set_axis(local).reindex(index, fill_value=0)
    from matplotlib.ticker import MaxNLocator

    # Each bar covers its period [start, start + step), and the received line
    # marks the middle of the period.
    width = step / pd.Timedelta(days=1) * 0.8  # matplotlib date units are days
    bottom = None
    names = ["delivered", "deferred", "bounced"]
    if traffic["rejected"].any():
        names.append("rejected")
    for name in names:
        values = traffic[name].to_numpy()
        axes.bar(
            index + step * 0.1,
            values,
            width=width,
            bottom=bottom,
            align="edge",
            color=COLORS[name],
            label=labels[name],
        )
        bottom = values if bottom is None else bottom + values
    axes.plot(index + step / 2, traffic["received"].to_numpy(),
              color=COLORS["received"], marker=".", linewidth=1,
              label=labels["received"])  # fmt: skip
    # Above the plot, so that the legend covers no bar.
    axes.legend(loc="lower left", bbox_to_anchor=(0, 1), fontsize=11, frameon=False,
                ncol=4, borderaxespad=0.2)  # fmt: skip
    # A fifth of a period of room on each side: a whole one drew an empty day
    # before and after a log of a few days.
    axes.set_xlim(index.min() - step * 0.2, index.max() + step * 1.2)
    axes.set_ylim(0, max(1, axes.get_ylim()[1] * 1.05))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts of attempts
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=11)
    figure = axes.get_figure()
    figure.autofmt_xdate()

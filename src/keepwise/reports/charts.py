"""Charts as inline SVG drawn by matplotlib: no JavaScript and no network when the report is
opened, and the same picture in the HTML file and the PDF (WeasyPrint draws SVG).

Text stays text in the SVG (``svg.fonttype = "none"``): files stay small and the viewer's fonts
render Chinese labels; the family list names the common CJK fonts first.
"""

from __future__ import annotations

import io
import math
from functools import cache
from typing import Any

from keepwise.reports.document import Chart

#: Fonts with Chinese glyphs, most common first (Linux packages, macOS, Windows).
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "PingFang SC",
             "Microsoft YaHei", "SimHei")  # fmt: skip
PALETTE = ("#2b6cb0", "#dd6b20", "#2f855a", "#c53030", "#6b46c1", "#718096")


@cache
def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("svg", force=True)
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    families = [f for f in CJK_FONTS if f in installed] + ["DejaVu Sans"]
    plt.rcParams.update({
        "svg.fonttype": "none", "svg.hashsalt": "keepwise", "font.family": families,
        "font.size": 8, "axes.spines.top": False, "axes.spines.right": False,
        "axes.titlesize": 9, "legend.fontsize": 7,
        "legend.frameon": False,
    })  # fmt: skip
    return plt


def svg(chart: Chart, *, width: float = 4.4, height: float = 2.3) -> str:
    """The chart as an ``<svg>`` element (without the XML prolog), ready to inline."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(width, height))
    try:
        _draw(ax, chart)
        ax.set_title(chart.title, loc="left")
        if chart.percent:
            from matplotlib.ticker import PercentFormatter

            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        if len(chart.series) > 1:
            ax.legend(loc="best")
        ax.grid(axis="y", color="#e2e8f0", linewidth=0.6)
        fig.tight_layout()
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None})
    finally:
        plt.close(fig)
    text = out.getvalue()
    return text[text.index("<svg") :]


def _draw(ax: Any, chart: Chart) -> None:
    x = list(range(len(chart.categories)))
    n = max(len(chart.series), 1)
    for i, (name, values) in enumerate(chart.series):
        ys = [math.nan if v is None else float(v) for v in values]
        color = PALETTE[i % len(PALETTE)]
        if chart.kind == "bar":
            width = 0.8 / n
            ax.bar([p + (i - (n - 1) / 2) * width for p in x], ys, width=width, label=name,
                   color=color)  # fmt: skip
        else:
            ax.plot(x, ys, marker="o", markersize=3, linewidth=1.4, label=name, color=color)
    step = max(1, math.ceil(len(x) / 12))
    ax.set_xticks(x[::step])
    ax.set_xticklabels(chart.categories[::step], rotation=30 if len(x) > 6 else 0,
                       ha="right" if len(x) > 6 else "center")  # fmt: skip

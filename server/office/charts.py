"""Report charts as PNG images, drawn by matplotlib's Agg backend (no display, no pyplot state)."""

from __future__ import annotations

import functools
import io
from typing import Any

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC",
             "AR PL UMing CN")
DPI = 100
MIN_SIZE, MAX_SIZE = 200, 3000


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The name of an installed font that draws Chinese, or None (labels then stay ASCII)."""
    from matplotlib import font_manager

    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def _label(chinese: str, english: str, font: str | None) -> str:
    return f"{chinese} {english}" if font else english


def _ascii(text: str, font: str | None) -> str:
    return text if font else text.encode("ascii", "replace").decode("ascii")


def sales_chart_png(series: dict[str, Any], width: int = 800, height: int = 400) -> bytes:
    """Units sold per day as bars, and the amount (yuan) as a line when known, `width × height` px."""
    if not (MIN_SIZE <= width <= MAX_SIZE and MIN_SIZE <= height <= MAX_SIZE):
        raise ValueError(f"width and height must be {MIN_SIZE}–{MAX_SIZE} pixels")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    font = cjk_font()
    family = font or "sans-serif"
    size = 9 if width >= 500 else 7
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    # fixed margins in pixels: a layout engine would draw the figure twice
    figure.subplots_adjust(left=44 / width, right=1 - 52 / width, bottom=24 / height, top=1 - 24 / height)
    axes = figure.add_subplot()
    days: list[str] = list(series["days"])
    units: list[int] = list(series["units"])
    positions = list(range(len(days)))
    handles: list[Any] = [axes.bar(positions, units, color="#4C72B0", label=_label("销量", "units", font))]
    step = max(1, -(-len(days) // max(2, (width - 96) // 48)))  # a date label every ~48 px
    axes.set_xticks(positions[::step], [day[5:] for day in days[::step]])
    axes.set_xlim(-0.6, len(days) - 0.4)
    axes.tick_params(labelsize=size)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    amounts = series.get("amount_cents") or []
    if amounts and all(a is not None for a in amounts) and any(amounts):
        money = axes.twinx()
        handles += money.plot(positions, [a / 100 for a in amounts], color="#DD8452", marker="o",
                              markersize=3, label=_label("金额", "amount, CNY", font))
        money.set_ylim(bottom=0)
        money.tick_params(labelsize=size)
    axes.legend(handles=handles, loc="upper left", frameon=False,
                prop={"family": family, "size": size})
    scope = ", ".join(f"{key} {series[key]}" for key in ("store", "sku") if series.get(key)) or "all"
    title = _label("每日销量", "Sales per day", font) + f" — {_ascii(scope, font)}"
    if days and width >= 500:
        title += f" ({days[0]} .. {days[-1]})"
    axes.set_title(title, fontfamily=family, fontsize=size + 1)
    axes.set_ylim(0, max(units + [1]) * 1.15)  # room for the legend; an empty chart still has a scale
    axes.grid(axis="y", alpha=0.3)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()

"""Bar charts as inline SVG: the report's plots, drawn here so the page needs no library and
no network (it renders offline, and from a file)."""
from __future__ import annotations

from html import escape

BAR, LABEL_WIDTH, ROW = "#3b6ea5", 260, 22


def vertical_bars(bars: list[tuple[str, float]], title: str, x_label: str, y_label: str) -> str:
    """A histogram-like chart: one column per (label, value)."""
    width, height, left, bottom, top = max(320, 60 + 36 * len(bars)), 240, 48, 40, 28
    plot_h = height - bottom - top
    peak = max((v for _, v in bars), default=0) or 1
    step = (width - left - 12) / max(len(bars), 1)
    parts = [_axis(left, top, plot_h, width - 12, peak)]
    for i, (label, value) in enumerate(bars):
        h = plot_h * value / peak
        x, y = left + i * step + 3, top + plot_h - h
        parts.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{step - 6:.1f}" height="{h:.1f}" '
                     f'fill="{BAR}"><title>{escape(label)}: {_num(value)}</title></rect>')
        parts.append(f'<text x="{x + (step - 6) / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle">'
                     f'{escape(label)}</text>')
    parts.append(f'<text x="{(left + width) / 2:.1f}" y="{height - 6}" text-anchor="middle">{escape(x_label)}</text>')
    parts.append(f'<text x="12" y="{top + plot_h / 2:.1f}" transform="rotate(-90 12 {top + plot_h / 2:.1f})" '
                 f'text-anchor="middle">{escape(y_label)}</text>')
    return _svg(width, height, title, parts)


def horizontal_bars(bars: list[tuple[str, float]], title: str) -> str:
    """One row per (label, value), longest label first as given: counts by reason or by tool."""
    width, top = 640, 28
    height = top + ROW * max(len(bars), 1) + 8
    peak = max((v for _, v in bars), default=0) or 1
    parts = []
    for i, (label, value) in enumerate(bars):
        y = top + i * ROW
        w = (width - LABEL_WIDTH - 60) * value / peak
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">{escape(_short(label))}'
                     f'<title>{escape(label)}</title></text>')
        parts.append(f'<rect class="bar" x="{LABEL_WIDTH}" y="{y + 3}" width="{w:.1f}" height="{ROW - 6}" '
                     f'fill="{BAR}"><title>{escape(label)}: {_num(value)}</title></rect>')
        parts.append(f'<text x="{LABEL_WIDTH + w + 6:.1f}" y="{y + 15}">{_num(value)}</text>')
    if not bars:
        parts.append(f'<text x="{width / 2}" y="{top + 15}" text-anchor="middle">none</text>')
    return _svg(width, height, title, parts)


def _axis(left: float, top: float, plot_h: float, right: float, peak: float) -> str:
    bottom = top + plot_h
    return (f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#444"/>'
            f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#444"/>'
            f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{_num(peak)}</text>'
            f'<text x="{left - 4}" y="{bottom}" text-anchor="end">0</text>')


def _svg(width: float, height: float, title: str, parts: list[str]) -> str:
    return (f'<svg class="plot" xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{escape(title)}" '
            f'font-family="sans-serif" font-size="11">'
            f'<text x="4" y="16" font-size="13" font-weight="bold">{escape(title)}</text>'
            + "".join(parts) + "</svg>")


def _short(label: str, limit: int = 42) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _num(value: float) -> str:
    return f"{value:g}"

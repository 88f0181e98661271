"""Exports of the barometer: its figures as CSV, its charts as a PDF or PNG report.

matplotlib draws the report (Agg backend: no display, no browser, no network), so an
export works offline on a server. Pure functions over the data layer's frames.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping

import matplotlib

matplotlib.use("Agg")  # before pyplot: the server has no display

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from pipeline.export import defuse_cell

logger = logging.getLogger(__name__)

FORMATS = ("pdf", "png")


def figures_csv(sections: Mapping[str, pd.DataFrame]) -> bytes:
    """Several tables in one CSV (UTF-8 with BOM, so spreadsheets read the accents).

    Each table is preceded by a line naming it and followed by an empty line; a cell
    starting with = + - @ is prefixed with ' so that a spreadsheet never runs it.
    """
    out = io.StringIO()
    for name, frame in sections.items():
        out.write(f"# {name}\n")
        _defused(frame).to_csv(out, index=False, lineterminator="\n")
        out.write("\n")
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _defused(frame: pd.DataFrame) -> pd.DataFrame:
    safe = frame.copy()
    for column in safe.columns:
        safe[column] = safe[column].map(defuse_cell)
    return safe


def report_figure(
    frame: pd.DataFrame, totals: pd.DataFrame, title: str, labels: Mapping[str, str]
) -> Figure:
    """Volume and net sentiment over time per brand, and the totals table, on one page.

    `labels` names the parts: volume, net_sentiment, brand, total, share_of_voice, formula.
    """
    fig, (ax_volume, ax_net, ax_table) = plt.subplots(
        3, 1, figsize=(8.27, 11.69), gridspec_kw={"height_ratios": [3, 3, 2]}
    )
    fig.suptitle(title, fontsize=13)
    for brand, rows in frame.groupby("brand", sort=False):
        ax_volume.plot(rows["bucket"], rows["total"], marker="o", label=str(brand))
        ax_net.plot(rows["bucket"], rows["net_sentiment"] * 100, marker="o", label=str(brand))
    ax_volume.set_title(labels["volume"])
    ax_net.set_title(labels["net_sentiment"])
    ax_net.set_ylim(-100, 100)
    ax_net.axhline(0, color="grey", linewidth=0.8, linestyle="--")
    for ax in (ax_volume, ax_net):
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d/%m"))
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(alpha=0.3)
    ax_table.axis("off")
    cells = [
        [
            str(r.brand),
            str(int(r.total)),
            "—" if pd.isna(r.net_sentiment) else f"{r.net_sentiment * 100:+.0f} %",
            "—" if pd.isna(r.share_of_voice) else f"{r.share_of_voice * 100:.0f} %",
        ]
        for r in totals.itertuples()
    ]
    if cells:
        columns = [labels["brand"], labels["total"], labels["net_sentiment"]]
        table = ax_table.table(
            cellText=cells, colLabels=[*columns, labels["share_of_voice"]], loc="upper center"
        )
        table.scale(1, 1.4)
    ax_table.text(0, 0, labels["formula"], fontsize=7, wrap=True, transform=ax_table.transAxes)
    fig.tight_layout()
    return fig


def render_report(fig: Figure, fmt: str) -> bytes:
    """The figure as PDF or PNG bytes; the figure is closed afterwards."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format=fmt, dpi=120)
    finally:
        plt.close(fig)
    return buffer.getvalue()

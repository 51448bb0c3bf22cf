"""The ranking's chart: weighted engagement over time, one series per portrait, as an SVG.

The time axis spans the data plus a small margin (never years for a day of figures); a portrait
with one snapshot is a point, not a line; dates and figures on the axes are formatted by Babel in
the interface language. Text stays text in the SVG, so it is sharp in print and searchable.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO

from campaign.workspace import i18n

MIN_MARGIN = timedelta(hours=12)
MARGIN_SHARE = 0.05


@dataclass
class Series:
    label: str
    points: list[tuple[datetime, float]]


def time_range(series: list[Series]) -> tuple[datetime, datetime]:
    """The x axis: from the first snapshot to the last, plus 5 % of that span (at least 12 hours) each side."""
    stamps = [at for s in series for at, _ in s.points]
    first, last = min(stamps), max(stamps)
    margin = max((last - first) * MARGIN_SHARE, MIN_MARGIN)
    return first - margin, last + margin


def engagement_series(rows: list[dict], snapshots: list[dict], owner: dict[str, str], weights: dict[str, float],
                      counts: tuple[str, ...], tz, limit: int = 8) -> list[Series]:
    """For the best `limit` portraits: their weighted engagement summed over their posts, after each snapshot."""
    wanted = {row["portrait_id"]: row for row in rows[:limit]}
    by_portrait: dict[str, list[dict]] = {pid: [] for pid in wanted}
    for snap in snapshots:
        pid = owner.get(snap["post_id"])
        if pid in by_portrait:
            by_portrait[pid].append(snap)
    series = []
    for pid, row in wanted.items():
        latest: dict[str, float] = {}
        points = []
        for snap in sorted(by_portrait[pid], key=lambda s: s["at"]):
            latest[snap["post_id"]] = sum(weights[k] * snap[k] for k in counts)
            points.append((datetime.fromisoformat(snap["at"]).astimezone(tz), sum(latest.values())))
        if points:
            series.append(Series(f"{row['first_name']} ({row['age']})", points))
    return series


def _date_label(span: timedelta, lang: str):
    from babel.dates import format_skeleton, format_time

    if span <= timedelta(days=3):  # hours matter: "17. Juni 18:30" / "Jun 17 6:30 PM"
        return lambda when: f"{format_skeleton('MMMd', when, locale=lang)} {format_time(when, 'short', locale=lang)}"
    return lambda when: format_skeleton("MMMd", when, locale=lang)


STYLE = {"svg.fonttype": "none", "font.family": "sans-serif", "font.size": 11, "axes.spines.top": False,
         "axes.spines.right": False, "svg.hashsalt": "campaign"}


def figure(series: list[Series], ylabel: str, lang: str, tz):
    """The matplotlib figure (its x limits are `time_range(series)`); close it after use."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    start, end = time_range(series)
    label = _date_label(end - start, lang)
    fig, ax = plt.subplots(figsize=(9, 4), dpi=100)
    for s in series:
        xs = [at for at, _ in s.points]
        ys = [value for _, value in s.points]
        if len(xs) == 1:  # one snapshot: a point; a line would invent a trend
            ax.plot(xs, ys, linestyle="none", marker="o", markersize=7, label=s.label)
        else:
            ax.step(xs, ys, where="post", marker="o", markersize=4, linewidth=2, label=s.label)
    ax.set_xlim(start, end)
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(tz=tz, minticks=3, maxticks=5))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: label(mdates.num2date(x, tz=tz))))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: i18n.format_number(round(y), lang)))
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small")
    fig.tight_layout()
    return fig


def svg(series: list[Series], ylabel: str, lang: str, tz) -> bytes:
    """The chart as SVG bytes (no date or other varying metadata inside)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.rc_context(STYLE):
        fig = figure(series, ylabel, lang, tz)
        buf = BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
        plt.close(fig)
    return buf.getvalue()

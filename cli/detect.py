"""`veille sources detect URL`: print the engine, its selectors and three posts.

French by default, `--lang en` for English, as the alert commands; added to
`veille sources` by `cli.app`.
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from cli.common import ConfigDir, console, load, out
from crawlers.detect import GENERIC
from crawlers.settings import user_agent
from messages import t as t_
from pipeline.sources_detect import DetectError, DetectReport, detect, fetcher

logger = logging.getLogger(__name__)


def render(report: DetectReport, lang: str) -> list[str]:
    """The lines `veille sources detect` prints."""

    def say(key: str, **values: object) -> str:
        return t_(f"cli.detect.{key}", lang, **values)

    found = report.detection
    engine = say("generic") if found.is_generic else found.preset
    lines = [say("engine", engine=engine, confidence=found.confidence)]
    lines.append(say("evidence", evidence="; ".join(found.evidence)))
    lines.append(say("selectors"))
    lines += [f"  {name}: {value}" for name, value in sorted(report.selectors.items())]
    if found.preset == GENERIC:
        lines.append(say("generic_selectors"))
    if report.thread_url is None:
        lines.append(say("no_thread", pages=len(report.pages)))
    else:
        lines.append(say("thread", url=report.thread_url))
        for post in report.posts:
            date = post.published_at.strftime("%Y-%m-%d %H:%M")
            lines.append(say("post", author=post.author, date=date, words=post.first_words))
        if report.unreadable:
            lines.append(say("unreadable", n=report.unreadable))
    preset = "" if found.is_generic else f", preset: {found.preset}"
    lines.append(say("config", url=report.url, preset=preset))
    return lines


def detect_command(
    url: Annotated[str, typer.Argument(help="A page of the forum (its index is best).")],
    timezone: Annotated[
        str, typer.Option("--timezone", help="How the forum shows its dates.")
    ] = "Europe/Paris",
    lang: Annotated[str, typer.Option("--lang", help="fr or en.")] = "fr",
    config_dir: ConfigDir = None,
) -> None:
    """The forum engine at URL, its confidence, its selectors and three posts."""
    lang = lang if lang in ("fr", "en") else "fr"
    config = load(config_dir)
    fetch = fetcher(user_agent(config), obey_robots=config.settings.crawl.obey_robots)
    try:
        report = detect(url, fetch, tz=timezone, lang_hint=lang)
    except DetectError as exc:
        console.print(str(exc), markup=False)
        raise typer.Exit(1) from exc
    for line in render(report, lang):
        out.print(line, markup=False)

"""`veille sources detect URL`: print the engine, its selectors and three posts.

Kept apart from `pipeline.cli` (which registers it on `veille sources`). French by
default, `--lang en` for English, as the alert commands.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from crawlers.detect import GENERIC
from crawlers.settings import user_agent
from pipeline.config import VeilleConfig
from pipeline.sources_detect import DetectError, DetectReport, detect, fetcher

logger = logging.getLogger(__name__)

MESSAGES = {
    "engine": {"fr": "Moteur : {engine} (confiance {confidence:.2f})",
               "en": "Engine: {engine} (confidence {confidence:.2f})"},
    "generic": {"fr": "aucun preset reconnu : extracteur générique",
                "en": "no preset recognised: generic extractor"},
    "evidence": {"fr": "  indices : {evidence}", "en": "  evidence: {evidence}"},
    "selectors": {"fr": "Sélecteurs utilisés :", "en": "Selectors it would use:"},
    "generic_selectors": {
        "fr": "  (extracteur générique : blocs de messages répétés, auteur, date et texte)",
        "en": "  (generic extractor: repeated post blocks, each with author, date and body)",
    },
    "thread": {"fr": "Premier fil : {url}", "en": "First thread: {url}"},
    "no_thread": {"fr": "Aucun fil trouvé depuis cette page ({pages} pages lues).",
                  "en": "No thread found from this page ({pages} pages read)."},
    "post": {"fr": "  - {author}, {date} UTC : {words}", "en": "  - {author}, {date} UTC: {words}"},
    "unreadable": {"fr": "  {n} blocs de messages illisibles sur cette page",
                   "en": "  {n} post blocks on this page could not be read"},
    "config": {"fr": "Pour l'ajouter : kind: forum, start_urls: [\"{url}\"]{preset}",
               "en": "To add it: kind: forum, start_urls: [\"{url}\"]{preset}"},
}  # fmt: skip


def render(report: DetectReport, lang: str) -> list[str]:
    """The lines `veille sources detect` prints."""

    def say(key: str, **values: object) -> str:
        return MESSAGES[key][lang].format(**values)

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


def register(
    sources_app: typer.Typer,
    load: Callable[[Path | None], VeilleConfig],
    out: Console,
    console: Console,
) -> None:
    """Add `detect` to `veille sources`."""

    @sources_app.command("detect")
    def detect_command(
        url: Annotated[str, typer.Argument(help="A page of the forum (its index is best).")],
        timezone: Annotated[
            str, typer.Option("--timezone", help="How the forum shows its dates.")
        ] = "Europe/Paris",
        lang: Annotated[str, typer.Option("--lang", help="fr or en.")] = "fr",
        config_dir: Annotated[
            Path | None, typer.Option("--config-dir", "-c", help="Config directory.")
        ] = None,
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

"""Save real pages of each engine under tests/fixtures/engines/<engine>/.

`python tests/engines/save_pages.py [engine_module ...]` installs, seeds and serves each
engine as the tests do, then saves its start page, the first topic list its preset
finds there, that list's first topic and the second page of the seed's longest thread
(`index.html`, `topic-list.html`, `topic.html`, `topic-page-2.html`: quotes, nested
quotes, signatures, edits, a "next" link), with `pages.json` naming the URL each came
from and `truth.json`, the seed's truth. Engine detection and the fast preset tests
(tests/engines/test_engine_pages.py) work on these pages without installing anything.
"""

from __future__ import annotations

import json
import sys
import tempfile
import urllib.request
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from engine_harness import REPO, Engine, EngineSite  # noqa: E402
from parsel import Selector  # noqa: E402

from crawlers.presets import preset_for  # noqa: E402
from crawlers.selectors import first_text  # noqa: E402

OUT = REPO / "tests" / "fixtures" / "engines"


def fetch(url: str) -> str:
    """The page at `url`, decoded as the server says (all engines here send UTF-8)."""
    with urllib.request.urlopen(url, timeout=30) as answer:
        return str(answer.read().decode("utf-8"))


def save(engine: Engine) -> Path:
    """Serve `engine` and save its three pages; the folder they are in."""
    selectors = preset_for(engine.preset).selectors
    with tempfile.TemporaryDirectory() as data:
        site = EngineSite(engine, Path(data))
        truth = site.seed()
        site.start()
        try:
            start = site.base_url + engine.start_path
            index = fetch(start)
            forum = site.base_url + first_text(Selector(index), selectors["forum_links"])
            listing = fetch(forum)
            topic = site.base_url + first_text(Selector(listing), selectors["topic_links"])
            pages = {"index.html": (start, index), "topic-list.html": (forum, listing)}
            pages["topic.html"] = (topic, fetch(topic))
            threads = Counter(post["thread_url"] for post in truth["posts"])
            longest = site.base_url + threads.most_common(1)[0][0] + "?page=2"
            pages["topic-page-2.html"] = (longest, fetch(longest))
        finally:
            site.stop()
    folder = OUT / engine.name
    folder.mkdir(parents=True, exist_ok=True)
    base = site.base_url
    for name, (_, text) in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
    origin = {name: url.removeprefix(base) for name, (url, _) in pages.items()}
    meta = {"engine": engine.name, "version": engine.version, "preset": engine.preset}
    (folder / "pages.json").write_text(json.dumps({**meta, "paths": origin}, indent=1) + "\n")
    text = json.dumps(truth, ensure_ascii=False, indent=1) + "\n"
    (folder / "truth.json").write_text(text, encoding="utf-8")
    return folder


if __name__ == "__main__":
    import importlib

    names = sys.argv[1:] or ["engine_machina", "engine_spirit", "engine_flaskbb"]
    for name in names:
        print(save(importlib.import_module(name).ENGINE))

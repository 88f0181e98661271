from __future__ import annotations

from pathlib import Path

from configuration.settings import SETTINGS

REPO = Path(__file__).resolve().parents[2]


def test_every_setting_has_help_and_a_readme_row() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip(" `"): line
        for line in readme.splitlines()
        if line.startswith("| `")
    }
    for setting in SETTINGS:
        assert setting.help, f"{setting.name} has no help text (its field's description)"
        row = rows.get(setting.name)
        assert row is not None, f"{setting.name}: no row in README.md's settings table"
        assert f"`{setting.env_var}`" in row, f"{setting.name}: README row lacks {setting.env_var}"


def test_the_table_has_no_setting_that_does_not_exist() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Settings", 1)[1].split("\n## ", 1)[0]
    documented = {
        line.split("|")[1].strip(" `") for line in section.splitlines() if line.startswith("| `")
    }
    assert documented == {s.name for s in SETTINGS}


def test_env_var_names() -> None:
    names = {s.name: s.env_var for s in SETTINGS}
    assert names["storage.sqlite_path"] == "VEILLE_STORAGE_SQLITE_PATH"
    assert names["nlp.sentiment_model"] == "VEILLE_NLP_SENTIMENT_MODEL"

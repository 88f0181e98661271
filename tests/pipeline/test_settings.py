from __future__ import annotations

from pathlib import Path

from configuration.settings import SETTINGS

REPO = Path(__file__).resolve().parents[2]


def test_every_setting_has_help_and_is_documented() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert setting.help, f"{setting.name} has no help text"
        assert setting.name in readme, f"{setting.name} missing from README.md"
        assert setting.env_var in readme, f"{setting.env_var} missing from README.md"


def test_env_var_names() -> None:
    names = {s.name: s.env_var for s in SETTINGS}
    assert names["storage.sqlite_path"] == "VEILLE_STORAGE_SQLITE_PATH"
    assert names["nlp.sentiment_model"] == "VEILLE_NLP_SENTIMENT_MODEL"

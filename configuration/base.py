"""What every config schema shares: the strict base model, ids, the error type."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"


class ConfigError(Exception):
    """A configuration file is missing, unreadable or invalid."""

    def __init__(self, file: Path | str, problems: list[str]):
        self.file = str(file)
        self.problems = problems
        super().__init__(f"{file}: " + "; ".join(problems))


class StrictModel(BaseModel):
    """A config block: unknown keys are errors (a typo must not be ignored silently)."""

    model_config = ConfigDict(extra="forbid")


def reject_duplicate_ids(ids: list[str]) -> None:
    """ValueError naming the first id given twice."""
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise ValueError(f"duplicate id {ident!r}")
        seen.add(ident)


def format_errors(err: ValidationError) -> list[str]:
    """One line per pydantic error: the field's dotted path, the message, the input."""
    problems = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(top level)"
        problems.append(f"field {loc}: {e['msg']} (got {e.get('input')!r:.80})")
    return problems

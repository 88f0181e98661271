"""Registries of extensions, each filled from one entry-point group.

Veille's built-in source kinds, alert rule types and so on register exactly as a
third-party package does: through an entry point of the extension kind's group in the
package's metadata (`[project.entry-points."veille.source_kinds"]` in pyproject.toml).
A registry loads its group on first use, so importing it costs nothing and a package
installed later is found by `refresh()`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

logger = logging.getLogger(__name__)

T = TypeVar("T")


class Registry(Generic[T]):
    """Named extensions of one kind, loaded from the entry points of `group`."""

    def __init__(self, group: str, what: str) -> None:
        self.group = group
        self.what = what
        self._items: dict[str, T] = {}
        self._loaded = False
        self.broken: dict[str, str] = {}

    def register(self, name: str, item: T) -> T:
        """Add an extension under `name`; a second, different one under that name is refused."""
        known = self._items.get(name)
        if known is not None and known is not item:
            raise ValueError(f"{self.what} {name!r} is registered twice ({self.group})")
        self._items[name] = item
        return item

    def refresh(self) -> None:
        """Load the group's entry points not loaded yet (a package installed since)."""
        self._loaded = True
        for point in entry_points(group=self.group):
            if point.name in self._items or point.name in self.broken:
                continue
            try:
                self.register(point.name, point.load())
            except Exception as exc:  # a broken plugin must not stop the others
                self.broken[point.name] = f"{type(exc).__name__}: {exc}"
                logger.error(
                    "%s %r (entry point %s in %s) cannot be loaded: %s",
                    self.what,
                    point.name,
                    point.value,
                    self.group,
                    self.broken[point.name],
                )

    def _ensure(self) -> dict[str, T]:
        if not self._loaded:
            self.refresh()
        return self._items

    def get(self, name: str) -> T:
        """The extension registered under `name`; KeyError naming the known ones."""
        items = self._ensure()
        try:
            return items[name]
        except KeyError:
            known = ", ".join(sorted(items)) or "none"
            raise KeyError(f"unknown {self.what} {name!r} (known: {known})") from None

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._ensure())

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._ensure().values()))

    def __contains__(self, name: object) -> bool:
        return name in self._ensure()


def prefixed_errors(exc: ValidationError, *prefix: str | int) -> list[InitErrorDetails]:
    """The errors of a nested validation, their locations under `prefix`."""
    return [
        InitErrorDetails(
            type=e["type"], loc=(*prefix, *e["loc"]), input=e["input"], ctx=e.get("ctx", {})
        )
        for e in exc.errors()
    ]


def unknown_name(
    registry: Registry[Any], name: str, loc: tuple[str | int, ...]
) -> InitErrorDetails:
    """The error of a name no extension registered, with the known names."""
    known = ", ".join(registry.names())
    problem = PydanticCustomError(
        "unknown_type", "unknown {what} '{name}' (known: {known})",
        {"what": registry.what, "name": name, "known": known},
    )  # fmt: skip
    return InitErrorDetails(type=problem, loc=loc, input=name)


def validate_each(values: Any, registry: Registry[Any], default: str, title: str) -> Any:
    """Validate each mapping of a list with the config model registered for its `type`.

    Errors keep their full location (`rules.0.volume_spike.min_count`), as a union of the
    registered models would give; a mapping without `type` is of the `default` type.
    """
    if not isinstance(values, list):
        return values
    validated: list[Any] = []
    errors: list[InitErrorDetails] = []
    for index, value in enumerate(values):
        if not isinstance(value, dict):
            errors.append(InitErrorDetails(type="dict_type", loc=(index,), input=value))
            continue
        name = str(value.get("type") or default)
        if name not in registry:
            errors.append(unknown_name(registry, name, (index, "type")))
            continue
        try:
            validated.append(registry.get(name).config.model_validate({**value, "type": name}))
        except ValidationError as exc:
            errors.extend(prefixed_errors(exc, index, name))
    if errors:
        raise ValidationError.from_exception_data(title, errors)
    return validated

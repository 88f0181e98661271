"""Customers from a CSV file or any SQL database (SQLAlchemy), through a column mapping.

A bad row (no id, a duplicate id, an unreadable consent or date) is reported with its
line number (CSV) or its id (SQL) and skipped; the other rows load. Emails and phone
numbers are hashed as they are read: the raw values go no further than this module.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from configuration.crm import SOCIAL_LINK, BrandCrm, ColumnMapping
from pipeline.crm.identity import keyed_hash, normalize_handle
from records.customers import Consent, Customer, Identity

logger = logging.getLogger(__name__)

_YES = {"1", "true", "yes", "y", "oui", "o", "x"}
_NO = {"0", "false", "no", "n", "non", ""}


@dataclass
class LoadReport:
    """Customers read, and the rows left out with why (line numbers for files)."""

    customers: list[Customer] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class BadRow(ValueError):
    """A customer row that cannot be loaded; the message names the column."""


def _cell(row: Mapping[str, Any], column: str | None) -> str:
    if not column:
        return ""
    value = row.get(column)
    return "" if value is None else str(value).strip()


def _consent(row: Mapping[str, Any], mapping: ColumnMapping) -> Consent:
    raw = _cell(row, mapping.consent).casefold()
    if raw in _YES:
        granted = True
    elif raw in _NO:
        granted = False
    else:
        raise BadRow(f"column {mapping.consent}: expected yes/no, got {raw!r:.40}")
    given_at: datetime | None = None
    raw_date = _cell(row, mapping.consent_date)
    if raw_date:
        try:
            given_at = parse_crm_date(raw_date)
        except ValueError as exc:
            raise BadRow(f"column {mapping.consent_date}: not a date ({raw_date!r:.40})") from exc
    if granted and given_at is None:
        # A yes without its date cannot be shown to a regulator: it does not count.
        raise BadRow(f"column {mapping.consent_date}: a consent needs its date")
    return Consent(SOCIAL_LINK, granted, given_at, _cell(row, mapping.consent_source))


def parse_crm_date(value: str) -> datetime:
    """A CRM's date or datetime; one without an offset is taken as UTC.

    Unlike `records.times.parse_utc`, a naive value is accepted: CRMs export consent dates
    as plain days ("2025-03-01"), and a day's midnight in UTC is what they mean.
    """
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def customer_from_row(
    brand_id: str, row: Mapping[str, Any], mapping: ColumnMapping, salt: str, origin: str
) -> Customer:
    """One customer from one row, or BadRow saying which column is wrong."""
    customer_id = _cell(row, mapping.id)
    if not customer_id:
        raise BadRow(f"column {mapping.id}: empty customer id")
    name = " ".join(p for p in (_cell(row, mapping.first_name), _cell(row, mapping.last_name)) if p)
    identities: list[Identity] = []
    for column in mapping.emails:
        for value in _cell(row, column).split(";"):
            if value.strip():
                if "@" not in value:
                    raise BadRow(f"column {column}: not an email address")
                identities.append(Identity("email_hash", keyed_hash("email", value, salt)))
    for column in mapping.phones:
        for value in _cell(row, column).split(";"):
            if value.strip():
                identities.append(Identity("phone_hash", keyed_hash("phone", value, salt)))
    for platform, column in mapping.handles.items():
        handle = normalize_handle(_cell(row, column))
        if handle:
            identities.append(Identity("handle", handle, platform))
    return Customer(
        brand_id=brand_id,
        customer_id=customer_id,
        name=name,
        city=_cell(row, mapping.city),
        identities=identities,
        consents=[_consent(row, mapping)],
        origin=origin,
    )


def _collect(
    brand_id: str, rows: Iterable[tuple[str, Mapping[str, Any]]], mapping: ColumnMapping, salt: str
) -> LoadReport:
    report = LoadReport()
    seen: set[str] = set()
    for origin, row in rows:
        try:
            customer = customer_from_row(brand_id, row, mapping, salt, origin)
            if customer.customer_id in seen:
                raise BadRow(f"column {mapping.id}: duplicate id {customer.customer_id!r:.40}")
        except BadRow as exc:
            report.errors.append(f"{origin}: {exc}")
            continue
        seen.add(customer.customer_id)
        report.customers.append(customer)
    for error in report.errors:
        logger.warning("customer row skipped: %s", error)
    return report


def load_csv(brand_id: str, brand: BrandCrm, salt: str) -> LoadReport:
    """Customers of a CSV file (header row, `,` or `;` separated), bad rows reported."""
    source = brand.customers
    if source.path is None:
        raise ValueError(f"crm.yaml: brands.{brand_id}.customers.path: missing")
    with source.path.open(encoding=source.encoding, newline="") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample else csv.excel
        reader = csv.DictReader(handle, dialect=dialect)
        missing = [
            c
            for c in (source.mapping.id, source.mapping.consent)
            if c not in (reader.fieldnames or [])
        ]
        if missing:
            raise ValueError(f"{source.path}: missing columns {missing} (see the column mapping)")

        def rows() -> Iterable[tuple[str, Mapping[str, Any]]]:
            for row in reader:
                # line_num is the reader's physical line: right for quoted multi-line cells.
                yield f"{source.path.name}:{reader.line_num}", row  # type: ignore[union-attr]

        return _collect(brand_id, rows(), source.mapping, salt)


def load_sql(brand_id: str, brand: BrandCrm, salt: str, url: str) -> LoadReport:
    """Customers of a table in any database SQLAlchemy reaches, through the same mapping."""
    source = brand.customers
    if not source.table:
        raise ValueError(f"crm.yaml: brands.{brand_id}.customers.table: missing")
    engine = sa.create_engine(url)
    try:
        table = sa.Table(source.table, sa.MetaData(), autoload_with=engine)
        with engine.connect() as conn:
            result = conn.execute(sa.select(table).order_by(table.c[source.mapping.id]))
            rows = [
                (f"{source.table}[{row.get(source.mapping.id)}]", row)
                for row in (dict(r._mapping) for r in result)
            ]
    finally:
        engine.dispose()
    return _collect(brand_id, rows, source.mapping, salt)


def load_customers(
    brand_id: str, brand: BrandCrm, salt: str, environ: Mapping[str, str]
) -> LoadReport:
    """A brand's customers from its configured source."""
    source = brand.customers
    if source.kind == "sql":
        url = environ.get(source.url_env or "", "")
        if not url:
            raise ValueError(f"crm.yaml: brands.{brand_id}.customers.url_env: variable not set")
        return load_sql(brand_id, brand, salt, url)
    return load_csv(brand_id, brand, salt)

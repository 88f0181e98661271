"""Customers from a CSV file (bad rows reported by line) and from PostgreSQL through SQLAlchemy."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from configuration.crm import BrandCrm, ColumnMapping, CustomerSource
from pipeline.crm.identity import extract_pii_hashes, keyed_hash
from pipeline.crm.loaders import load_csv, load_sql
from tests.pipeline.crm.conftest import SALT

BAD_CSV = """customer_id,first_name,last_name,email,consent_social_link,consent_date
a1,Ana,Lopez,ana@example.org,yes,2025-01-01
,No,Id,x@example.org,yes,2025-01-01
a3,Bad,Consent,b@example.org,peut-être,2025-01-01
a4,"Multi
Line",Name,c@example.org,yes,2025-01-01
a1,Dup,Licate,d@example.org,yes,2025-01-01
a6,No,Date,e@example.org,yes,
a7,Not,Email,not-an-email,no,
a8,Ok,Refused,f@example.org,no,
"""


def test_bad_csv_rows_are_reported_with_line_numbers_and_the_rest_loads(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    report = load_csv("lumio", BrandCrm(customers=CustomerSource(path=path)), SALT)
    assert [c.customer_id for c in report.customers] == ["a1", "a4", "a8"]
    assert report.errors == [
        "c.csv:3: column customer_id: empty customer id",
        "c.csv:4: column consent_social_link: expected yes/no, got 'peut-être'",
        "c.csv:7: column customer_id: duplicate id 'a1'",
        "c.csv:8: column consent_date: a consent needs its date",
        "c.csv:9: column email: not an email address",
    ]
    a1 = report.customers[0]
    assert a1.consent("social_link") and a1.name == "Ana Lopez"
    # Raw emails are never kept: only the keyed hash.
    assert [i.value for i in a1.identities] == [keyed_hash("email", "ana@example.org", SALT)]
    assert "ana@example.org" not in repr(report)


def test_customers_from_postgresql_through_a_column_mapping(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE clients (num text primary key, prenom text, nom text, ville text,"
            " courriel text, mobile text, pseudo_mastodon text, optin boolean, optin_le date,"
            " optin_source text)"
        )
        conn.exec_driver_sql(
            "INSERT INTO clients VALUES ('K1','Léa','Petit','Rennes','lea@example.org',"
            "'+33 6 11 22 33 44','@LeaP@mastodon.example',true,'2025-05-01','app'),"
            "('K2','Marc','Roux','Metz',null,null,null,false,null,'shop'),"
            "('K3','Sans','Date','Metz',null,null,null,true,null,'shop')"
        )
    engine.dispose()
    mapping = ColumnMapping(
        id="num",
        first_name="prenom",
        last_name="nom",
        city="ville",
        emails=["courriel"],
        phones=["mobile"],
        handles={"mastodon": "pseudo_mastodon"},
        consent="optin",
        consent_date="optin_le",
        consent_source="optin_source",
    )
    brand = BrandCrm(customers=CustomerSource(kind="sql", table="clients", mapping=mapping))
    report = load_sql("lumio", brand, SALT, postgres_url)
    assert [c.customer_id for c in report.customers] == ["K1", "K2"]
    assert report.errors == ["clients[K3]: column optin_le: a consent needs its date"]
    k1 = report.customers[0]
    kinds = {(i.kind, i.platform, i.value) for i in k1.identities}
    assert ("handle", "mastodon", "leap@mastodon.example") in kinds
    assert ("phone_hash", "", keyed_hash("phone", "06 11 22 33 44", SALT)) in kinds
    assert k1.consents[0].source == "app"


def test_pii_in_posts_matches_the_crm_writing_of_the_same_value() -> None:
    text = "Mon numéro: 06.11.22.33.44, mail LEA@example.org"
    assert extract_pii_hashes(text, SALT) == [
        keyed_hash("email", "lea@example.org", SALT),
        keyed_hash("phone", "+33 6 11 22 33 44", SALT),
    ]

"""Texts of `veille store migrate`, French and English."""

from __future__ import annotations

STORE: dict[str, dict[str, str]] = {
    "cli.store.bad_from": {
        "fr": "--from : seul « sqlite » est pris en charge, reçu {value!r}",
        "en": "--from: only 'sqlite' is supported, got {value!r}",
    },
    "cli.store.bad_to": {
        "fr": "--to : seul « search » est pris en charge, reçu {value!r}",
        "en": "--to: only 'search' is supported, got {value!r}",
    },
    "cli.store.bad_batch": {
        "fr": "--batch : un entier d'au moins 1 attendu, reçu {value}",
        "en": "--batch: expected an integer of at least 1, got {value}",
    },
    "cli.store.failed": {
        "fr": "Migration impossible : {reason}",
        "en": "Migration failed: {reason}",
    },
    "cli.store.starting": {
        "fr": "Migration de {source} vers {target}",
        "en": "Migrating {source} to {target}",
    },
    "cli.store.resumed": {
        "fr": "Reprise d'une migration interrompue à l'étape {phase}, après le n° {after}",
        "en": "Resuming an interrupted migration at step {phase}, after number {after}",
    },
    "cli.store.progress": {
        "fr": "  [{kind}] {n} lus",
        "en": "  [{kind}] {n} read",
    },
    "cli.store.title": {"fr": "Migration", "en": "Migration"},
    "cli.store.kind": {"fr": "type", "en": "kind"},
    "cli.store.new": {"fr": "nouveaux", "en": "new"},
    "cli.store.updated": {"fr": "modifiés", "en": "updated"},
    "cli.store.unchanged": {"fr": "inchangés (doublons)", "en": "unchanged (duplicates)"},
    "cli.store.kind.raw_posts": {"fr": "posts bruts", "en": "raw posts"},
    "cli.store.kind.mentions": {"fr": "mentions", "en": "mentions"},
    "cli.store.kind.crawl_state": {"fr": "état de collecte", "en": "crawl state"},
    "cli.store.kind.crawl_runs": {"fr": "collectes", "en": "crawl runs"},
    "cli.store.kind.alerts": {"fr": "alertes", "en": "alerts"},
    "cli.store.kind.outbox": {"fr": "notifications", "en": "notifications"},
    "cli.store.kind.quarantine": {"fr": "quarantaine", "en": "quarantine"},
    "cli.store.kind.cursors": {"fr": "curseurs", "en": "cursors"},
    "cli.store.cursor": {
        "fr": "curseur {name} : {value}",
        "en": "cursor {name}: {value}",
    },
    "cli.store.cursor_kept": {
        "fr": "curseur {name} : {value} (la cible était déjà plus loin, gardé)",
        "en": "cursor {name}: {value} (the target was already further, kept)",
    },
    "cli.store.sessions": {
        "fr": "Les sessions du tableau de bord ne sont pas copiées : reconnectez-vous.",
        "en": "Dashboard sessions are not copied: sign in again.",
    },
    "cli.store.done": {
        "fr": "Migration terminée en {seconds} s ; relancer n'ajoute rien.",
        "en": "Migration done in {seconds} s; running it again adds nothing.",
    },
}

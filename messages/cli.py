"""Command-line texts (alert triage, SLA, replay; source detection; export), French and English."""

from __future__ import annotations

CLI: dict[str, dict[str, str]] = {
    "cli.alerts.id": {"fr": "id", "en": "id"},
    "cli.alerts.due": {"fr": "échéance", "en": "due"},
    "cli.alerts.severity": {"fr": "gravité", "en": "severity"},
    "cli.alerts.status": {"fr": "statut", "en": "status"},
    "cli.alerts.brand": {"fr": "marque", "en": "brand"},
    "cli.alerts.rule": {"fr": "règle", "en": "rule"},
    "cli.alerts.mentions": {"fr": "mentions", "en": "mentions"},
    "cli.alerts.assignee": {"fr": "assignée à", "en": "assignee"},
    "cli.alerts.why": {"fr": "pourquoi", "en": "why"},
    "cli.alerts.title": {"fr": "Alertes", "en": "Alerts"},
    "cli.alerts.late": {"fr": "EN RETARD", "en": "OVERDUE"},
    "cli.alerts.history": {"fr": "Historique", "en": "History"},
    "cli.alerts.sla_line": {
        "fr": "SLA : {within} traitées à temps, {late} en retard, {open} ouvertes hors délai ; "
        "part traitée dans le délai : {share}",
        "en": "SLA: {within} handled in time, {late} late, {open} open past due; "
        "share handled within SLA: {share}",
    },
    "cli.alerts.none": {"fr": "aucune", "en": "none"},
    "cli.alerts.new": {"fr": "nouvelle", "en": "new"},
    "cli.alerts.acknowledged": {"fr": "prise en charge", "en": "acknowledged"},
    "cli.alerts.resolved": {"fr": "résolue", "en": "resolved"},
    "cli.alerts.dismissed": {"fr": "écartée", "en": "dismissed"},
    "cli.alerts.done": {"fr": "Alerte {id} : {status}", "en": "Alert {id}: {status}"},
    "cli.replay.title": {
        "fr": "Rejeu (rien n'est stocké ni envoyé)",
        "en": "Replay (nothing stored or sent)",
    },
    "cli.replay.when": {"fr": "quand", "en": "when"},
    "cli.replay.rule": {"fr": "règle", "en": "rule"},
    "cli.replay.brand": {"fr": "marque", "en": "brand"},
    "cli.replay.severity": {"fr": "gravité", "en": "severity"},
    "cli.replay.kind": {"fr": "type", "en": "kind"},
    "cli.replay.why": {"fr": "pourquoi", "en": "why"},
    "cli.replay.raised": {"fr": "levée", "en": "raised"},
    "cli.replay.updated": {"fr": "mise à jour", "en": "updated"},
    "cli.replay.total": {
        "fr": "{n} alerte(s) auraient été levées",
        "en": "{n} alert(s) would have fired",
    },
    # veille sources detect
    "cli.detect.engine": {
        "fr": "Moteur : {engine} (confiance {confidence:.2f})",
        "en": "Engine: {engine} (confidence {confidence:.2f})",
    },
    "cli.detect.generic": {
        "fr": "aucun preset reconnu : extracteur générique",
        "en": "no preset recognised: generic extractor",
    },
    "cli.detect.evidence": {"fr": "  indices : {evidence}", "en": "  evidence: {evidence}"},
    "cli.detect.selectors": {"fr": "Sélecteurs utilisés :", "en": "Selectors it would use:"},
    "cli.detect.generic_selectors": {
        "fr": "  (extracteur générique : blocs de messages répétés, auteur, date et texte)",
        "en": "  (generic extractor: repeated post blocks, each with author, date and body)",
    },
    "cli.detect.thread": {"fr": "Premier fil : {url}", "en": "First thread: {url}"},
    "cli.detect.no_thread": {
        "fr": "Aucun fil trouvé depuis cette page ({pages} pages lues).",
        "en": "No thread found from this page ({pages} pages read).",
    },
    "cli.detect.post": {
        "fr": "  - {author}, {date} UTC : {words}",
        "en": "  - {author}, {date} UTC: {words}",
    },
    "cli.detect.unreadable": {
        "fr": "  {n} blocs de messages illisibles sur cette page",
        "en": "  {n} post blocks on this page could not be read",
    },
    "cli.detect.config": {
        "fr": 'Pour l\'ajouter : kind: forum, start_urls: ["{url}"]{preset}',
        "en": 'To add it: kind: forum, start_urls: ["{url}"]{preset}',
    },
    # veille export mentions
    "cli.export.written": {
        "fr": "{n} mentions écrites dans {path}",
        "en": "{n} mentions written to {path}",
    },
    "cli.export.bad_since": {
        "fr": "--since : date ISO 8601 attendue (2026-03-14 ou 2026-03-14T10:00), reçu {value!r}",
        "en": "--since: expected an ISO 8601 date (2026-03-14 or 2026-03-14T10:00), got {value!r}",
    },
    "cli.export.bad_format": {
        "fr": "--format : jsonl ou csv attendu, reçu {value!r}",
        "en": "--format: expected jsonl or csv, got {value!r}",
    },
}

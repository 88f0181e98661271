"""Command-line texts of `veille alerts` (triage, SLA, replay), French and English."""

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
}

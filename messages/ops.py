"""Texts of `veille status`, `veille schedule` and a stopped `veille run`, French and English."""

from __future__ import annotations

OPS: dict[str, dict[str, str]] = {
    "status.at": {"fr": "état au {at}", "en": "status at {at}"},
    "status.store_error": {
        "fr": "stockage injoignable : {error}",
        "en": "store unreachable: {error}",
    },
    "status.queues": {
        "fr": "files : {raw} messages bruts à analyser, {mentions} mentions à évaluer, "
        "{sla} alertes ouvertes hors délai, {notes} notifications en attente",
        "en": "queues: {raw} raw posts to analyse, {mentions} mentions to evaluate, "
        "{sla} open alerts past their SLA, {notes} notifications waiting",
    },
    "status.source": {
        "fr": "{source} : dernier succès {success} (retard {lag}) ; dernière erreur {error}",
        "en": "{source}: last success {success} (lag {lag}); last error {error}",
    },
    "status.job": {
        "fr": "  tâche {job} : {state} depuis {since}{detail}",
        "en": "  job {job}: {state} since {since}{detail}",
    },
    "status.never": {"fr": "jamais", "en": "never"},
    "status.none": {"fr": "aucune", "en": "none"},
    "status.state.never": {"fr": "jamais lancée", "en": "never run"},
    "status.state.running": {"fr": "en cours", "en": "running"},
    "status.state.ok": {"fr": "terminée", "en": "done"},
    "status.state.waiting": {"fr": "en attente du stockage", "en": "waiting for the store"},
    "status.state.error": {"fr": "en erreur", "en": "failed"},
    "status.state.stopped": {"fr": "arrêtée", "en": "stopped"},
    "run.stopped": {
        "fr": "arrêt demandé : le lot en cours a été enregistré, le reste attend la prochaine "
        "exécution",
        "en": "stop requested: the batch in hand was stored, the rest waits for the next run",
    },
    "schedule.ready": {
        "fr": "planificateur : {n} tâches ({ids}) ; Ctrl-C ou SIGTERM pour arrêter",
        "en": "scheduler: {n} jobs ({ids}); Ctrl-C or SIGTERM to stop",
    },
    "worker.ready": {
        "fr": "travailleur {stage} {worker} : {partitions} partition(s), bail de {ttl:g} s, "
        "relève toutes les {poll:g} s ; Ctrl-C ou SIGTERM pour arrêter",
        "en": "{stage} worker {worker}: {partitions} partition(s), {ttl:g} s lease, polling "
        "every {poll:g} s; Ctrl-C or SIGTERM to stop",
    },
    "worker.pass": {
        "fr": "{stage} : {records} enregistrements ({new} nouveaux, {updated} modifiés, "
        "{unchanged} inchangés, {quarantined} en quarantaine) ; partitions {partitions} ; "
        "tenues ailleurs : {elsewhere}",
        "en": "{stage}: {records} records ({new} new, {updated} updated, {unchanged} "
        "unchanged, {quarantined} quarantined); partitions {partitions}; held elsewhere: "
        "{elsewhere}",
    },
    "worker.failed": {
        "fr": "{stage} : passe en échec ({error}) ; nouvel essai dans {poll:g} s",
        "en": "{stage}: pass failed ({error}); trying again in {poll:g} s",
    },
    "worker.stopped": {
        "fr": "travailleur {stage} {worker} arrêté : {records} enregistrements en {passes} passes",
        "en": "{stage} worker {worker} stopped: {records} records in {passes} passes",
    },
    "schedule.stopping": {
        "fr": "arrêt : les tâches en cours terminent leur lot",
        "en": "stopping: the jobs under way finish their batch",
    },
}

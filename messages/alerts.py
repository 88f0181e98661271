"""Alert texts: the `why` of each built-in rule, notifications, the number formats.

Plural forms are two keys, `….one` and `….many`, chosen by `messages.plural`.
"""

from __future__ import annotations

ALERTS: dict[str, dict[str, str]] = {
    # durations (messages.format_duration: SLA times left, overdue)
    "duration.days": {"fr": "{days} j {hours} h", "en": "{days} d {hours} h"},
    "duration.hours": {"fr": "{hours} h {mins:02d} min", "en": "{hours} h {mins:02d} min"},
    "duration.minutes": {"fr": "{mins} min", "en": "{mins} min"},
    # figures (pipeline.alerts.why)
    "why.percent": {"fr": "{value}\u00a0%", "en": "{value}%"},
    "why.weekday_hour": {"fr": "{day} {hour} h", "en": "{day} {hour:02d}:00"},
    "why.words": {"fr": " ; mots fréquents : {words}", "en": "; frequent words: {words}"},
    "why.days": {
        "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche",
        "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    },
    "why.mention.one": {"fr": "{n} mention", "en": "{n} mention"},
    "why.mention.many": {"fr": "{n} mentions", "en": "{n} mentions"},
    "why.negative_mention.one": {"fr": "{n} mention négative", "en": "{n} negative mention"},
    "why.negative_mention.many": {"fr": "{n} mentions négatives", "en": "{n} negative mentions"},
    "why.source.one": {"fr": "{n} source", "en": "{n} source"},
    "why.source.many": {"fr": "{n} sources", "en": "{n} sources"},
    "why.negative_post.one": {"fr": "{n} message négatif", "en": "{n} negative post"},
    "why.negative_post.many": {"fr": "{n} messages négatifs", "en": "{n} negative posts"},
    "why.follower.one": {"fr": "{n} abonné", "en": "{n} follower"},
    "why.follower.many": {"fr": "{n} abonnés", "en": "{n} followers"},
    "why.reaction.one": {"fr": "{n} réaction", "en": "{n} reaction"},
    "why.reaction.many": {"fr": "{n} réactions", "en": "{n} reactions"},
    "why.reply.one": {"fr": "{n} réponse", "en": "{n} reply"},
    "why.reply.many": {"fr": "{n} réponses", "en": "{n} replies"},
    # crisis_vocabulary
    "why.crisis.first": {"fr": "%d/%m/%Y à %Hh%M", "en": "%Y-%m-%d %H:%M"},
    "why.crisis": {
        "fr": "{mentions} de {brand} avec un vocabulaire de crise ({words}) depuis le "
        "{first}, sur {sources} ({source_list}).",
        "en": "{mentions} of {brand} with crisis vocabulary ({words}) since {first}, on "
        "{sources} ({source_list}).",
    },
    # volume_spike
    "why.volume.hour": {"fr": "dans la dernière heure", "en": "in the last hour"},
    "why.volume.day": {"fr": "sur les dernières 24 h", "en": "in the last 24 hours"},
    "why.volume": {
        "fr": "{mentions} de {brand} {period}, {ratio} l'habituel pour un {when} ; "
        "{share} négatives{words}",
        "en": "{mentions} of {brand} {period}, {ratio} the usual for a {when}; "
        "{share} negative{words}",
    },
    # negative_share
    "why.share.aspect": {"fr": "{brand} (aspect {aspect})", "en": "{brand} ({aspect})"},
    "why.share": {
        "fr": "{share} de mentions négatives pour {scope} sur les {hours} dernières heures "
        "({negative} sur {total}), contre {usual} d'habitude{words}",
        "en": "{share} negative mentions for {scope} in the last {hours} hours "
        "({negative} of {total}), against {usual} usually{words}",
    },
    # high_reach_author
    "why.reach.unknown_author": {"fr": "auteur inconnu", "en": "?"},
    "why.reach": {
        "fr": "{posts} à forte audience sur {brand} ; le plus suivi : {author} ({figures}) "
        ": « {quote} »",
        "en": "{posts} with a wide reach about {brand}; most followed: {author} ({figures}): "
        "“{quote}”",
    },
    # fast_thread
    "why.thread": {
        "fr": "Nouveau fil « {title} » sur {brand} : {replies} dans les {hours} dernières "
        "heures ({total} au total, ouvert il y a {age} h)",
        "en": "New thread “{title}” about {brand}: {replies} in the last {hours} h "
        "({total} in all, opened {age} h ago)",
    },
    # source_broken
    "why.source_broken": {
        "fr": "Source {name} ({source_id}) cassée : ses {runs} derniers passages n'ont "
        "enregistré aucun message alors que ses listes de sujets en montrent. Raisons : "
        "{reasons}. Vérifier son preset ou ses sélecteurs (veille sources detect URL).",
        "en": "Source {name} ({source_id}) is broken: its last {runs} crawls stored no post "
        "although its topic lists show threads. Reasons: {reasons}. "
        "Check its preset or selectors (veille sources detect URL).",
    },
    "why.source_broken.none": {"fr": "aucune comptée", "en": "none counted"},
    # notifications (pipeline.alerts.notify)
    "notify.title.one": {
        "fr": "[Veille] Alerte {severity} : {brand}",
        "en": "[Veille] Alert {severity}: {brand}",
    },
    "notify.title.many": {"fr": "[Veille] {n} alertes", "en": "[Veille] {n} alerts"},
    "notify.line": {
        "fr": "[{severity}] {brand} ({rule}): {why} (à traiter avant {due}; "
        "veille alerts show {alert_id})",
        "en": "[{severity}] {brand} ({rule}): {why} (due {due}; veille alerts show {alert_id})",
    },
}

"""Interface strings in French (the default) and English, looked up with `t(key, lang)`.

Every visible string of the dashboard goes through this table; a key missing in English
falls back to French, and a key missing everywhere shows the key itself so that a
forgotten entry is visible rather than blank.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

STRINGS: dict[str, dict[str, str]] = {
    # navigation and shared filters
    "app.title": {"fr": "Veille", "en": "Veille"},
    "nav.barometer": {"fr": "Baromètre", "en": "Barometer"},
    "nav.alerts": {"fr": "Alertes", "en": "Alerts"},
    "filters.header": {"fr": "Filtres", "en": "Filters"},
    "filters.period": {"fr": "Période", "en": "Period"},
    "filters.period.7": {"fr": "7 derniers jours", "en": "Last 7 days"},
    "filters.period.30": {"fr": "30 derniers jours", "en": "Last 30 days"},
    "filters.period.90": {"fr": "90 derniers jours", "en": "Last 90 days"},
    "filters.period.custom": {"fr": "Dates personnalisées", "en": "Custom dates"},
    "filters.dates": {"fr": "Du … au …", "en": "From … to …"},
    "filters.brands": {"fr": "Marques", "en": "Brands"},
    "filters.granularity": {"fr": "Granularité du baromètre", "en": "Barometer granularity"},
    "filters.granularity.day": {"fr": "Jour", "en": "Day"},
    "filters.granularity.week": {"fr": "Semaine", "en": "Week"},
    "filters.granularity.month": {"fr": "Mois", "en": "Month"},
    "filters.language": {"fr": "Langue / Language", "en": "Langue / Language"},
    "filters.timezone": {"fr": "Heures affichées en {tz}", "en": "Times shown in {tz}"},
    "lang.fr": {"fr": "Français", "en": "Français"},
    "lang.en": {"fr": "English", "en": "English"},
    "error.config": {
        "fr": "La configuration ne peut pas être chargée :",
        "en": "The configuration cannot be loaded:",
    },
    "error.no_brand": {
        "fr": "Choisissez au moins une marque dans le panneau latéral.",
        "en": "Pick at least one brand in the sidebar.",
    },
    # barometer page
    "barometer.title": {"fr": "Baromètre de marque", "en": "Brand barometer"},
    "barometer.c2c_note": {
        "fr": "Conversations entre consommateurs uniquement : les messages des comptes "
        "officiels des marques sont exclus.",
        "en": "Consumer-to-consumer conversations only: posts by the brands' official "
        "accounts are excluded.",
    },
    "barometer.formula": {
        "fr": "Sentiment net = (positifs − négatifs) / (positifs + négatifs), de −100 % à "
        "+100 %. Part de voix = mentions de la marque / mentions de toutes les marques "
        "choisies (une mention qui cite deux marques compte pour chacune).",
        "en": "Net sentiment = (positive − negative) / (positive + negative), from −100% "
        "to +100%. Share of voice = the brand's mentions / mentions of all chosen brands "
        "(a mention naming two brands counts for each).",
    },
    "barometer.empty": {
        "fr": "Aucune mention pour ces marques sur cette période.",
        "en": "No mentions for these brands in this period.",
    },
    "barometer.kpis": {"fr": "Indicateurs par marque", "en": "Figures by brand"},
    "barometer.volume_chart": {"fr": "Volume de mentions", "en": "Mention volume"},
    "barometer.sentiment_chart": {"fr": "Sentiment net", "en": "Net sentiment"},
    "barometer.table": {"fr": "Chiffres par période", "en": "Figures by period"},
    "kpi.volume": {"fr": "Volume", "en": "Volume"},
    "kpi.net_sentiment": {"fr": "Sentiment net", "en": "Net sentiment"},
    "kpi.share_of_voice": {"fr": "Part de voix", "en": "Share of voice"},
    "col.period": {"fr": "Période", "en": "Period"},
    "col.brand": {"fr": "Marque", "en": "Brand"},
    "col.total": {"fr": "Mentions", "en": "Mentions"},
    "col.positive": {"fr": "Positives", "en": "Positive"},
    "col.neutral": {"fr": "Neutres", "en": "Neutral"},
    "col.negative": {"fr": "Négatives", "en": "Negative"},
    "col.mixed": {"fr": "Mitigées", "en": "Mixed"},
    "col.net_sentiment": {"fr": "Sentiment net", "en": "Net sentiment"},
    "period.week": {"fr": "sem. du {date}", "en": "week of {date}"},
    # alerts page
    "alerts.title": {"fr": "Alertes", "en": "Alerts"},
    "alerts.statuses": {"fr": "Statuts", "en": "Statuses"},
    "alerts.scope": {
        "fr": "Triées par échéance (SLA), la plus urgente d'abord. Le filtre de période ne "
        "s'applique pas : une alerte ouverte reste listée jusqu'à son traitement.",
        "en": "Sorted by due time (SLA), most urgent first. The period filter does not "
        "apply: an open alert stays listed until it is handled.",
    },
    "alerts.empty": {
        "fr": "Aucune alerte pour ces marques et ces statuts.",
        "en": "No alerts for these brands and statuses.",
    },
    "alerts.count": {"fr": "{n} alerte(s)", "en": "{n} alert(s)"},
    "alerts.dates": {
        "fr": "Créée le {created} · échéance le {due}",
        "en": "Created {created} · due {due}",
    },
    "alerts.left": {"fr": "reste {d}", "en": "{d} left"},
    "alerts.overdue": {"fr": "en retard de {d}", "en": "overdue by {d}"},
    "alerts.closed": {"fr": "clôturée", "en": "closed"},
    "alerts.mentions": {"fr": "Mentions ({n})", "en": "Mentions ({n})"},
    "alerts.no_mentions": {
        "fr": "Les mentions de cette alerte ne sont plus dans la base.",
        "en": "This alert's mentions are no longer in the store.",
    },
    "alerts.open_post": {"fr": "Voir le message d'origine", "en": "Open the original post"},
    "alerts.no_link": {
        "fr": "Lien d'origine absent ou non http(s) : non affiché.",
        "en": "Original link missing or not http(s): not shown.",
    },
    "alerts.thread": {"fr": "Sujet : {title}", "en": "Thread: {title}"},
    "alerts.more": {
        "fr": "Les {shown} plus récentes sur {n} :",
        "en": "The {shown} newest of {n}:",
    },
    "severity.low": {"fr": "Faible", "en": "Low"},
    "severity.medium": {"fr": "Moyenne", "en": "Medium"},
    "severity.high": {"fr": "Haute", "en": "High"},
    "severity.critical": {"fr": "Critique", "en": "Critical"},
    "status.new": {"fr": "Nouvelle", "en": "New"},
    "status.acknowledged": {"fr": "Prise en charge", "en": "Acknowledged"},
    "status.resolved": {"fr": "Résolue", "en": "Resolved"},
    "status.dismissed": {"fr": "Écartée", "en": "Dismissed"},
}


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The string for `key` in `lang` (French when missing), with `{name}` filled in."""
    entry = STRINGS.get(key)
    if entry is None:
        logger.warning("dashboard: no translation for key %r", key)
        return key
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def format_duration(minutes: int, lang: str = DEFAULT_LANGUAGE) -> str:
    """A duration as people write it: `2 j 3 h`, `3 h 05 min`, `12 min` (`d`/`h` in English)."""
    minutes = abs(int(minutes))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    day_unit = "j" if lang == "fr" else "d"
    if days:
        return f"{days} {day_unit} {hours} h"
    if hours:
        return f"{hours} h {mins:02d} min"
    return f"{mins} min"

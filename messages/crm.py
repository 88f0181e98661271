"""Texts of the CRM part: the Clients page and `veille crm` / `veille privacy`, FR and EN."""

from __future__ import annotations

CRM: dict[str, dict[str, str]] = {
    "clients.m.customers": {"fr": "Clients chargés", "en": "Customers loaded"},
    "clients.m.consenting": {"fr": "Consentement donné", "en": "Consent given"},
    "clients.m.linked": {"fr": "Clients rapprochés", "en": "Linked customers"},
    "clients.m.pending": {"fr": "À confirmer", "en": "To review"},
    "clients.linked": {
        "fr": "Clients rapprochés et leurs signaux",
        "en": "Linked customers and their signals",
    },
    "clients.none_linked": {
        "fr": "Aucun client rapproché pour l'instant.",
        "en": "No linked customer yet.",
    },
    "clients.open": {"fr": "Voir les mentions d'un client", "en": "Open a customer's mentions"},
    "clients.col.url": {"fr": "Dernière mention", "en": "Last mention"},
    "clients.col.veille_status": {"fr": "Statut", "en": "Status"},
    "clients.col.veille_mention_count": {"fr": "Mentions", "en": "Mentions"},
    "clients.col.veille_last_mention_at": {"fr": "Dernière le", "en": "Last on"},
    "clients.col.veille_sentiment_90d": {"fr": "Sentiment net 90 j", "en": "Net sentiment 90 d"},
    "clients.col.veille_aspects": {"fr": "Aspects", "en": "Aspects"},
    "clients.col.veille_competitors": {"fr": "Concurrents", "en": "Competitors"},
    "clients.col.veille_last_negative_at": {"fr": "Dernière négative", "en": "Last negative"},
    "clients.col.veille_status_rule": {"fr": "Règle", "en": "Rule"},
    "clients.reviews": {"fr": "Rapprochements à confirmer", "en": "Matches to review"},
    "clients.no_reviews": {"fr": "Aucun rapprochement en attente.", "en": "No match waiting."},
    "clients.confirm": {"fr": "Confirmer", "en": "Confirm"},
    "clients.reject": {"fr": "Rejeter", "en": "Reject"},
    "clients.confirmed": {
        "fr": "Rapprochement confirmé : lié à la prochaine synchronisation.",
        "en": "Match confirmed: linked at the next sync.",
    },
    "clients.rejected": {
        "fr": "Rapprochement rejeté : il ne sera plus proposé.",
        "en": "Match rejected: it will not be proposed again.",
    },
    "clients.review_role": {
        "fr": "Seuls les administrateurs et les relecteurs CRM (crm.yaml) décident.",
        "en": "Only admins and CRM reviewers (crm.yaml) decide.",
    },
    "clients.consents": {"fr": "Consentements", "en": "Consents"},
    "clients.events": {"fr": "Événements du flux", "en": "Feed events"},
    "clients.audit": {"fr": "Journal d'audit", "en": "Audit log"},
    # veille crm / veille privacy (the command line)
    "crm.cli.ready": {"fr": "CRM prêt : {brands}", "en": "CRM ready: {brands}"},
    "crm.cli.not_ready": {"fr": "Le CRM ne peut pas tourner :", "en": "The CRM stage cannot run:"},
    "crm.cli.synced": {
        "fr": "crm : {customers} clients, {mentions_read} mentions lues, {links_new} liens, "
        "{reviews_new} à revoir, {signals_written} signaux écrits, {events} événements "
        "({events_skipped} plafonnés), {special} catégories particulières écartées",
        "en": "crm: {customers} customers, {mentions_read} mentions read, {links_new} links, "
        "{reviews_new} to review, {signals_written} signals written, {events} events "
        "({events_skipped} capped), {special} special-category mentions left out",
    },
    "crm.cli.row_errors": {
        "fr": "{n} lignes clients écartées :",
        "en": "{n} customer rows left out:",
    },
    "crm.cli.written": {
        "fr": "{n} événements écrits dans {path}",
        "en": "{n} events written to {path}",
    },
    "crm.cli.decided": {"fr": "candidat {id} : {status}", "en": "candidate {id}: {status}"},
    "crm.cli.unlinked": {"fr": "lien retiré", "en": "link removed"},
    "crm.cli.no_link": {"fr": "aucun lien de ce client à cette mention", "en": "no such link"},
    "crm.cli.forgotten": {"fr": "effacé : {what}", "en": "erased: {what}"},
    "crm.cli.one_of": {"fr": "donner --author ou --customer", "en": "give --author or --customer"},
    "crm.cli.delivered": {
        "fr": "webhook {id} : {n} événements livrés",
        "en": "webhook {id}: {n} events delivered",
    },
    "crm.cli.purged": {"fr": "purge : {what}", "en": "purge: {what}"},
}

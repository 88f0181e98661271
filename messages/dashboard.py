"""Dashboard texts, French and English: every visible string of the Streamlit pages."""

from __future__ import annotations

DASHBOARD: dict[str, dict[str, str]] = {
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
    # navigation and sign-in (more pages)
    "nav.mentions": {"fr": "Mentions", "en": "Mentions"},
    "filters.choose": {"fr": "Tous", "en": "All"},
    "nav.clients": {"fr": "Clients", "en": "Customers"},
    "nav.sources": {"fr": "Sources", "en": "Sources"},
    "auth.title": {"fr": "Connexion à Veille", "en": "Sign in to Veille"},
    "auth.login": {"fr": "Identifiant", "en": "Login"},
    "auth.password": {"fr": "Mot de passe", "en": "Password"},
    "auth.submit": {"fr": "Se connecter", "en": "Sign in"},
    "auth.failed": {
        "fr": "Identifiant ou mot de passe incorrect.",
        "en": "Wrong login or password.",
    },
    "auth.no_password": {
        "fr": "Aucun mot de passe n'est configuré : définissez la variable d'environnement "
        "ci-dessous pour au moins un identifiant de dashboard.users, puis relancez.",
        "en": "No password is set: set the environment variable below for at least one "
        "login of dashboard.users, then restart.",
    },
    "auth.signed_in": {"fr": "Connecté : {login} ({role})", "en": "Signed in: {login} ({role})"},
    "auth.logout": {"fr": "Se déconnecter", "en": "Sign out"},
    "role.community_manager": {"fr": "community manager", "en": "community manager"},
    "role.marketing_director": {"fr": "direction marketing", "en": "marketing director"},
    "role.admin": {"fr": "administration", "en": "admin"},
    # barometer: options, comparisons, breakdowns, drill-down, exports
    "barometer.formula_choice": {"fr": "Formule du sentiment net", "en": "Net sentiment formula"},
    "formula.balance": {"fr": "(P − N) / (P + N)", "en": "(P − N) / (P + N)"},
    "formula.points": {"fr": "%P − %N", "en": "%P − %N"},
    "barometer.formula.balance": {
        "fr": "Sentiment net = (positives − négatives) / (positives + négatives), de −100 % "
        "à +100 % ; les neutres et mitigées ne comptent pas. Part de voix = mentions de la "
        "marque / mentions de toutes les marques choisies (une mention qui cite deux "
        "marques compte pour chacune).",
        "en": "Net sentiment = (positive − negative) / (positive + negative), from −100% "
        "to +100%; neutral and mixed do not count. Share of voice = the brand's mentions / "
        "mentions of all chosen brands (a mention naming two brands counts for each).",
    },
    "barometer.formula.points": {
        "fr": "Sentiment net = % de positives − % de négatives, sur toutes les mentions "
        "(neutres et mitigées comprises), de −100 % à +100 %. Part de voix = mentions de "
        "la marque / mentions de toutes les marques choisies.",
        "en": "Net sentiment = % positive − % negative over all mentions (neutral and mixed "
        "included), from −100% to +100%. Share of voice = the brand's mentions / mentions "
        "of all chosen brands.",
    },
    "barometer.include_official": {
        "fr": "Inclure les comptes officiels",
        "en": "Include official accounts",
    },
    "barometer.official_note": {
        "fr": "Attention : les messages des comptes officiels des marques sont inclus.",
        "en": "Note: posts by the brands' official accounts are included.",
    },
    "barometer.delta_note": {
        "fr": "Évolution par rapport à la période précédente de même durée.",
        "en": "Change against the previous period of the same length.",
    },
    "barometer.points": {"fr": "{n} pts", "en": "{n} pts"},
    "barometer.see_mentions": {"fr": "Voir les mentions", "en": "See the mentions"},
    "barometer.breakdowns": {"fr": "Répartitions", "en": "Breakdowns"},
    "dimension.kind": {"fr": "Canal", "en": "Channel"},
    "dimension.source_id": {"fr": "Source", "en": "Source"},
    "dimension.aspect": {"fr": "Thème", "en": "Aspect"},
    "dimension.lang": {"fr": "Langue", "en": "Language"},
    "barometer.row_hint": {
        "fr": "Cliquez une ligne pour voir ses mentions plus bas.",
        "en": "Click a row to see its mentions below.",
    },
    "barometer.drill": {
        "fr": "Mentions derrière les chiffres",
        "en": "Mentions behind the figures",
    },
    "barometer.drill_hint": {
        "fr": "Choisissez « Voir les mentions » sur une marque ou une ligne d'une répartition.",
        "en": 'Choose "See the mentions" on a brand or a row of a breakdown.',
    },
    "barometer.drill_scope": {"fr": "{brand}{cell}", "en": "{brand}{cell}"},
    "barometer.all": {"fr": "Tous", "en": "All"},
    "barometer.export": {"fr": "Exporter", "en": "Export"},
    "barometer.previous": {"fr": "Période précédente", "en": "Previous period"},
    "barometer.csv": {"fr": "Chiffres (CSV)", "en": "Figures (CSV)"},
    "barometer.prepare_pdf": {"fr": "Préparer le rapport PDF", "en": "Prepare the PDF report"},
    "barometer.prepare_png": {"fr": "Préparer le rapport PNG", "en": "Prepare the PNG report"},
    "barometer.download_pdf": {"fr": "Télécharger le PDF", "en": "Download the PDF"},
    "barometer.download_png": {"fr": "Télécharger le PNG", "en": "Download the PNG"},
    "sentiment.positive": {"fr": "Positif", "en": "Positive"},
    "sentiment.neutral": {"fr": "Neutre", "en": "Neutral"},
    "sentiment.negative": {"fr": "Négatif", "en": "Negative"},
    "sentiment.mixed": {"fr": "Mitigé", "en": "Mixed"},
    # alerts: triage
    "alerts.severities": {"fr": "Gravités", "en": "Severities"},
    "alerts.sla": {
        "fr": "SLA : {share} % traitées dans les délais ({within} sur {counted}) · {breaches} "
        "en retard non prises en charge",
        "en": "SLA: {share}% handled in time ({within} of {counted}) · {breaches} overdue "
        "and not taken",
    },
    "alerts.assignee": {"fr": "Assignée à {who}", "en": "Assigned to {who}"},
    "alerts.history": {"fr": "Historique et notes", "en": "History and notes"},
    "alerts.no_history": {"fr": "Aucun événement.", "en": "No events."},
    "alerts.note": {"fr": "Note (facultative)", "en": "Note (optional)"},
    "alerts.assign_to": {"fr": "Assigner à", "en": "Assign to"},
    "action.acknowledge": {"fr": "Prendre en charge", "en": "Acknowledge"},
    "action.assign": {"fr": "Assigner", "en": "Assign"},
    "action.resolve": {"fr": "Résoudre", "en": "Resolve"},
    "action.dismiss": {"fr": "Écarter", "en": "Dismiss"},
    "action.note": {"fr": "Ajouter la note", "en": "Add the note"},
    "action.done.acknowledge": {"fr": "Alerte prise en charge.", "en": "Alert acknowledged."},
    "action.done.assign": {"fr": "Alerte assignée.", "en": "Alert assigned."},
    "action.done.resolve": {"fr": "Alerte résolue.", "en": "Alert resolved."},
    "action.done.dismiss": {"fr": "Alerte écartée.", "en": "Alert dismissed."},
    "action.done.note": {"fr": "Note ajoutée.", "en": "Note added."},
    "action.refused.acknowledge": {
        "fr": "Seule une alerte nouvelle peut être prise en charge.",
        "en": "Only a new alert can be acknowledged.",
    },
    "action.refused.assign": {
        "fr": "Indiquez à qui assigner une alerte ouverte.",
        "en": "Say who gets the alert (open alerts only).",
    },
    "action.refused.resolve": {
        "fr": "Cette alerte est déjà clôturée.",
        "en": "This alert is already closed.",
    },
    "action.refused.dismiss": {
        "fr": "Cette alerte est déjà clôturée.",
        "en": "This alert is already closed.",
    },
    "action.refused.note": {"fr": "La note est vide.", "en": "The note is empty."},
    "event.created": {"fr": "créée", "en": "created"},
    "event.evidence": {"fr": "nouvelles mentions", "en": "new mentions"},
    "event.acknowledged": {"fr": "prise en charge", "en": "acknowledged"},
    "event.assigned": {"fr": "assignée", "en": "assigned"},
    "event.resolved": {"fr": "résolue", "en": "resolved"},
    "event.dismissed": {"fr": "écartée", "en": "dismissed"},
    "event.note": {"fr": "note", "en": "note"},
    # mentions page
    "mentions.title": {"fr": "Mentions", "en": "Mentions"},
    "mentions.scope": {
        "fr": "Marques et période : celles du panneau latéral.",
        "en": "Brands and period: those of the sidebar.",
    },
    "mentions.search": {"fr": "Recherche plein texte", "en": "Full-text search"},
    "mentions.syntax": {
        "fr": 'Mots (sans accents possibles), "expression exacte", OR, NOT, préfixe*.',
        "en": 'Words (accents optional), "exact phrase", OR, NOT, prefix*.',
    },
    "mentions.bad_query": {
        "fr": "Recherche incomprise : vérifiez les guillemets, parenthèses et opérateurs "
        "(OR, NOT, AND s'écrivent entre deux mots).",
        "en": "Search not understood: check quotes, parentheses and operators (OR, NOT, "
        "AND go between two words).",
    },
    "mentions.sentiment": {"fr": "Sentiment", "en": "Sentiment"},
    "mentions.aspect": {"fr": "Thème", "en": "Aspect"},
    "mentions.source": {"fr": "Source", "en": "Source"},
    "mentions.lang": {"fr": "Langue", "en": "Language"},
    "mentions.include_official": {
        "fr": "Inclure les comptes officiels",
        "en": "Include official accounts",
    },
    "mentions.page": {"fr": "Page", "en": "Page"},
    "mentions.empty": {"fr": "Aucune mention trouvée.", "en": "No mentions found."},
    "mentions.count": {"fr": "{n}{more} mention(s)", "en": "{n}{more} mention(s)"},
    "mentions.detail": {"fr": "Détail de la mention", "en": "Mention detail"},
    "mentions.gone": {"fr": "Cette mention n'est plus dans la base.", "en": "Mention gone."},
    "mentions.quoted": {"fr": "En réponse à :", "en": "Replying to:"},
    "mentions.analysis": {
        "fr": "Sentiment : {sentiment} ({model}) · marques : {brands} · thèmes : {aspects} "
        "· langue : {lang_code}",
        "en": "Sentiment: {sentiment} ({model}) · brands: {brands} · aspects: {aspects} "
        "· language: {lang_code}",
    },
    "mentions.corrected": {
        "fr": "Sentiment corrigé par une personne.",
        "en": "Sentiment corrected by a person.",
    },
    "mentions.correct": {"fr": "Corriger", "en": "Correct"},
    "mentions.model": {"fr": "Celui du modèle", "en": "The model's"},
    "mentions.save": {"fr": "Enregistrer la correction", "en": "Save the correction"},
    "mentions.saved": {"fr": "Correction enregistrée.", "en": "Correction saved."},
    "col.date": {"fr": "Date", "en": "Date"},
    "col.author": {"fr": "Auteur", "en": "Author"},
    "col.thread": {"fr": "Sujet", "en": "Thread"},
    "col.body": {"fr": "Message", "en": "Post"},
    # clients and sources pages
    "clients.title": {"fr": "Clients", "en": "Customers"},
    "clients.not_configured": {
        "fr": "Le lien avec le CRM n'est pas configuré : aucun client rapproché pour l'instant.",
        "en": "The CRM link is not configured: no matched customers yet.",
    },
    "clients.what": {
        "fr": "Une fois configuré, cette page montrera les clients rapprochés, leurs signaux "
        "sociaux et l'état de leur consentement, et les rapprochements d'identité à "
        "confirmer.",
        "en": "Once configured, this page shows matched customers, their social signals "
        "and consent state, and identity matches waiting for confirmation.",
    },
    "sources.title": {"fr": "Sources", "en": "Sources"},
    "sources.last": {"fr": "Dernière collecte par source", "en": "Last crawl per source"},
    "sources.volume": {"fr": "Nouveaux messages par collecte", "en": "New posts per crawl"},
    "sources.history": {"fr": "Historique des collectes", "en": "Crawl history"},
    "sources.no_runs": {"fr": "Aucune collecte pour l'instant.", "en": "No crawls yet."},
    "sources.col.source": {"fr": "Source", "en": "Source"},
    "sources.col.kind": {"fr": "Type", "en": "Kind"},
    "sources.col.every": {"fr": "Toutes les (min)", "en": "Every (min)"},
    "sources.col.last": {"fr": "Début", "en": "Started"},
    "sources.col.status": {"fr": "Statut", "en": "Status"},
    "sources.col.pages": {"fr": "Pages", "en": "Pages"},
    "sources.col.new": {"fr": "Nouveaux messages", "en": "New posts"},
    "sources.col.errors": {"fr": "Erreurs", "en": "Errors"},
    "sources.col.finished": {"fr": "Fin", "en": "Finished"},
    "sources.col.updated": {"fr": "Messages modifiés", "en": "Updated posts"},
    "sources.col.unchanged": {"fr": "Inchangés", "en": "Unchanged"},
    "sources.col.error_count": {"fr": "Nb d'erreurs", "en": "Error count"},
    "sources.col.reasons": {"fr": "Raisons", "en": "Reasons"},
    "sources.col.engine": {"fr": "Moteur", "en": "Engine"},
    "sources.col.health": {"fr": "Lecture", "en": "Reading"},
    "sources.broken": {
        "fr": "cassée : 3 collectes sans message",
        "en": "broken: 3 crawls without a post",
    },
    "sources.reading": {"fr": "lue", "en": "read"},
    "run.ok": {"fr": "OK", "en": "OK"},
    "run.running": {"fr": "en cours", "en": "running"},
    "run.failed": {"fr": "échec", "en": "failed"},
    "run.errors": {"fr": "avec erreurs", "en": "with errors"},
    "run.skipped": {"fr": "sautée", "en": "skipped"},
}

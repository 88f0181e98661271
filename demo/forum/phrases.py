# ruff: noqa: E501  (one template per line reads better than wrapped strings)
"""The demo forum's phrase bank: French (and a few English) post templates with their truth.

This module is data, not logic, so it runs past the usual 300 lines on purpose: splitting
a phrase bank by line count would only scatter the texts a reader wants to compare.

Placeholders name roles, and the role decides the ground truth: `{b}` is the topic's
brand; `{p}`, `{mon_p}`, `{la_p}` its product (bare, "ma/mon …", "la/le …"); `{o}`,
`{op}`, `{mon_op}`, `{la_op}` a competitor and its product; `{o2}` the third brand.
`{n}`, `{mbps}`, `{eur}` are numbers and `{op_name}` the topic starter's handle.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from types import MappingProxyType

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Phrase:
    """A template and its truth: overall sentiment and sentiment per brand role."""

    text: str
    sentiment: str
    # Role ("b", "o", "o2") -> sentiment; a role named in the text but missing here takes
    # the overall sentiment when that is positive or negative, else "neutral".
    targets: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))
    crisis: bool = False
    lang: str = "fr"


def P(
    text: str, sentiment: str, *, crisis: bool = False, lang: str = "fr", **targets: str
) -> Phrase:
    """Shorthand constructor keeping the tables below readable."""
    return Phrase(text, sentiment, MappingProxyType(dict(targets)), crisis, lang)


NEG, POS, NEU, MIX = "negative", "positive", "neutral", "mixed"


@dataclass(frozen=True, slots=True)
class Theme:
    """What a topic is about: its polarity, product category, titles and opening posts."""

    polarity: str  # negative / positive / neutral / crisis
    category: str  # box / mobile: which product {p} stands for
    titles: tuple[str, ...]
    openers: tuple[Phrase, ...]


# fmt: off
THEMES: dict[str, Theme] = {
    "panne": Theme(NEG, "box", (
        "Panne {p} depuis {n} jours",
        "{b} : plus d'internet depuis samedi",
        "Box qui redémarre en boucle ({p})",
        "Voyant rouge sur {la_p}, help !",
        "Internet coupé chez {b}, vous aussi ?",
    ), (
        P("Bonjour, {mon_p} est en panne depuis {n} jours, voyant rouge qui clignote. Le SAV {b} me dit d'attendre… c'est normal ?", NEG),
        P("Plus d'internet depuis samedi avec {mon_p}. J'ai tout redémarré, rien à faire. Quelqu'un a une idée ?", NEG),
        P("Coupure totale ce matin chez {b}, la box redémarre en boucle. Télétravail impossible, c'est la cata.", NEG),
        P("{n} jours sans internet ni télé avec {mon_p}. Le technicien devait passer hier, personne. Je suis à bout.", NEG),
    )),
    "debit": Theme(NEG, "box", (
        "Débit fibre catastrophique le soir avec {b}",
        "{p} : {mbps} Mb/s en fibre, normal ?",
        "Débit qui s'effondre après 20h",
        "{b} : débit divisé par 10 depuis la mise à jour",
    ), (
        P("Je paie la fibre chez {b} et j'ai {mbps} Mb/s le soir. {mbps} !!! C'est une blague ?", NEG),
        P("Débit qui s'effondre tous les soirs entre 20h et 23h avec {mon_p}. Vous avez le même souci ?", NEG),
        P("Speedtest ce soir : {mbps} Mb/s en descendant avec {la_p}, alors qu'on me vendait du 1 Gb/s. Franchement je suis dégoûté.", NEG),
    )),
    "installation": Theme(NEG, "box", (
        "Installation fibre {b} : 3 rendez-vous annulés",
        "Raccordement {p} qui traîne",
        "Technicien {b} jamais venu",
    ), (
        P("Troisième rendez-vous d'installation annulé par {b} sans prévenir. J'ai posé des jours de congé pour rien.", NEG),
        P("Ça fait {n} semaines que j'attends le raccordement de {mon_p}, à chaque appel on me donne une date différente.", NEG),
    )),
    "wifi_question": Theme(NEU, "box", (
        "Question wifi {p}",
        "Répéteur wifi avec {la_p} ?",
        "Avis sur {la_p} ?",
        "Wifi 6 sur {la_p} ?",
    ), (
        P("Bonjour, je compte prendre {la_p}, vous avez des retours ? Surtout sur le wifi à l'étage.", NEU),
        P("Est-ce que quelqu'un a réussi à brancher un répéteur wifi sur {mon_p} ? Je ne trouve pas l'option dans l'interface.", NEU),
        P("Petite question : {la_p} est compatible wifi 6 ou pas ? La fiche technique de {b} n'est pas claire.", NEU),
    )),
    "box_eloge": Theme(POS, "box", (
        "Merci {b} (ça change)",
        "Très contente de {mon_p}",
        "Retour positif installation fibre {b}",
    ), (
        P("Petit message positif pour changer : installation de {la_p} en 48h, technicien au top, débit nickel. Merci {b} !", POS),
        P("Franchement rien à redire sur {b}, 3 ans chez eux et jamais une coupure.", POS),
        P("Je viens de recevoir {la_p}, branchée en 10 minutes, wifi qui porte dans toute la maison. Super contente !", POS),
    )),
    "box_comparatif": Theme(NEU, "box", (
        "{b} ou {o} pour la fibre ?",
        "Comparatif box {b} / {o}",
        "{p} vs {op} : vos avis",
        "Passer de {o} à {b} ?",
    ), (
        P("J'hésite entre {b} et {o} pour la fibre, vous me conseillez quoi ?", NEU),
        P("Je déménage le mois prochain, {la_p} ou {la_op} ? Je regarde surtout le prix et la stabilité.", NEU),
        P("Quelqu'un a testé {la_p} et {la_op} ? J'aimerais un avis honnête, pas les pubs.", NEU),
    )),
    "reseau": Theme(NEG, "mobile", (
        "Aucun réseau avec {b} depuis ce matin",
        "5G {b} : couverture fantôme",
        "{p} : pas de 4G ni de 5G à la maison",
        "Réseau {b} en rade dans le centre-ville",
        "Une barre de réseau avec {b}, normal ?",
        "{b} : appels qui coupent sans arrêt",
    ), (
        P("Aucune 5G avec {mon_p} alors que la carte de couverture dit que c'est couvert chez moi.", NEG),
        P("Depuis ce matin plus de réseau du tout avec {b}, appels impossibles. Panne générale ?", NEG),
        P("Je capte une barre dans mon salon avec {mon_p}, en plein centre-ville. Inadmissible.", NEG),
    )),
    "prix_mobile": Theme(NEG, "mobile", (
        "Augmentation {p} : +3€ sans prévenir",
        "{b} augmente encore ses prix",
        "Hausse de prix {b} : on peut résilier ?",
    ), (
        P("Et voilà, {la_p} augmente encore de 3€ au prochain renouvellement, merci {b}…", NEG),
        P("Mail de {b} ce matin : mon forfait passe de 12,99€ à 15,99€. Pour exactement le même service. Je vais voir ailleurs.", NEG),
    )),
    "mobile_question": Theme(NEU, "mobile", (
        "Portabilité vers {b}",
        "Question sur {la_p}",
        "Combien de Go en Europe avec {b} ?",
        "eSIM avec {b} ?",
    ), (
        P("Quelqu'un sait si {b} propose la portabilité du numéro sans frais ?", NEU),
        P("Est-ce que {la_p} marche avec l'eSIM sur un iPhone ? Le conseiller ne savait pas.", NEU),
        P("Je pars en Espagne cet été, {mon_p} inclut combien de Go en Europe ?", NEU),
    )),
    "mobile_eloge": Theme(POS, "mobile", (
        "{p} : très bon rapport qualité/prix",
        "Content de mon forfait chez {b}",
    ), (
        P("Passé sur {la_p} le mois dernier, 5G partout en ville et moitié prix de mon ancien forfait. Top !", POS),
        P("Je voulais dire que le réseau {b} s'est vraiment amélioré dans ma campagne, enfin la 4G à la maison 👍", POS),
    )),
    "roaming": Theme(NEU, "mobile", (
        "Réseau sur la Côte d'Azur cet été ?",
        "Vacances à Nice : quel opérateur capte le mieux ?",
        "Couverture {b} dans le Var et les Alpes-Maritimes",
    ), (
        P("On part deux semaines sur la Côte d'Azur, est-ce que {b} capte bien vers Antibes ? Je télétravaille un peu.", NEU),
        P("Question pour ceux qui sont dans le Var : {la_p} passe bien là-bas ?", NEU),
    )),
    "sav": Theme(NEG, "box", (
        "Service client {b} injoignable",
        "SAV {b} : 45 min d'attente pour rien",
        "Comment joindre un humain chez {b} ?",
        "Rappel promis par {b}, jamais reçu",
        "{b} : le chat du SAV est un robot ?",
    ), (
        P("Impossible de joindre le service client {b}, 45 minutes d'attente puis ça raccroche. Je fais comment ?", NEG),
        P("Ça fait {n} fois que j'appelle le SAV {b}, à chaque fois on me promet un rappel qui ne vient jamais.", NEG),
        P("Le chat de {b} me répond avec un robot qui ne comprend rien. Il y a encore des humains chez eux ?", NEG),
    )),
    "facture": Theme(NEG, "mobile", (
        "Facture {b} : 2 mois prélevés d'un coup",
        "Frais inconnus sur ma facture {b}",
        "Facture {b} qui double sans raison",
    ), (
        P("{b} m'a facturé 2 mois d'un coup ce mois-ci, {eur}€ au lieu de 39€. Quelqu'un a eu ça ?", NEG),
        P("Ligne « frais de service » de 9€ sur ma facture {b}, jamais demandé. Ils se gavent.", NEG),
        P("C'est une arnaque : {b} me facture depuis 6 mois des options que je n'ai jamais demandées. Plainte déposée à la DGCCRF.", NEG, crisis=True),
    )),
    "resiliation": Theme(NEG, "box", (
        "Résilier {b} : mission impossible",
        "Frais de résiliation {b}",
        "{b} continue de prélever après résiliation",
    ), (
        P("Je veux résilier {b} mais on me demande encore {n} mois de préavis ?? Je croyais que c'était fini ça.", NEG),
        P("Résiliation envoyée il y a un mois, {b} continue de me prélever. Je suis à deux doigts de faire opposition.", NEG),
    )),
    "sc_eloge": Theme(POS, "box", (
        "Bravo au service client {b}",
        "SAV {b} au top",
    ), (
        P("Pour une fois je poste pour dire merci : le service client {b} m'a rappelé en 10 minutes et tout est réglé.", POS),
        P("Conseillère {b} adorable ce matin, geste commercial sans même que je le demande. Ça fait plaisir !", POS),
    )),
    "sc_question": Theme(NEU, "mobile", (
        "Numéro du service client {b} ?",
        "Délai de remboursement {b}",
        "Changer de RIB chez {b}",
    ), (
        P("Quelqu'un a le bon numéro pour le service résiliation de {b} ? Le 3900 me renvoie partout.", NEU),
        P("Combien de temps met {b} pour rembourser un trop-perçu ? On m'a dit 30 jours.", NEU),
    )),
    "crise": Theme("crisis", "box", (
        "ARNAQUE {b} : double prélèvement ce mois-ci !!!",
    ), (
        P("ARNAQUE {b} !!! Double prélèvement ce mois-ci, 2 x {eur}€, et le service client me raccroche au nez. Je porte plainte.", NEG, crisis=True),
    )),
}

# Which themes each sub-forum draws its topics from, with weights: a consumer forum is
# mostly complaints, with fewer questions and little praise.
SUB_FORUM_THEMES: dict[str, dict[str, int]] = {
    "box-fibre": {"panne": 4, "debit": 3, "installation": 2, "wifi_question": 2, "box_eloge": 1, "box_comparatif": 2},
    "mobile-forfaits": {"reseau": 4, "prix_mobile": 2, "mobile_question": 2, "mobile_eloge": 1, "roaming": 2, "box_comparatif": 1},
    "service-client": {"sav": 4, "facture": 3, "resiliation": 3, "sc_eloge": 1, "sc_question": 2},
}

REPLIES: dict[str, tuple[Phrase, ...]] = {
    "agree_neg": (
        P("Pareil chez moi depuis lundi 😡", NEG),
        P("Même problème ici, {b} ne répond à aucun mail.", NEG),
        P("+1, c'est la cata dans tout le quartier.", NEG),
        P("Je suis dans le même cas, 3 appels et toujours rien.", NEG),
        P("Moi c'est pareil avec {mon_p}, ça décroche toutes les heures.", NEG),
        P("Bienvenue au club… {b} c'est vraiment de pire en pire.", NEG),
        P("Idem, je suis grave déçu, je pensais que {b} c'était sérieux.", NEG),
        P("Trois semaines que ça dure chez moi. Personne chez {b} n'est capable de donner une explication.", NEG),
        P("Ah ben ça me rassure de pas être le seul, c trop nul.", NEG),
        P("Franchement {b} c'est devenu n'importe quoi, ils s'en fichent des clients.", NEG),
    ),
    "contradict_pos": (
        P("Bizarre, chez moi {la_p} marche nickel depuis 2 ans.", POS),
        P("Aucun souci de mon côté avec {b}, peut-être un problème local ?", POS),
        P("Perso très content de {b}, jamais eu de coupure. Tu devrais insister auprès du SAV.", POS),
        P("Chez moi ça marche très bien, {mbps}0 Mb/s le soir avec {mon_p}.", POS),
    ),
    "agree_pos": (
        P("Pareil, très content de {b} 👍", POS),
        P("Je confirme, {la_p} c'est du solide.", POS),
        P("Même expérience, technicien ponctuel et sympa. Comme quoi ça arrive !", POS),
        P("Oui {b} s'est nettement amélioré ces derniers mois, rien à dire.", POS),
        P("Top, ça fait plaisir de lire des retours positifs pour une fois mdr", POS),
    ),
    "contradict_neg": (
        P("Tant mieux pour toi, moi {mon_p} plante une fois par semaine.", NEG),
        P("Profite tant que ça dure, chez moi {b} c'est la galère depuis la dernière mise à jour.", NEG),
        P("Pas du tout mon expérience, le SAV {b} m'a baladé pendant un mois.", NEG),
    ),
    "advice": (
        P("Essaie de redémarrer la box et de changer le canal wifi, ça a réglé le souci chez moi.", NEU),
        P("Tu as testé en filaire ? Si c'est pareil, c'est la ligne, pas le wifi.", NEU),
        P("Il faut appeler et demander directement le service technique, le niveau 1 ne sert à rien.", NEU),
        P("Regarde sur le site de {b}, il y a une page avec les incidents en cours.", NEU),
        P("Envoie une lettre recommandée, c'est la seule chose qui les fait bouger.", NEU),
        P("Fais des captures de tes speedtests sur plusieurs jours, ça aide pour la réclamation.", NEU),
        P("Vérifie que ton forfait n'a pas basculé en mode économie de données, ça m'est arrivé.", NEU),
    ),
    "followup_q": (
        P("Tu es en fibre ou en ADSL ?", NEU),
        P("Ça fait combien de temps que tu es chez {b} ?", NEU),
        P("Tu habites dans quelle ville ? On est peut-être sur le même secteur.", NEU),
        P("C'est {la_p} dernière génération ou l'ancienne ?", NEU),
        P("Des nouvelles ? Je suis curieux de savoir comment ça se termine.", NEU),
    ),
    "switch_to_b": (
        P("Je suis passé de {o} à {b} l'an dernier, rien à voir, le débit est enfin correct.", MIX, b=POS, o=NEG),
        P("Ancien client {o}, je suis chez {b} depuis 6 mois : moins cher et beaucoup plus stable.", MIX, b=POS, o=NEG),
        P("Quitté {o} après des mois de galère, {la_p} c'est le jour et la nuit.", MIX, b=POS, o=NEG),
    ),
    "switch_from_b": (
        P("Je suis passé de {b} à {o}, meilleur choix de ma vie !", MIX, b=NEG, o=POS),
        P("Fuis {b}, va chez {o}. Je regrette pas une seconde.", MIX, b=NEG, o=POS),
        P("Résilié {b} le mois dernier, {la_op} installée en 3 jours et zéro souci depuis 👌", MIX, b=NEG, o=POS),
    ),
    "other_same": (
        P("Chez {o} c'est pas mieux hein, mêmes galères.", NEG),
        P("Si tu penses aller chez {o}, oublie : {mon_op} a planté 4 fois ce mois-ci.", NEG),
        P("{o} c'est la même chose, j'ai attendu 3 semaines un technicien.", NEG),
    ),
    "other_good": (
        P("Regarde chez {o}, ma sœur y est depuis un an et elle est contente.", POS),
        P("{la_op} fonctionne très bien chez mes parents, à voir si c'est éligible chez toi.", POS),
    ),
    "all_bad": (
        P("{b}, {o}, {o2}… ils se valent tous, des voleurs.", NEG),
        P("J'ai testé {b}, {o} et {o2} en 5 ans. Aucun n'est correct, le moins pire reste {o2} et encore.", NEG),
        P("{b} ou {o} ou {o2}, même combat : ils s'en fichent des clients une fois le contrat signé.", NEG),
    ),
    "multi_pos": (
        P("Perso j'ai {o} à la maison et {b} sur le mobile, aucun souci avec les deux.", POS),
        P("Mes parents sont chez {o}, moi chez {b}, on est contents tous les deux. Ça dépend vraiment des secteurs.", POS),
    ),
    # Traps: "azur" here is a colour or a coast, never the brand Azur Mobile.
    "trap": (
        P("Je suis en vacances sur la Côte d'Azur et je capte rien, mais bon c'est peut-être le camping 😅", NEG),
        P("Hors sujet mais quel ciel azur aujourd'hui, ça donne envie de couper internet mdr", POS),
        P("Je descends sur la Côte d'Azur la semaine prochaine, je vous dirai si ça capte mieux là-bas.", NEU),
        P("Mon fond d'écran c'est un ciel azur, comme ça je me calme quand la box plante 🙃", NEG),
    ),
    "trap_brand": (
        P("Sur la Côte d'Azur {mon_p} capte super bien, rien à dire.", POS),
        P("En vacances sur la Côte d'Azur, zéro réseau avec {mon_p}, même sur la promenade.", NEG),
        P("Le nouveau logo de {b} en bleu azur, joli, mais ça ne répare pas ma connexion.", NEG),
    ),
    "op_thanks": (
        P("Merci pour vos réponses, je vais rappeler demain.", NEU),
        P("Merci à tous, je tente le redémarrage et je vous tiens au courant.", NEU),
        P("Ok merci, je regarde ça ce soir.", NEU),
    ),
    "op_update_pos": (
        P("Edit : c'est revenu ce matin, merci à tous !", POS),
        P("Petit retour : technicien passé hier, câble changé, tout remarche. Merci {b} quand même.", POS),
    ),
    "op_update_neg": (
        P("Toujours rien aujourd'hui… je craque.", NEG),
        P("Update : {b} me propose un rendez-vous dans 10 jours. 10 jours sans internet. Sérieusement ?", NEG),
        P("Je viens de recevoir un mail de {b} qui dit que le problème est résolu. Spoiler : non.", NEG),
    ),
    "official_first": (
        P("Bonjour {op_name}, nous sommes désolés pour la gêne. Envoyez-nous un MP avec votre numéro client, nous regardons ça en priorité. L'équipe {b}", NEU),
        P("Bonjour, envoyez-nous un MP avec votre numéro client et nous vérifions votre ligne. Bonne journée, l'équipe {b}", NEU),
        P("Bonjour {op_name}, un incident est en cours sur votre secteur, nos techniciens sont mobilisés. N'hésitez pas à nous écrire en MP. L'équipe {b}", NEU),
    ),
    "official_followup": (
        P("Bonjour à tous, l'incident est résolu depuis ce matin. Si le problème persiste, redémarrez la box et écrivez-nous en MP. L'équipe {b}", NEU),
        P("Nous avons bien reçu vos messages privés, chaque dossier est traité individuellement. L'équipe {b}", NEU),
    ),
    "crisis_reply": (
        P("Pareil, double prélèvement. J'ai envoyé une mise en demeure à {b} en recommandé.", NEG, crisis=True),
        P("Boycott {b} ! Partagez un max, il faut que ça se sache.", NEG, crisis=True),
        P("On devrait faire une plainte collective contre {b}, c'est de l'arnaque organisée.", NEG, crisis=True),
        P("J'ai contacté l'UFC-Que Choisir, ils ont déjà plusieurs dossiers sur {b}. Ne vous laissez pas faire.", NEG, crisis=True),
        P("Moi aussi prélevé deux fois !!! {b} = ARNAQUE. Opposition faite à la banque.", NEG, crisis=True),
        P("Plainte déposée ce matin. {b} se moque clairement de nous.", NEG, crisis=True),
        P("Mise en demeure envoyée, s'ils ne remboursent pas sous 8 jours je saisis le médiateur. Honte à {b}.", NEG, crisis=True),
        P("BOYCOTT. J'ai résilié {b} aujourd'hui, 12 ans de fidélité pour être traité comme ça.", NEG, crisis=True),
    ),
    "en_neg": (
        P("Anyone else having issues with {b}? My connection drops every evening.", NEG, lang="en"),
        P("Customer service at {b} is a joke, I waited an hour on the phone for nothing.", NEG, lang="en"),
        P("Same here, {b} has been useless for weeks.", NEG, lang="en"),
    ),
    "en_pos": (
        P("Switched to {b} last month and honestly the speed is great so far.", POS, lang="en"),
        P("No problems at all with {b} on my side, works perfectly.", POS, lang="en"),
    ),
    "en_neutral": (
        P("Sorry for writing in English. Does {b} charge extra for roaming in the UK?", NEU, lang="en"),
        P("Hi, expat here. Is {b} available in Lyon? Any feedback welcome.", NEU, lang="en"),
    ),
}

# Hostile posts: markup and script as text, which a forum shows escaped. The last one is
# served raw with unclosed tags (see generator), so its text has no markup characters.
HOSTILE: tuple[Phrase, ...] = (
    P("test <script>alert('xss')</script> lol votre forum filtre rien ?", NEU),
    P("Regardez ma facture {b} : <img src=x onerror=alert(1)> c'est n'importe quoi", NEG),
    P("Promo {o} -50% ici 👉 <a href=\"javascript:alert(document.cookie)\">offre {o} -50%</a> (cliquez vite !!)", NEU),
    P("'; DROP TABLE posts; -- <iframe src=\"//evil.example/\"></iframe> bon sinon {b} toujours en panne chez moi", NEG),
)
BROKEN_MARKUP = P("Franchement {b} c'est la cata\nTrois jours sans internet, trois jours !", NEG)

GREETINGS = ("Bonjour,", "Salut à tous,", "Bonsoir,", "Hello,", "Bonjour à tous,")
CLOSERS = ("Merci d'avance !", "Merci d'avance pour vos retours.", "Bonne journée", "Des idées ?", "Bonne soirée à tous")

# Spelling as people type it, applied to a template before its brands are filled in.
SLANG: tuple[tuple[str, str], ...] = (
    ("Je suis", "Jsuis"), ("je suis", "jsuis"), ("C'est", "C"), ("c'est", "c"),
    ("très", "trop"), ("beaucoup", "bcp"), ("toujours", "tjrs"), ("Quelqu'un", "Qqn"),
    ("quelqu'un", "qqn"), ("pourquoi", "pk"), ("vraiment", "vrmt"), ("problème", "probleme"),
    ("déjà", "deja"), ("ça", "ca"), ("Ça", "Ca"),
)
EMOJI: dict[str, tuple[str, ...]] = {
    NEG: ("😡", "🤬", "😤", "🙄", "😩", "👎"),
    POS: ("👍", "😍", "🙂", "👌", "🙏"),
    NEU: ("🤔", "🙂", "😅"),
    MIX: ("🤷",),
}

# The one topic served in windows-1252: every character here must exist in that code page
# (no emoji), and the accents are the point: é è à ç œ € ’ « » …
CP1252_TITLE = "Résiliation {b} : 49 € de frais, c’est légal ?"
CP1252_POSTS: tuple[tuple[str, Phrase], ...] = (
    ("op", P("Bonjour à tous, j’ai résilié {mon_p} le 3 du mois et {b} me réclame 49 € de frais de résiliation… c’est légal ? Ça me paraît énorme, déjà que le débit était mauvais.", NEG)),
    ("r", P("Malheureusement oui, c’est écrit dans les conditions générales. Les frais de résiliation sont prévus dès la souscription.", NEU)),
    ("r", P("Pas tout à fait : après la première année d’engagement, ils n’ont pas le droit de facturer plus que les frais réels. Demande le détail.", NEU)),
    ("op", P("Merci ! J’ai envoyé un courrier recommandé, on verra bien ce qu’ils répondent.", NEU)),
    ("r", P("Chez {o} j’ai payé 0 € en résiliant, et le conseiller était très aimable. Comme quoi ça dépend des opérateurs.", POS)),
    ("r", P("{b} m’a fait le même coup l’été dernier, j’ai eu gain de cause après trois lettres. Courage, ne lâche rien !", NEG)),
    ("r", P("Conseil : garde une copie de tout, même des échanges par chat. Ça m’a sauvé face à mon ancien opérateur.", NEU)),
    ("op", P("Bonne nouvelle : {b} a reconnu l’erreur et m’a remboursé les 49 €. Le cœur léger, je passe chez {o} la semaine prochaine.", POS, b=POS, o=NEU)),
    ("r", P("Génial ! Tu vois, il faut insister. Ça m’écœure qu’on doive se battre pour ça, mais bravo.", MIX)),
    ("r", P("Pour info, la fibre {o} arrive enfin dans ma rue à Besançon, j’espère que ça se passera mieux qu’avec {b}…", NEG, b=NEG, o=NEU)),
    ("r", P("Petite précision : les 49 € sont souvent des « frais de mise en service » déguisés. Ça, c’est abusif à mon avis.", NEG)),
    ("op", P("Dernier message : tout est réglé, merci à tous pour votre aide précieuse. Je clôture le sujet.", POS)),
    ("r", P("Merci pour le retour, c’est rare de voir une histoire qui finit bien. Bonne continuation chez {o} !", POS, o=NEU)),
)

AUTHORS: tuple[str, ...] = (
    "Mathieu_75", "ptitlou", "kevin.d", "SandrineB", "Zizou13", "geekdu69", "MamieNet",
    "le_chat_noir", "Nico-Lyon", "jb_des_bois", "Fab_R", "Caro_Marseille", "Tonton_Bricole", "Juju33",
    "LaetiP", "maxou", "Seb_Nantes", "Bricoleuse", "cedric.m", "Pepito", "Val_Lille",
    "Oliv_du_92", "Nanou", "FredoFibre", "Lucie-B", "xXdarkgamerXx", "Tom_Rennes", "Manon_R",
    "papy_web", "Karim94", "Steph_06", "Amandine.L", "bzh_surfer", "Julien_T", "Ludo",
    "Mireille_Toulouse", "Yannick-34", "SophieD", "Hugo_Dijon", "RomainG", "Aurelie_M", "vincent_la_fibre",
    "Gaelle", "Benji", "chloe.v", "Patrick_57", "Elodie_B", "the_expat", "Isa_Grenoble",
    "Matt_UK_in_Paris",
)
OFFICIAL_HANDLE = "Lumio_Officiel"
# fmt: on

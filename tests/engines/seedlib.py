"""The generated French forum every engine is seeded with, and the truth it writes.

Runs inside an engine's own virtualenv (standard library only): each engine's seed
script imports it, walks `plan()` and creates the forums, topics and posts through the
engine's ORM, then calls `Truth.add` per post and `Truth.write` at the end. The plan is
deterministic, so every engine holds the same forum and the figures compare.

What the plan covers, as a forum nobody here wrote would show it: four sub-forums, one
of them with more topics than a topic-list page holds, one thread running over several
pages, quotes of earlier posts and quotes of quotes, edited posts, signatures, emoji,
hostile markup written as text (which the engine must escape), and dates from two years
ago down to a few minutes ago, so the engine prints both absolute and relative forms.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

FORUMS = (
    ("Box internet", "Pannes, débits et installation des box"),
    ("Mobile et forfaits", "Réseau mobile, forfaits et portabilité"),
    ("Service client", "Vos échanges avec les conseillers"),
    ("Factures et résiliation", "Frais, remboursements et résiliations"),
)
# Topics per forum: the first one holds more than a topic-list page of any engine here.
TOPICS_PER_FORUM = (32, 4, 3, 3)
# (forum, topic) of the long thread and its number of posts: several topic pages.
LONG_THREAD = (1, 0, 41)
AUTHORS = ("gege", "Camille_R", "nico.b", "Sandrine", "jp_duval", "Yasmine", "Lulu83", "Fred")
BRANDS = ("Lumio", "Azur Mobile", "Telvia")
SUBJECTS = (
    "Coupure de la box depuis ce matin",
    "Débit fibre divisé par deux",
    "Portabilité du numéro : combien de temps ?",
    "Conseiller injoignable depuis une semaine",
    "Frais de résiliation injustifiés",
    "Décodeur TV qui redémarre en boucle",
    "Remboursement jamais reçu",
    "Réseau 5G absent en centre-ville",
)
SENTENCES = (
    "Depuis hier soir la connexion {brand} coupe toutes les dix minutes.",
    "J'ai appelé le service client de {brand}, trois quarts d'heure d'attente.",
    "Le technicien {brand} est passé, il a changé le boîtier et ça marche enfin.",
    "Franchement {brand} c'est le jour et la nuit avec mon ancien opérateur 👍",
    "On m'a facturé 49 € de frais alors que j'ai résilié dans les délais.",
    "Le débit annoncé par {brand} est de 1 Gb/s, j'en mesure à peine 300.",
    "Même souci chez moi, le voyant clignote en rouge 😡",
    "Merci pour l'astuce, le redémarrage complet a réglé le problème !",
    "Quelqu'un sait si {brand} rembourse les jours sans service ?",
    "La portabilité vers {brand} a pris 48 heures, rien à redire.",
    "Réponse type du support : « nous faisons le nécessaire ». Super…",
    "Ça fait trois semaines que j'attends un geste commercial de {brand}.",
)
# Written by a user as text: an engine that escapes it shows exactly these characters.
HOSTILE = (
    "<script>alert('xss')</script> testé sur le forum, rien ne se passe",
    'Regardez <img src=x onerror="alert(1)"> cette capture',
    "Lien bizarre : <a href=\"javascript:alert('pwn')\">clique ici</a>",
)
SIGNATURE = "Abonné {brand} depuis 2019 — box fibre, forfait 100 Go"


@dataclass
class PlannedPost:
    """One post to create: who, when, what, which earlier post it quotes."""

    author: str
    text: str
    created: datetime
    quotes: int | None = None  # index of the quoted post in the same topic
    edited: bool = False
    signature: str = ""


@dataclass
class PlannedTopic:
    """One topic: its subject and its posts, oldest first."""

    subject: str
    posts: list[PlannedPost]


@dataclass
class PlannedForum:
    """One sub-forum and its topics."""

    name: str
    description: str
    topics: list[PlannedTopic]


def _date(rng: random.Random, now: datetime, index: int) -> datetime:
    # A spread of ages: minutes, hours, yesterday, weeks, two years; whole seconds,
    # since no engine shows fractions.
    ages = (
        timedelta(minutes=rng.randint(5, 50)),
        timedelta(hours=rng.randint(2, 20)),
        timedelta(days=1, hours=rng.randint(0, 10)),
        timedelta(days=rng.randint(3, 40)),
        timedelta(days=rng.randint(200, 800)),
    )
    return (now - ages[index % len(ages)]).replace(microsecond=0)


def _text(rng: random.Random, n: int) -> str:
    lines = []
    for _ in range(rng.randint(1, 3)):
        brand = BRANDS[rng.randrange(len(BRANDS))]
        lines.append(SENTENCES[rng.randrange(len(SENTENCES))].format(brand=brand))
    if n % 9 == 4:
        lines.append(HOSTILE[(n // 9) % len(HOSTILE)])
    return "\n\n".join(lines)


def plan(now: datetime | None = None, seed: int = 11) -> list[PlannedForum]:
    """The whole forum to create, deterministic for one seed (dates relative to `now`)."""
    now = now or datetime.now(UTC)
    rng = random.Random(seed)
    forums: list[PlannedForum] = []
    counter = 0
    for f, ((name, description), n_topics) in enumerate(zip(FORUMS, TOPICS_PER_FORUM, strict=True)):
        topics = []
        for t in range(n_topics):
            n_posts = LONG_THREAD[2] if (f, t) == LONG_THREAD[:2] else 1 + (counter % 4)
            start = _date(rng, now, counter)
            posts: list[PlannedPost] = []
            for p in range(n_posts):
                counter += 1
                # Posts of a topic are spaced out after its start, never in the future.
                created = min(start + timedelta(minutes=7 * p), now - timedelta(minutes=1))
                author = AUTHORS[(counter + p) % len(AUTHORS)]
                quotes = None
                if p >= 1 and counter % 3 == 0:
                    quotes = p - 1 if counter % 2 else rng.randrange(p)
                posts.append(
                    PlannedPost(
                        author=author,
                        text=_text(rng, counter),
                        created=created.replace(microsecond=0),
                        quotes=quotes,
                        edited=counter % 7 == 0,
                        signature=SIGNATURE.format(brand=BRANDS[counter % 3])
                        if AUTHORS.index(author) % 2 == 0
                        else "",
                    )
                )
            subject = f"{SUBJECTS[(f + t) % len(SUBJECTS)]} ({name.split()[0]} #{t + 1})"
            topics.append(PlannedTopic(subject, posts))
        forums.append(PlannedForum(name, description, topics))
    return forums


def edited_text(text: str) -> str:
    """What an edited post says after its edit."""
    return text + "\n\nEDIT : problème résolu après redémarrage."


def final_text(post: PlannedPost) -> str:
    """The post's own text as shown (after its edit, when it was edited)."""
    return edited_text(post.text) if post.edited else post.text


def contents(
    topic: PlannedTopic, quote: Callable[[PlannedPost, str], str]
) -> Iterator[tuple[int, PlannedPost, str, str | None]]:
    """Each post of a topic with the content to store and the text it quotes, if any.

    `quote(quoted_post, quoted_content)` writes a quote in the engine's own markup; a quote
    of a post that quoted another nests that quote, as the engine's quote button does.
    """
    stored: list[str] = []
    for index, planned in enumerate(topic.posts):
        content, quoted_text = final_text(planned), None
        if planned.quotes is not None:
            source = topic.posts[planned.quotes]
            quoted_text = final_text(source)
            content = quote(source, stored[planned.quotes]) + "\n\n" + content
        stored.append(content)
        yield index, planned, content, quoted_text


@dataclass
class TruthPost:
    """What Veille should store for one post."""

    id: str
    author: str
    body: str
    quotes: list[str]
    published_at: str
    thread_title: str
    thread_url: str
    reply_to: str | None = None


@dataclass
class Truth:
    """The seed's truth: every post created, written as JSON for the test to compare."""

    engine: str
    version: str
    # How the engine shows a user's text (e.g. what its safe mode makes of markup).
    shown: Callable[[str], str] = field(default=lambda text: text)
    posts: list[TruthPost] = field(default_factory=list)

    def add(
        self,
        post_id: object,
        planned: PlannedPost,
        topic: PlannedTopic,
        thread_url: str,
        quoted_text: str | None = None,
        reply_to: object | None = None,
    ) -> None:
        """Record one created post (its `thread_url` relative to the site's root)."""
        self.posts.append(
            TruthPost(
                id=str(post_id),
                author=planned.author,
                body=self.shown(final_text(planned)),
                quotes=[self.shown(quoted_text)] if quoted_text else [],
                published_at=planned.created.astimezone(UTC).isoformat(),
                thread_title=topic.subject,
                thread_url=thread_url,
                reply_to=str(reply_to) if reply_to is not None else None,
            )
        )

    def write(self, path: str | Path) -> None:
        """Write the truth as JSON."""
        data = {"engine": self.engine, "version": self.version}
        data["posts"] = [asdict(p) for p in self.posts]  # type: ignore[assignment]
        Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")

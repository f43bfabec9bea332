"""Realistic made-up shoppers for `comptoir demo` and the benchmarks in bench/.

Deterministic for a given seed, so a benchmark run can be repeated on the same data. The
figures follow what small shops see: most contacts never buy, buyers mostly buy once or
twice, spend is log-normal with a long tail.
"""

import datetime as dt
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

FIRST_NAMES = (
    "Camille Léa Manon Chloé Inès Zoé Jade Louise Emma Alice Lina Rose Anna Mila Julia Lucie "
    "Élodie Céline Nathalie Sophie Isabelle Hélène Margaux Anaïs Clémence Agathe Maëlle "
    "Louis Gabriel Léo Raphaël Arthur Hugo Jules Adam Lucas Nathan Théo Noah Tom Paul Ethan "
    "Mathis Sacha Nicolas Julien Thomas Antoine Mehdi Karim Yanis Rayan Benoît François Éric "
    "Olivia Amelia Grace Oliver Jack Harry George Charlotte Sofia Mateo Lucía Giulia Marco"
).split()
LAST_NAMES = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefèvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Lefebvre "
    "Mercier Dupont Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc "
    "Guérin Muller Henry Roussel Nicolas Perrin Morin Mathieu Clément Gauthier Dumont Lopez "
    "Fontaine Chevalier Robin Masson Sanchez Gérard Nguyen Boyer Denis Lemaire Duval Joly "
    "Smith Jones Brown Taylor Wilson Rossi Ferrari Fernández Haddad Benali Diallo Kowalski"
).split()
COMPANIES = (
    "Boulangerie du Coin",
    "Atelier Lumière",
    "Café des Arts",
    "Studio Brume",
    "Les Jardins de Marie",
    "Cabinet Morel",
    "Hôtel du Parc",
    "Librairie Racine",
)
DOMAINS = (
    "gmail.com",
    "gmail.com",
    "gmail.com",
    "yahoo.fr",
    "hotmail.fr",
    "orange.fr",
    "free.fr",
    "outlook.com",
    "laposte.net",
    "icloud.com",
    "sfr.fr",
    "wanadoo.fr",
    "proton.me",
)
CITIES = (
    ("Paris", "75011"),
    ("Paris", "75018"),
    ("Lyon", "69003"),
    ("Marseille", "13006"),
    ("Toulouse", "31000"),
    ("Nantes", "44000"),
    ("Lille", "59000"),
    ("Bordeaux", "33000"),
    ("Strasbourg", "67000"),
    ("Rennes", "35000"),
    ("Montpellier", "34000"),
    ("Nice", "06000"),
)
STREETS = (
    "rue de la République",
    "avenue Jean Jaurès",
    "rue Victor Hugo",
    "boulevard Voltaire",
    "rue du Moulin",
    "place de l'Église",
    "rue des Lilas",
    "chemin des Vignes",
)
TAG_WORDS = (
    "vip",
    "fidèle",
    "bio",
    "fromage",
    "vin",
    "épicerie fine",
    "cadeaux",
    "noël",
    "newsletter",
    "marché",
    "pro",
    "traiteur",
    "click & collect",
    "livraison",
    "allergie gluten",
    "végétarien",
    "parrainage",
    "salon 2025",
    "instagram",
    "ancien client",
)
NOTES = (
    "Préfère être livrée le samedi matin.",
    "A demandé une facture au nom de son entreprise.",
    "Allergique aux fruits à coque, le signaler au traiteur.",
    "Vient au marché du dimanche, stand près de la fontaine.",
    "Intéressé par les paniers cadeaux pour son comité d’entreprise.",
    "Client depuis l’ouverture, connaît toute l’équipe.",
    "Souhaite être prévenue à l’arrivée du comté 24 mois.",
)
SOURCES = (
    ("order", 45),
    ("manual", 8),
    ("signup_page", 12),
    ("qr_code", 10),
    ("widget", 5),
    ("contact_form", 3),
    ("import", 12),
    ("pos", 4),
    ("api", 1),
)
CONSENTS = (("subscribed", 42), ("not_subscribed", 40), ("unsubscribed", 15), ("pending", 3))


def ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass
class Person:
    first_name: str
    last_name: str
    email: str
    phone: str
    company: str
    source: str
    consent: str
    has_account: bool
    created_at: dt.datetime
    order_count: int
    total_spent: Decimal
    last_order_at: dt.datetime | None
    customer_since: dt.datetime | None
    city: str
    postal_code: str
    street: str
    tags: list[str] = field(default_factory=list)
    note: str | None = None

    @property
    def average_order_value(self) -> Decimal:
        if not self.order_count:
            return Decimal("0.00")
        return (self.total_spent / self.order_count).quantize(Decimal("0.01"))


def tag_names(count: int) -> list[str]:
    """`count` distinct, realistic tag names (words first, then numbered variants)."""
    names = list(TAG_WORDS[:count])
    serial = 1
    while len(names) < count:
        names.append(f"{TAG_WORDS[serial % len(TAG_WORDS)]} {serial // len(TAG_WORDS) + 1}")
        serial += 1
    return names[:count]


def people(
    count: int,
    *,
    seed: int = 2026,
    tags: int = 20,
    now: dt.datetime | None = None,
    note_ratio: float = 0.05,
) -> Iterator[Person]:
    """`count` people with unique e-mail addresses (numbered when names collide)."""
    rng = random.Random(seed)
    now = now or dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    tag_pool = tag_names(tags)
    # Zipf-like: a few tags are on many contacts, most on a few.
    tag_weights = [1 / (rank + 1) for rank in range(len(tag_pool))]
    sources, source_weights = zip(*SOURCES, strict=True)
    consents, consent_weights = zip(*CONSENTS, strict=True)
    for serial in range(count):
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        local = f"{ascii_fold(first)}.{ascii_fold(last)}".lower().replace(" ", "")
        email = f"{local}{serial}@{rng.choice(DOMAINS)}"
        created = now - dt.timedelta(days=rng.uniform(0, 4 * 365))
        buys = rng.random() < 0.55
        order_count = 0
        total = Decimal("0.00")
        last_order = since = None
        if buys:
            order_count = 1 + int(rng.expovariate(0.6))
            per_order = rng.lognormvariate(3.8, 0.6)  # median ≈ 45 €
            total = Decimal(str(round(per_order * order_count, 2))).quantize(Decimal("0.01"))
            since = min(created + dt.timedelta(days=rng.uniform(0, 30)), now)
            last_order = since + (now - since) * rng.random() if order_count > 1 else since
        city, postal_code = rng.choice(CITIES)
        chosen_tags = []
        if tag_pool and rng.random() < 0.6:
            chosen_tags = sorted(set(rng.choices(tag_pool, tag_weights, k=rng.randint(1, 3))))
        yield Person(
            first_name=first,
            last_name=last,
            email=email,
            phone=f"+336{rng.randrange(10**8):08d}" if rng.random() < 0.7 else "",
            company=rng.choice(COMPANIES) if rng.random() < 0.08 else "",
            source="order"
            if buys and rng.random() < 0.7
            else rng.choices(sources, source_weights)[0],
            consent=rng.choices(consents, consent_weights)[0],
            has_account=buys and rng.random() < 0.4,
            created_at=created,
            order_count=order_count,
            total_spent=total,
            last_order_at=last_order,
            customer_since=since,
            city=city,
            postal_code=postal_code,
            street=f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
            tags=chosen_tags,
            note=rng.choice(NOTES) if rng.random() < note_ratio else None,
        )

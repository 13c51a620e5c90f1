"""A synthetic archive of any size, for scale tests and benchmarks.

:func:`generate` fills the database with documents, persons, states, events,
places and sources, with every kind of row around them (name forms,
parties, signatories, provisions, links, positions, participants,
citations), in proportions set by :func:`shape`: per 100,000 documents,
30,000 persons, 200 states, 50,000 events, 5,000 places and 20 sources.
Names come from small word lists rendered in five languages (Polish,
Russian in Cyrillic, English, German, French), so the search's folding of
case, accents, punctuation, scripts and transliterations has work to do.
Dates are EDTF strings of every form the archive supports, mostly between
1800 and 1990. The same seed always gives the same archive.

What the archive derives on an ordinary save is derived here too, from the
same code: date bounds from :func:`archive.dates.parse`, ``name_text`` and
``search_text`` from :meth:`Record.compute_search_texts`, and one "created"
version per row, with the reason "Generated (seed N)".

Speed: through Django's ``bulk_create`` a row took 40–150 µs here (SQLite)
and its version, through simple-history's ``bulk_history_create``,
130–220 µs, nearly all of it the ORM's per-field work in Python: well over
four minutes for the 2.6 million rows and versions of 100,000 documents.
So rows and versions are written straight into their tables
(``executemany`` on SQLite, ``COPY`` on PostgreSQL), the columns and
defaults taken from the models' metadata and every value that is not a
number or text prepared by its field, as the ORM would (:class:`_Table`).
Ids are assigned here, so rows refer to records without reading ids back.
Dates come from pools of a few thousand distinct strings per kind of date,
because parsing one EDTF string takes 1–3 ms. No signals are sent: what
their handlers do is done here, the data version advanced too
(:func:`archive.data_version.bump`, in the same transaction), so that no
cached API response outlives the generation.
"""

from __future__ import annotations

import bisect
import calendar
import contextlib
import datetime
import decimal
import functools
import itertools
import random
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from archive import bulk, data_version, dates
from archive.date_queries import set_bounds
from archive.models import (
    RECORD_MODELS,
    Document,
    DocumentCitation,
    DocumentKind,
    DocumentLink,
    DocumentParty,
    DocumentRelation,
    DocumentSignatory,
    Event,
    EventCitation,
    EventDocument,
    EventKind,
    EventParticipant,
    EventState,
    NameForm,
    Person,
    PersonCitation,
    PersonName,
    Place,
    PlaceCitation,
    PlaceName,
    Position,
    Provision,
    Source,
    State,
    StateCitation,
    StateName,
)

REASON = "Generated (seed {seed})"

# Every model the generator fills, parents before the rows that point to them.
MODELS: tuple[type[models.Model], ...] = (
    Source,
    State,
    StateName,
    StateCitation,
    Place,
    PlaceName,
    PlaceCitation,
    Person,
    PersonName,
    PersonCitation,
    Position,
    Document,
    DocumentCitation,
    Provision,
    DocumentParty,
    DocumentSignatory,
    DocumentLink,
    Event,
    EventCitation,
    EventParticipant,
    EventState,
    EventDocument,
)

# --- shape -------------------------------------------------------------------

PER_100K_DOCUMENTS = {
    "persons": 30_000,
    "states": 200,
    "events": 50_000,
    "places": 5_000,
    "sources": 20,
}
# Enough of each for every relation to have distinct rows to choose from.
MINIMUMS = {"persons": 20, "states": 8, "events": 10, "places": 10, "sources": 5}


@dataclass(frozen=True)
class Shape:
    """How many records of each type an archive of ``documents`` documents has."""

    documents: int
    persons: int
    states: int
    events: int
    places: int
    sources: int

    @property
    def records(self) -> int:
        return (
            self.documents + self.persons + self.states + self.events + self.places + self.sources
        )


def shape(documents: int) -> Shape:
    """The record counts for ``documents`` documents: linear, with minimums."""
    if documents < 1:
        raise ValueError("An archive needs one document at least.")
    counts = {
        name: max(MINIMUMS[name], round(per * documents / 100_000))
        for name, per in PER_100K_DOCUMENTS.items()
    }
    return Shape(documents=documents, **counts)


# --- the result ----------------------------------------------------------------


@dataclass
class Result:
    """What :func:`generate` wrote: rows and versions per model, and how long it took."""

    seed: int
    shape: Shape
    rows: dict[type[models.Model], int] = field(default_factory=dict)
    versions: dict[type[models.Model], int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def total_versions(self) -> int:
        return sum(self.versions.values())


# progress(phase, done, total, seconds since the start)
Progress = Callable[[str, int, int, float], None]


# --- word lists ----------------------------------------------------------------

# Given names: Polish, Russian, English, German, French.
GIVEN_NAMES = (
    ("Władysław", "Владислав", "Vladislav", "Ladislaus", "Ladislas"),
    ("Stanisław", "Станислав", "Stanislav", "Stanislaus", "Stanislas"),
    ("Józef", "Иосиф", "Joseph", "Josef", "Joseph"),
    ("Kazimierz", "Казимир", "Casimir", "Kasimir", "Casimir"),
    ("Mikołaj", "Николай", "Nikolai", "Nikolaus", "Nicolas"),
    ("Aleksander", "Александр", "Alexander", "Alexander", "Alexandre"),
    ("Michał", "Михаил", "Mikhail", "Michael", "Michel"),
    ("Piotr", "Пётр", "Pyotr", "Peter", "Pierre"),
    ("Paweł", "Павел", "Pavel", "Paul", "Paul"),
    ("Andrzej", "Андрей", "Andrei", "Andreas", "André"),
    ("Jerzy", "Георгий", "Georgy", "Georg", "Georges"),
    ("Jakub", "Яков", "Yakov", "Jakob", "Jacques"),
    ("Grzegorz", "Григорий", "Grigory", "Gregor", "Grégoire"),
    ("Teodor", "Фёдор", "Fyodor", "Theodor", "Théodore"),
    ("Stefan", "Степан", "Stepan", "Stephan", "Étienne"),
    ("Wincenty", "Викентий", "Vikenty", "Vinzenz", "Vincent"),
    ("Lew", "Лев", "Lev", "Leo", "Léon"),
    ("Borys", "Борис", "Boris", "Boris", "Boris"),
    ("Dymitr", "Дмитрий", "Dmitry", "Dmitri", "Dimitri"),
    ("Iwan", "Иван", "Ivan", "Iwan", "Ivan"),
    ("Zofia", "Софья", "Sofya", "Sophie", "Sophie"),
    ("Katarzyna", "Екатерина", "Yekaterina", "Katharina", "Catherine"),
    ("Helena", "Елена", "Yelena", "Helene", "Hélène"),
    ("Anna", "Анна", "Anna", "Anna", "Anne"),
    ("Maria", "Мария", "Mariya", "Maria", "Marie"),
    ("Jadwiga", "Ядвига", "Yadviga", "Hedwig", "Edwige"),
    ("Elżbieta", "Елизавета", "Yelizaveta", "Elisabeth", "Élisabeth"),
    ("Wanda", "Ванда", "Vanda", "Wanda", "Wanda"),
)
LANGUAGES = ("pl", "ru", "en", "de", "fr")
# Surnames are a stem and an ending, in Polish spelling, rendered per language.
SURNAME_STEMS = (
    "Sikor", "Maj", "Kowal", "Now", "Wiśniew", "Dąbrow", "Lewandow", "Zieliń", "Szymań",
    "Woźni", "Kozłow", "Jankow", "Mazur", "Krawcz", "Piotrow", "Grabow", "Pawłow", "Michal",
    "Król", "Wieczor", "Jabłoń", "Wróbl", "Żuraw", "Czarn", "Szyszk", "Bohusz", "Zając",
    "Sobolew", "Orzech", "Gołęb", "Kamiń", "Lis", "Wilcz", "Baran", "Rybak", "Sokoł",
    "Borow", "Chmiel", "Szczepań", "Ostrow",
)  # fmt: skip
SURNAME_ENDINGS = ("ski", "cki", "ow", "ewicz", "czyk", "ak", "in")
PERSON_LANGUAGE_WEIGHTS = (45, 30, 5, 10, 10)  # pl, ru, en, de, fr

# Regions (English, Polish) and how states and places are named after them.
REGIONS = (
    ("Volhynia", "Wołyń"), ("Silesia", "Śląsk"), ("Pomerania", "Pomorze"),
    ("Masovia", "Mazowsze"), ("Galicia", "Galicja"), ("Lusatia", "Łużyce"),
    ("Courland", "Kurlandia"), ("Livonia", "Inflanty"), ("Podolia", "Podole"),
    ("Bessarabia", "Besarabia"), ("Bukovina", "Bukowina"), ("Ruthenia", "Ruś"),
    ("Samogitia", "Żmudź"), ("Moravia", "Morawy"), ("Bohemia", "Czechy"),
    ("Transylvania", "Siedmiogród"), ("Dobruja", "Dobrudża"), ("Carinthia", "Karyntia"),
    ("Carniola", "Kraina"), ("Styria", "Styria"), ("Tyrol", "Tyrol"), ("Saxony", "Saksonia"),
    ("Bavaria", "Bawaria"), ("Swabia", "Szwabia"), ("Franconia", "Frankonia"),
    ("Westphalia", "Westfalia"), ("Lorraine", "Lotaryngia"), ("Burgundy", "Burgundia"),
    ("Savoy", "Sabaudia"), ("Piedmont", "Piemont"), ("Lombardy", "Lombardia"),
    ("Dalmatia", "Dalmacja"), ("Slavonia", "Sławonia"), ("Wallachia", "Wołoszczyzna"),
    ("Moldavia", "Mołdawia"), ("Crimea", "Krym"), ("Cuyavia", "Kujawy"), ("Warmia", "Warmia"),
    ("Lithuania", "Litwa"), ("Podlachia", "Podlasie"), ("Polesia", "Polesie"),
    ("Zaporozhia", "Zaporoże"),
)  # fmt: skip
QUALIFIERS = (
    ("", ""), ("Upper ", "Górny "), ("Lower ", "Dolny "), ("Greater ", "Wielki "),
    ("New ", "Nowy "), ("East ", "Wschodni "), ("West ", "Zachodni "),
)  # fmt: skip
STATE_FORMS = (
    "Kingdom of {}", "Republic of {}", "Grand Duchy of {}", "Principality of {}",
    "Empire of {}", "People's Republic of {}", "Free State of {}", "Federation of {}",
    "Duchy of {}",
)  # fmt: skip
PLACE_ADJECTIVES = (
    "Biała", "Czarna", "Zielona", "Stara", "Nowa", "Wysoka", "Głęboka", "Krzywa", "Sucha",
    "Mokra", "Kamienna", "Dębowa", "Lipowa", "Brzozowa", "Sosnowa", "Wielka", "Mała", "Złota",
    "Srebrna", "Żelazna",
)  # fmt: skip
PLACE_NOUNS = ("Góra", "Wola", "Wieś", "Łąka", "Rzeka", "Polana", "Dolina", "Przystań")
PLACE_ROOTS = (
    "Krak", "Lubl", "Wilk", "Gniezn", "Tor", "Płock", "Sand", "Radom", "Kalisz", "Zamość",
    "Brześć", "Pińsk", "Grodn", "Równ", "Łuck", "Tarnop", "Stanisław", "Kołomyj", "Drohob",
    "Sambor",
)  # fmt: skip
PLACE_SUFFIXES = ("ów", "ice", "owo", "sk", "in", "iec")

DOCUMENT_KINDS = (
    (DocumentKind.TREATY, "Treaty", 20),
    (DocumentKind.AGREEMENT, "Agreement", 25),
    (DocumentKind.PACT, "Pact", 5),
    (DocumentKind.PROTOCOL, "Protocol", 15),
    (DocumentKind.DECREE, "Decree", 10),
    (DocumentKind.DECLARATION, "Declaration", 10),
    (DocumentKind.LETTER, "Letter", 5),
    (DocumentKind.MEMORANDUM, "Memorandum", 7),
    (DocumentKind.OTHER, "Note", 3),
)
SUBJECTS = (
    "Friendship", "Non-Aggression", "Mutual Assistance", "Trade and Navigation", "Frontiers",
    "Prisoners of War", "Amnesty", "Railways", "Fisheries", "Consular Relations", "Reparations",
    "Demarcation", "Minorities", "Armistice", "Extradition", "Cultural Co-operation",
    "Military Co-operation", "Repatriation", "Transit", "Credit", "Neutrality", "Peace",
    "Alliance", "Posts and Telegraphs",
)  # fmt: skip
VERBS = ("agree to", "undertake to", "resolve to", "consent to", "shall", "may")
OBJECTS = (
    "restore diplomatic relations", "exchange prisoners of war",
    "fix the frontier along the river", "form a joint commission",
    "renounce all territorial claims", "grant an amnesty to interned citizens",
    "open consular posts", "reduce the duties on grain", "settle outstanding debts",
    "withdraw their troops", "form an army on the other party's territory",
    "consult each other on every question of common interest",
)  # fmt: skip
PARTY_ROLES = ("party",) * 8 + ("guarantor", "mediator")
SIGNATORY_ROLES = ("signatory",) * 9 + ("witness",)
EVENT_KINDS = (
    (EventKind.INVASION, "Invasion of {state}", 6),
    (EventKind.PARTITION, "Partition of {state}", 3),
    (EventKind.NEGOTIATION, "{state}–{other} negotiations", 15),
    (EventKind.SIGNING, "Signing at {place}", 15),
    (EventKind.AMNESTY, "Amnesty in {state}", 4),
    (EventKind.MISSION, "Mission to {place}", 10),
    (EventKind.FORMATION, "Formation of the {place} Legion", 5),
    (EventKind.CONFERENCE, "Conference of {place}", 12),
    (EventKind.BATTLE, "Battle of {place}", 15),
    (EventKind.DEPORTATION, "Deportations from {place}", 5),
    (EventKind.OTHER, "Congress of {place}", 10),
)
PARTICIPANT_ROLES = (
    "participant", "negotiator", "architect", "commander", "member", "witness", "mediator",
)  # fmt: skip
EVENT_STATE_ROLES = ("party", "aggressor", "mediator", "invaded", "observer", "ally")
EVENT_DOCUMENT_ROLES = ("signed at", "negotiated at", "led to", "invalidated", "implemented")
POSITION_TITLES = (
    "Ambassador to {state}", "Envoy to {state}", "Minister of Foreign Affairs",
    "Prime Minister", "Minister of War", "Commander-in-Chief", "Chief of the General Staff",
    "Deputy Minister of Foreign Affairs", "Consul-General in {place}", "Governor of {place}",
)  # fmt: skip
SOURCE_TITLES = (
    "A History of {region}", "Documents on the Foreign Policy of {region}",
    "The Diplomatic Papers of {region}", "{region} between the Wars",
    "Treaties and Agreements of {region}", "Memoirs of an Envoy to {region}",
)  # fmt: skip
DESCRIPTIONS = (
    "Known mostly from copies in foreign archives.",
    "Often confused with an earlier record of the same name.",
    "The dating follows the most recent scholarship.",
    "Described in the memoirs of several participants.",
    "Details remain disputed among historians.",
)
INTERNAL_NOTES = (
    "Check the date against the original.",
    "Spelling of the names to be confirmed.",
    "Ask the reading room for the microfilm.",
)

# Chances per record.
DRAFTS = 0.03
DESCRIBED = 0.2
NOTED = 0.05
CITED = 0.25
ATTESTED = 0.1  # a relation row that names its source


# --- spellings -----------------------------------------------------------------


def _renderer(table: dict[str, str]) -> Callable[[str], str]:
    """A function that respells Polish spelling by ``table``, longest match first."""
    pattern = re.compile("|".join(sorted(map(re.escape, table), key=len, reverse=True)))

    def render(text: str) -> str:
        words = re.split(r"([ -])", text.lower())
        words = [pattern.sub(lambda m: table[m.group()], word) for word in words]
        return "".join(word[:1].upper() + word[1:] for word in words)

    return render


_cyrillic = _renderer(
    {
        "szcz": "щ", "sz": "ш", "cz": "ч", "rz": "ж", "ch": "х", "ski": "ский", "cki": "цкий",
        "ja": "я", "ju": "ю", "ie": "е", "ó": "у", "ą": "он", "ę": "ен", "ł": "л", "ś": "сь",
        "ć": "ць", "ń": "нь", "ź": "зь", "ż": "ж", "a": "а", "b": "б", "c": "ц", "d": "д",
        "e": "е", "f": "ф", "g": "г", "h": "х", "i": "и", "j": "й", "k": "к", "l": "л", "m": "м",
        "n": "н", "o": "о", "p": "п", "r": "р", "s": "с", "t": "т", "u": "у", "w": "в",
        "y": "ы", "z": "з",
    }
)  # fmt: skip
_english = _renderer(
    {
        "szcz": "shch", "sz": "sh", "cz": "ch", "ch": "kh", "rz": "zh", "ski": "sky", "cki": "tsky",
        "w": "v", "ł": "l", "ó": "o", "ą": "on", "ę": "en", "ś": "s", "ć": "ts", "ń": "n",
        "ź": "z", "ż": "zh", "j": "y", "c": "ts",
    }
)  # fmt: skip
_german = _renderer(
    {
        "szcz": "schtsch", "sz": "sch", "cz": "tsch", "rz": "rsch", "ł": "l", "ó": "u",
        "ą": "on", "ę": "en", "ś": "s", "ć": "tz", "ń": "n", "ź": "s", "ż": "sch", "c": "z",
    }
)  # fmt: skip
_french = _renderer(
    {
        "szcz": "chtch", "sz": "ch", "cz": "tch", "rz": "j", "w": "v", "ł": "l", "ó": "ou",
        "u": "ou", "ą": "on", "ę": "en", "ś": "s", "ć": "tch", "ń": "gn", "ź": "z", "ż": "j",
        "j": "ï",
    }
)  # fmt: skip


def _abbreviation(name: str) -> str:
    """ "People's Republic of Upper Silesia": "P.R.U.S."."""
    return "".join(f"{word[0]}." for word in name.split() if word[0].isupper())


# --- dates ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Date:
    edtf: str
    earliest: datetime.date | None
    latest: datetime.date | None

    @property
    def key(self) -> datetime.date:
        """Where the date sits on a time line (an open start sits at its end)."""
        return self.earliest or self.latest


def _year(rng: random.Random, low: int = 1800, high: int = 1990, mode: int = 1940) -> int:
    if rng.random() < 0.03:
        return rng.randint(1600, low - 1)
    return min(high, int(rng.triangular(low, high + 1, mode)))


def _day(rng: random.Random, year: int) -> datetime.date:
    month = rng.randint(1, 12)
    return datetime.date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))


# How often each form of _point() comes up, in its order.
POINT_WEIGHTS = (40, 12, 10, 5, 4, 2, 3, 3, 3, 4, 2, 4, 1)
INTERVAL_ENDS = ("closed", "open end", "open start", "unknown end", "unknown start")


def _point(rng: random.Random, year: int, form: int | None = None) -> str:
    """An EDTF point of one of the supported forms: 1941-07-30, 1941~, 194X, 1941-21…

    ``form`` picks one (an index into :data:`POINT_WEIGHTS`); by default it is drawn.
    """
    day = _day(rng, year)
    ymd, ym = day.isoformat(), day.isoformat()[:7]
    if form is None:
        form = rng.choices(range(len(POINT_WEIGHTS)), weights=POINT_WEIGHTS)[0]
    return (
        ymd,  # a day
        ym,  # a month
        f"{year}",  # a year
        f"{year}~",  # approximate
        f"{year}?",  # uncertain
        f"{year}%",  # both
        f"{ymd}~",  # an approximate day
        f"{ym}?",  # an uncertain month
        f"{year // 10}X",  # some year of a decade: 194X
        f"{ym}-XX",  # some day of a month
        f"{year}-XX",  # some month of a year
        f"{year}-{rng.choice(tuple(dates.SEASONS))}",  # a season
        f"{year // 100}XX",  # some year of a century
    )[form]


def _interval(
    rng: random.Random,
    year: int,
    *,
    longest_days: int,
    open_ends: float,
    ends: str | None = None,
) -> str:
    """An EDTF interval from ``year``: 1939-09/1939-10, 1941~/1943, 1918/.., ../1941…

    ``ends`` picks the kind of ends (one of :data:`INTERVAL_ENDS`); by default
    a share ``open_ends`` of intervals have an open or unknown end.
    """
    start = _day(rng, year)
    end = start + datetime.timedelta(days=rng.randint(1, longest_days))
    if end.year > 9999:
        end = datetime.date(9999, 12, 31)
    precision = rng.choices((10, 7, 4), weights=(3, 3, 4))[0]  # day, month, year
    first, last = start.isoformat()[:precision], end.isoformat()[:precision]
    if precision == 4 and rng.random() < 0.15:
        first += rng.choice("~?")
    if ends is None:
        roll = rng.random() / open_ends if open_ends else 1
        ends = INTERVAL_ENDS[1 + int(roll * 4)] if roll < 1 else "closed"
    return {
        "closed": f"{first}/{last}",
        "open end": f"{first}/..",  # still going
        "open start": f"../{last}",
        "unknown end": f"{first}/",
        "unknown start": f"/{last}",
    }[ends]


class _DatePool:
    """Distinct EDTF strings of one kind, parsed once, sorted on a time line."""

    def __init__(self, strings: Iterable[str]):
        parsed = [dates.parse(text) for text in dict.fromkeys(strings)]
        self.dates = sorted(
            (_Date(date.edtf, date.earliest, date.latest) for date in parsed),
            key=lambda date: (date.key, date.edtf),
        )
        self.keys = [date.key for date in self.dates]

    def pick(self, rng: random.Random) -> _Date:
        return self.dates[rng.randrange(len(self.dates))]

    def between(self, rng: random.Random, low: datetime.date, high: datetime.date) -> _Date | None:
        """A date whose place on the time line is in [low, high], if the pool has one."""
        lo, hi = bisect.bisect_left(self.keys, low), bisect.bisect_right(self.keys, high)
        return self.dates[rng.randrange(lo, hi)] if hi > lo else None


def _years_after(day: datetime.date, years: int) -> datetime.date:
    return datetime.date(min(9999, day.year + years), day.month, min(day.day, 28))


def _pool_size(values: int, per: int, low: int, high: int) -> int:
    return max(low, min(high, values // per))


# --- writing -----------------------------------------------------------------


class _Table:
    """Writes rows, given as ``{attname: value}``, straight into one model's table.

    The columns are the model's concrete fields (generated columns and, if
    ``with_pk`` is false, the auto-incremented primary key left to the
    database); a value a row does not give is the field's default; values
    other than numbers and text are prepared by their field, as the ORM
    would, once per distinct value.
    """

    def __init__(self, model: type[models.Model], *, with_pk: bool):
        self.model = model
        fields = [
            f
            for f in model._meta.concrete_fields
            if not f.generated and (with_pk or not f.primary_key)
        ]
        self.attnames = [f.attname for f in fields]
        defaults = [None if f.primary_key else f.get_default() for f in fields]
        self.defaults = list(zip(self.attnames, defaults, strict=True))
        self.fields = fields
        self.prepare = [(index, f, {}) for index, f in enumerate(fields) if not bulk.is_plain(f)]

    def values(self, row: dict) -> list:
        values = [row.get(name, default) for name, default in self.defaults]
        for index, f, cache in self.prepare:
            value = values[index]
            try:
                values[index] = cache[value]
            except KeyError:
                values[index] = cache[value] = f.get_db_prep_save(value, connection)
        return values

    def insert(self, rows: Sequence[list]) -> None:
        bulk.insert(self.model, self.fields, rows)


class _Writer:
    """Writes rows and their first versions, and counts them."""

    def __init__(self, result: Result, reason: str, now: datetime.datetime):
        self.result = result
        self.version = {
            "history_date": now,
            "history_change_reason": reason,
            "history_type": "+",
            "history_user_id": None,
        }
        self.tables: dict[type[models.Model], tuple[_Table, _Table]] = {}

    def write(self, model: type[models.Model], rows: list[dict]) -> None:
        if model not in self.tables:
            self.tables[model] = (
                _Table(model, with_pk=True),
                _Table(model.history.model, with_pk=False),
            )
        table, history = self.tables[model]
        table.insert([table.values(row) for row in rows])
        # The rows are written: they become their versions.
        version = self.version
        for row in rows:
            row.update(version)
            row["history_relation_id"] = row["id"]
        history.insert([history.values(row) for row in rows])
        self.result.rows[model] += len(rows)
        self.result.versions[model] += len(rows)


def _first_free_ids(model_list: Iterable[type[models.Model]]) -> dict[type[models.Model], int]:
    """For each model, an id no row and no version (of a deleted row too) ever had."""
    return {
        model: 1
        + max(
            model._default_manager.aggregate(top=Max("id"))["top"] or 0,
            model.history.aggregate(top=Max("id"))["top"] or 0,
        )
        for model in model_list
    }


# --- the generator -----------------------------------------------------------


class _Generator:
    """One generation: the random stream, the ids, the pools and the writer."""

    CHUNK = 10_000  # records built and written at a time

    def __init__(self, documents: int, seed: int, progress: Progress | None, now):
        self.shape = shape(documents)
        self.seed = seed
        self.rng = random.Random(seed)
        self.progress = progress
        self.now = now or timezone.now()
        self.result = Result(seed=seed, shape=self.shape)
        self.result.rows = dict.fromkeys(MODELS, 0)
        self.result.versions = dict.fromkeys(MODELS, 0)
        self.writer = _Writer(self.result, REASON.format(seed=seed), self.now)
        self.started = time.perf_counter()
        self._reported = None

    # ids: records and rows are numbered from the first free id of their table.

    def _id(self, model, index: int) -> int:
        return self.first_ids[model] + index

    def _rows(self, model) -> Callable[[dict], None]:
        """A function that collects rows of ``model``, giving each the next id.

        Records come with their ids (:meth:`_id`), in the same order.
        """
        ids = itertools.count(self.first_ids[model])
        collected = self.pending[model]

        def add(row: dict) -> None:
            row.setdefault("id", next(ids))
            collected.append(row)

        return add

    def _flush(self) -> None:
        """Write the rows collected so far, parents first."""
        for model, rows in self.pending.items():
            if rows:
                self.writer.write(model, rows)
                rows.clear()

    def _report(self, phase: str, done: int, total: int) -> None:
        if self.progress and (phase, done) != self._reported:
            self._reported = (phase, done)
            self.progress(phase, done, total, time.perf_counter() - self.started)

    def run(self) -> Result:
        data_version.bump()
        self.first_ids = _first_free_ids(MODELS)
        self.pending: dict[type[models.Model], list[dict]] = {model: [] for model in MODELS}
        self._make_date_pools()
        self._sources()
        self._states()
        self._places()
        self._persons()
        self._documents()
        self._events()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), MODELS):
                    cursor.execute(sql)
        self.result.seconds = time.perf_counter() - self.started
        return self.result

    # --- shared pieces

    def _make_date_pools(self) -> None:
        rng, shape = self.rng, self.shape
        size = _pool_size
        # Every form at least once, then drawn at random.
        self.document_dates = _DatePool(
            [_point(rng, _year(rng), form) for form in range(len(POINT_WEIGHTS))]
            + [_point(rng, _year(rng)) for _ in range(size(shape.documents, 80, 40, 1200))]
        )
        event_interval = functools.partial(_interval, longest_days=1500, open_ends=0.1)
        self.event_dates = _DatePool(
            [event_interval(rng, _year(rng), ends=ends) for ends in INTERVAL_ENDS]
            + [
                _point(rng, _year(rng)) if rng.random() < 0.65 else event_interval(rng, _year(rng))
                for _ in range(size(shape.events, 60, 30, 800))
            ]
        )
        self.birth_dates = _DatePool(
            _point(rng, _year(rng, 1740, 1960, 1890))
            for _ in range(size(shape.persons, 75, 30, 400))
        )
        self.death_dates = _DatePool(
            _point(rng, _year(rng, 1770, 1995, 1945))
            for _ in range(size(shape.persons, 75, 30, 400))
        )
        self.existence_dates = _DatePool(
            _interval(rng, _year(rng, 1700, 1980, 1900), longest_days=80_000, open_ends=0.35)
            for _ in range(size(shape.states, 1, 10, 150))
        )
        self.periods = _DatePool(
            _interval(rng, _year(rng, 1780, 1985, 1930), longest_days=4000, open_ends=0.15)
            for _ in range(size(shape.persons, 100, 20, 300))
        )
        self._report("date pools", self._pool_count(), self._pool_count())

    def _pool_count(self) -> int:
        pools = (
            self.document_dates,
            self.event_dates,
            self.birth_dates,
            self.death_dates,
            self.existence_dates,
            self.periods,
        )
        return sum(len(pool.dates) for pool in pools)

    def _record(self, model, index: int, prefix: str, name_forms: list[str], **fields):
        """A record, its common fields drawn, its search texts computed."""
        rng = self.rng
        record = model(
            id=self._id(model, index),
            slug=f"{prefix}-{index + 1:06d}",
            published=rng.random() >= DRAFTS,
            description=rng.choice(DESCRIPTIONS) if rng.random() < DESCRIBED else "",
            internal_notes=rng.choice(INTERNAL_NOTES) if rng.random() < NOTED else "",
            created=self.now,
            modified=self.now,
            **fields,
        )
        for name, value in record.compute_search_texts(name_forms).items():
            setattr(record, name, value)
        return record.__dict__

    def _set_date(self, row: dict, name: str, date: _Date | None) -> None:
        row[name] = date.edtf if date else ""
        set_bounds(row, name, date)

    def _citations(self, add, record_id: int) -> None:
        rng = self.rng
        if rng.random() >= CITED:
            return
        cited = {
            (self._id(Source, rng.randrange(self.shape.sources)), f"p. {rng.randint(1, 600)}")
            for _ in range(rng.choice((1, 1, 1, 2)))
        }
        for source_id, locator in sorted(cited):
            add({"record_id": record_id, "source_id": source_id, "locator": locator})

    def _attested(self, row: dict) -> dict:
        """Give a relation row its source, now and then."""
        rng = self.rng
        if rng.random() < ATTESTED:
            row["source_id"] = self._id(Source, rng.randrange(self.shape.sources))
            row["source_locator"] = f"p. {rng.randint(1, 600)}"
        return row

    def _name_forms(self, add, record_id: int, forms: list[tuple[str, str, str]]) -> None:
        for name, language, kind in forms:
            add({"record_id": record_id, "name": name, "language": language, "kind": kind})

    # --- records

    def _sources(self) -> None:
        rng, count = self.rng, self.shape.sources
        add = self._rows(Source)
        for index in range(count):
            region = rng.choice(REGIONS)[0]
            given = rng.choice(GIVEN_NAMES)[2]
            surname = _english(rng.choice(SURNAME_STEMS) + rng.choice(SURNAME_ENDINGS))
            row = self._record(
                Source,
                index,
                "source",
                [],
                title=rng.choice(SOURCE_TITLES).format(region=region),
                author=f"{given} {surname}",
                url=f"https://example.org/sources/{index + 1}",
                accessed=datetime.date(2000 + rng.randrange(25), rng.randint(1, 12), 1),
            )
            add(row)
        self._flush()
        self._report("sources", count, count)

    def _states(self) -> None:
        rng, count = self.rng, self.shape.states
        names = [(q, r) for r in REGIONS for q in QUALIFIERS]
        rng.shuffle(names)
        self.state_names, self.state_officials = [], []
        add_state, add_name = self._rows(State), self._rows(StateName)
        add_citation = self._rows(StateCitation)
        for index in range(count):
            (qualifier, qualifier_pl), (region, region_pl) = names[index % len(names)]
            name = f"{qualifier}{region}"
            form, former = rng.sample(STATE_FORMS, 2)
            official = form.format(name)
            polish = f"{qualifier_pl}{region_pl}"
            self.state_names.append(name)
            self.state_officials.append(official)
            candidates = [
                (_abbreviation(official), "en", NameForm.VARIANT),
                (polish, "pl", NameForm.VARIANT),
                (_cyrillic(polish), "ru", NameForm.TRANSLITERATION),
                (former.format(name), "en", NameForm.FORMER),
            ]
            forms = rng.sample(candidates, rng.randint(1, 3))
            forms = list({(f[0], f[1]): f for f in forms}.values())
            state_id = self._id(State, index)
            row = self._record(
                State, index, "state", [f[0] for f in forms], name=name, official_name=official
            )
            self._set_date(row, "existence", self.existence_dates.pick(rng))
            add_state(row)
            self._name_forms(add_name, state_id, forms)
            self._citations(add_citation, state_id)
        self._flush()
        self._report("states", count, count)

    def _places(self) -> None:
        rng, count = self.rng, self.shape.places
        add_place, add_name = self._rows(Place), self._rows(PlaceName)
        add_citation = self._rows(PlaceCitation)
        self.place_names = []
        for index in range(count):
            if rng.random() < 0.5:
                name = f"{rng.choice(PLACE_ADJECTIVES)} {rng.choice(PLACE_NOUNS)}"
            else:
                name = rng.choice(PLACE_ROOTS) + rng.choice(PLACE_SUFFIXES)
            self.place_names.append(name)
            candidates = [
                (_cyrillic(name), "ru", NameForm.TRANSLITERATION),
                (_german(name), "de", NameForm.VARIANT),
                (_english(name), "en", NameForm.VARIANT),
            ]
            forms = rng.sample(candidates, rng.randint(0, 2))
            place_id = self._id(Place, index)
            latitude = decimal.Decimal(f"{rng.uniform(40, 60):.6f}")
            longitude = decimal.Decimal(f"{rng.uniform(0, 40):.6f}")
            row = self._record(
                Place,
                index,
                "place",
                [f[0] for f in forms],
                name=name,
                latitude=latitude,
                longitude=longitude,
                state_id=self._id(State, rng.randrange(self.shape.states)),
            )
            add_place(row)
            self._name_forms(add_name, place_id, forms)
            self._citations(add_citation, place_id)
        self._flush()
        self._report("places", count, count)

    def _persons(self) -> None:
        rng, count = self.rng, self.shape.persons
        add_person, add_name = self._rows(Person), self._rows(PersonName)
        add_citation, add_position = self._rows(PersonCitation), self._rows(Position)
        births: list[tuple[int, int]] = []  # (year of birth, person index)
        for index in range(count):
            given = rng.choice(GIVEN_NAMES)
            surname = rng.choice(SURNAME_STEMS) + rng.choice(SURNAME_ENDINGS)
            if rng.random() < 0.05:
                surname += "-" + rng.choice(SURNAME_STEMS) + rng.choice(SURNAME_ENDINGS)
            spelled = {
                "pl": f"{given[0]} {surname}",
                "ru": f"{given[1]} {_cyrillic(surname)}",
                "en": f"{given[2]} {_english(surname)}",
                "de": f"{given[3]} {_german(surname)}",
                "fr": f"{given[4]} {_french(surname)}",
            }
            native = rng.choices(LANGUAGES, weights=PERSON_LANGUAGE_WEIGHTS)[0]
            name = spelled["en" if native == "ru" else native]
            others = rng.sample([lang for lang in LANGUAGES if lang != native], rng.randint(0, 3))
            forms = [(spelled[native], native, NameForm.AUTHORIZED)]
            for language in others:
                if language == "ru" or (native == "ru" and language == "en"):
                    kind = NameForm.TRANSLITERATION
                else:
                    kind = NameForm.VARIANT
                forms.append((spelled[language], language, kind))

            born = self.birth_dates.pick(rng) if rng.random() >= 0.05 else None
            died = None
            if born and rng.random() >= 0.15:
                died = self.death_dates.between(
                    rng, _years_after(born.latest, 20), _years_after(born.latest, 95)
                )
            person_id = self._id(Person, index)
            row = self._record(Person, index, "person", [f[0] for f in forms], name=name)
            self._set_date(row, "born", born)
            self._set_date(row, "died", died)
            add_person(row)
            self._name_forms(add_name, person_id, forms)
            self._citations(add_citation, person_id)
            if born:
                births.append((born.latest.year, index))
            if born and rng.random() < 0.3:
                self._positions(add_position, person_id, born)
            if (index + 1) % self.CHUNK == 0:
                self._flush()
                self._report("persons", index + 1, count)
        self._flush()
        births.sort()
        self.birth_years = [year for year, _ in births]
        self.born_persons = [index for _, index in births]
        self._report("persons", count, count)

    def _positions(self, add, person_id: int, born: _Date) -> None:
        rng = self.rng
        held = {}
        for _ in range(rng.randint(1, 3)):
            period = self.periods.between(
                rng, _years_after(born.latest, 25), _years_after(born.latest, 75)
            )
            if period is None:
                continue
            title = rng.choice(POSITION_TITLES)
            state = rng.randrange(self.shape.states)
            title = title.format(
                state=self.state_names[state],
                place=self.place_names[rng.randrange(len(self.place_names))],
            )
            held[(title, period.edtf)] = (state, period)
        for (title, _), (state, period) in held.items():
            row = {"person_id": person_id, "title": title, "state_id": self._id(State, state)}
            self._set_date(row, "period", period)
            add(self._attested(row))

    def _people_at(self, year: int | None, count: int) -> list[int]:
        """``count`` distinct persons of an age to act in ``year``, else any."""
        rng = self.rng
        if year is not None:
            lo = bisect.bisect_left(self.birth_years, year - 80)
            hi = bisect.bisect_right(self.birth_years, year - 20)
            if hi - lo >= count:
                return [self.born_persons[i] for i in rng.sample(range(lo, hi), count)]
        return rng.sample(range(self.shape.persons), count)

    def _documents(self) -> None:
        rng, shape = self.rng, self.shape
        count = shape.documents
        add_document, add_citation = self._rows(Document), self._rows(DocumentCitation)
        add_provision, add_party = self._rows(Provision), self._rows(DocumentParty)
        add_signatory, add_link = self._rows(DocumentSignatory), self._rows(DocumentLink)
        kinds, kind_weights = DOCUMENT_KINDS, [kind[2] for kind in DOCUMENT_KINDS]
        state_names, officials, place_names = (
            self.state_names,
            self.state_officials,
            self.place_names,
        )
        for index in range(count):
            kind, kind_title, _ = rng.choices(kinds, weights=kind_weights)[0]
            parties = rng.sample(range(shape.states), rng.randint(2, 3))
            first, second = (state_names[p] for p in parties[:2])
            official_first, official_second = (officials[p] for p in parties[:2])
            subject = rng.choice(SUBJECTS)
            place = rng.randrange(shape.places) if rng.random() < 0.8 else None
            place_name = place_names[place] if place is not None else first
            title = rng.choice(
                (
                    f"{kind_title} of {place_name}",
                    f"{first}–{second} {kind_title}",
                    f"{kind_title} on {subject}",
                    f"{kind_title} of {subject} between {first} and {second}",
                )
            )
            official = (
                f"{kind_title} of {subject} between the {official_first} and the {official_second}"
            )
            if place is not None:
                official += f", signed at {place_name}"
            summary = ""
            if rng.random() < 0.8:
                summary = (
                    f"{subject}: {first} and {second} {rng.choice(VERBS)} {rng.choice(OBJECTS)}."
                )
            provisions = []
            if rng.random() < 0.3:
                provisions = [
                    f"The High Contracting Parties {rng.choice(VERBS)} {rng.choice(OBJECTS)}."
                    for _ in range(rng.randint(1, 6))
                ]
            text = ""
            if provisions and rng.random() < 0.3:
                text = "\n\n".join(
                    f"Article {number}. {provision}"
                    for number, provision in enumerate(provisions, start=1)
                )
            date = self.document_dates.pick(rng) if rng.random() >= 0.02 else None
            document_id = self._id(Document, index)
            row = self._record(
                Document,
                index,
                "document",
                [],
                title=title,
                official_title=official,
                kind=kind,
                place_id=self._id(Place, place) if place is not None else None,
                summary=summary,
                text=text,
            )
            self._set_date(row, "date", date)
            add_document(row)
            year = date.key.year if date else None

            party_ids = [self._id(State, p) for p in parties]
            for state_id in party_ids:
                role = rng.choice(PARTY_ROLES)
                add_party(
                    self._attested({"document_id": document_id, "state_id": state_id, "role": role})
                )
            for person in self._people_at(year, rng.randint(2, 4)):
                row = {
                    "document_id": document_id,
                    "person_id": self._id(Person, person),
                    "on_behalf_of_id": rng.choice(party_ids),
                    "role": rng.choice(SIGNATORY_ROLES),
                }
                add_signatory(self._attested(row))
            for number, provision in enumerate(provisions, start=1):
                add_provision({"document_id": document_id, "number": number, "text": provision})
            if index and rng.random() < 0.15:
                targets = rng.sample(range(index), min(index, rng.randint(1, 2)))
                for target in targets:
                    row = {
                        "document_id": document_id,
                        "target_id": self._id(Document, target),
                        "role": rng.choice(DocumentRelation.values),
                    }
                    add_link(self._attested(row))
            self._citations(add_citation, document_id)
            if (index + 1) % self.CHUNK == 0:
                self._flush()
                self._report("documents", index + 1, count)
        self._flush()
        self._report("documents", count, count)

    def _events(self) -> None:
        rng, shape = self.rng, self.shape
        count = shape.events
        add_event, add_citation = self._rows(Event), self._rows(EventCitation)
        add_participant, add_state = self._rows(EventParticipant), self._rows(EventState)
        add_document = self._rows(EventDocument)
        kinds, kind_weights = EVENT_KINDS, [kind[2] for kind in EVENT_KINDS]
        state_names, place_names = self.state_names, self.place_names
        for index in range(count):
            kind, pattern, _ = rng.choices(kinds, weights=kind_weights)[0]
            states = rng.sample(range(shape.states), rng.randint(1, 3))
            place = rng.randrange(shape.places) if rng.random() < 0.85 else None
            name = pattern.format(
                state=state_names[states[0]],
                other=state_names[states[-1]] if len(states) > 1 else "allied",
                place=place_names[place] if place is not None else state_names[states[0]],
            )
            date = self.event_dates.pick(rng) if rng.random() >= 0.02 else None
            event_id = self._id(Event, index)
            row = self._record(
                Event,
                index,
                "event",
                [],
                name=name,
                kind=kind,
                place_id=self._id(Place, place) if place is not None else None,
            )
            self._set_date(row, "date", date)
            add_event(row)
            year = date.key.year if date else None
            for person in self._people_at(year, rng.randint(1, 4)):
                row = {
                    "event_id": event_id,
                    "person_id": self._id(Person, person),
                    "role": rng.choice(PARTICIPANT_ROLES),
                }
                add_participant(self._attested(row))
            for state in states:
                row = {
                    "event_id": event_id,
                    "state_id": self._id(State, state),
                    "role": rng.choice(EVENT_STATE_ROLES),
                }
                add_state(self._attested(row))
            documents = rng.randint(0, 2)
            for document in rng.sample(range(shape.documents), min(documents, shape.documents)):
                row = {
                    "event_id": event_id,
                    "document_id": self._id(Document, document),
                    "role": rng.choice(EVENT_DOCUMENT_ROLES),
                }
                add_document(self._attested(row))
            self._citations(add_citation, event_id)
            if (index + 1) % self.CHUNK == 0:
                self._flush()
                self._report("events", index + 1, count)
        self._flush()
        self._report("events", count, count)


def generate(
    documents: int,
    seed: int,
    *,
    progress: Progress | None = None,
    now: datetime.datetime | None = None,
) -> Result:
    """Add a synthetic archive of ``documents`` documents, in one transaction.

    The same ``documents`` and ``seed`` give the same records, rows, names,
    dates and slugs (``document-000001``…). Slugs must be free: generate
    into an archive without records (see :func:`clear`).
    """
    with transaction.atomic(), _large_sqlite_cache():
        return _Generator(documents, seed, progress, now).run()


@contextlib.contextmanager
def _large_sqlite_cache():
    """On SQLite, a page cache of 256 MiB while generating, then the previous size.

    The indexes of the big tables outgrow the default 2 MiB, and inserts then
    read their pages back: about 10 % faster at 100,000 documents.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def record_count() -> int:
    """How many records the archive holds, drafts included."""
    return sum(model._default_manager.count() for model in RECORD_MODELS)


def clear() -> None:
    """Delete every record, every row and every version of them.

    Straight in the tables (``TRUNCATE`` on PostgreSQL), not through the
    ORM: a delete through it would write a "deleted" version of every row.
    """
    tables = [model._meta.db_table for model in MODELS]
    tables += [model.history.model._meta.db_table for model in MODELS]
    with transaction.atomic():
        data_version.bump()
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with foreign key checks still pending.
            connection.check_constraints()
        with connection.cursor() as cursor:
            for sql in connection.ops.sql_flush(no_style(), tables, reset_sequences=True):
                cursor.execute(sql)

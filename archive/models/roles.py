"""The roles a relation row may carry: one controlled list per relation.

Each role means one thing, said once here: the admin lists the meanings under
a relation's rows, docs/data.md lists them, and a role outside its relation's
list is refused by the admin's forms, by load_archive and by a revert. (Code
that saves a row itself is trusted: nothing refuses it at the save.) A role's
value is what is stored and what fixtures and the API carry ("signed at").

Roles were free text before migration 0009, which read the stored text into
these lists (:meth:`Vocabulary.read`, its frozen copy there); a revert to a
version from before reads its text the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Role:
    value: str
    meaning: str
    # How the relation reads from the other record, where the role's own word
    # does not ("led to" a document's event reads "led to this event").
    from_other_side: str = ""


class Vocabulary:
    """The roles of one relation, the first its default."""

    def __init__(self, *roles: Role, note: str = "", synonyms: dict[str, str] | None = None):
        self.roles = roles
        self.note = note  # how the roles are worded, where it needs saying
        # Free text met before the lists, as it reads once lower-cased.
        self.synonyms = synonyms or {}
        self.by_value = {role.value: role for role in roles}

    @property
    def default(self) -> str:
        return self.roles[0].value

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(role.value, role.value) for role in self.roles]

    def read(self, text: str) -> str:
        """The role that free text from before the lists means: the role itself in
        any case or spacing, a known synonym, else the default."""
        key = re.sub(r"\s+", " ", text).strip().casefold()
        if key in self.by_value:
            return key
        return self.synonyms.get(key, self.default)

    def field(self) -> models.CharField:
        """The ``role`` column of a relation with these roles."""
        return models.CharField(max_length=100, choices=self.choices, default=self.default)

    def from_other_side(self, value: str) -> str:
        role = self.by_value.get(value)
        return role.from_other_side if role and role.from_other_side else value


DOCUMENT_PARTY = Vocabulary(
    Role("party", "a state bound by the document"),
    Role("guarantor", "a state that undertakes to uphold the document without being bound by it"),
    Role("mediator", "a state that brought the parties to agree, without being bound"),
    Role("depositary", "a state that keeps the original and receives ratifications"),
    Role("observer", "a state present at the conclusion, neither bound nor guarantor"),
)

DOCUMENT_SIGNATORY = Vocabulary(
    Role("signatory", "signed the document, for the state named or in their own name"),
    Role("countersignatory", "signed to confirm another's signature, as a minister does"),
    Role("witness", "signed as witness to the others' signatures, binding no one"),
)

EVENT_PARTICIPANT = Vocabulary(
    Role("participant", "took part, in no role more precise on this list"),
    Role("architect", "conceived the event or drove it through"),
    Role("leader", "led a state or a body that took part, as its head"),
    Role("negotiator", "negotiated for one of the sides"),
    Role("mediator", "helped the sides agree without being one of them"),
    Role("sponsor", "backed the event from outside, with authority or help"),
    Role("signatory", "signed a document at the event"),
    Role("head of mission", "led a mission or a delegation"),
    Role("member", "belonged to a mission or a delegation that another led"),
    Role("commander", "commanded forces in the event"),
    Role("witness", "was present and bore witness, taking no part"),
    synonyms={
        "soviet leader": "leader",
        "head of state": "leader",
        "head of government": "leader",
        "delegate": "member",
    },
)

EVENT_STATE = Vocabulary(
    Role("party", "one of the event's sides"),
    Role("aggressor", "attacked another state"),
    Role("invaded", "was attacked or occupied"),
    Role("ally", "acted beside one of the sides without being one"),
    Role("partitioning power", "took part in dividing another state's territory"),
    Role("partitioned", "had its territory divided among others"),
    Role("mediator", "helped the sides agree without being one of them"),
    Role("sponsor", "backed the event from outside, with authority or help"),
    Role("grantor", "granted what the event gave: an amnesty, a concession"),
    Role("sending state", "sent the mission or the delegation"),
    Role("host", "the event took place on its territory or at its invitation"),
    Role("observer", "watched without taking part"),
    synonyms={"victim": "invaded"},
)

EVENT_DOCUMENT = Vocabulary(
    Role("related", "bound up with the event in no way more precise", "related to this event"),
    Role("negotiated at", "was negotiated at the event", "negotiated at this event"),
    Role("signed at", "was signed at the event", "signed at this event"),
    Role("led to", "was among the causes of the event", "led to this event"),
    Role("resulted from", "came out of the event", "resulted from this event"),
    Role(
        "implemented",
        "put into effect what the event decided",
        "put into effect what this event decided",
    ),
    Role(
        "invalidated",
        "declared what the event brought about void",
        "declared what this event brought about void",
    ),
    note="Worded from the document: the pact “led to” the invasion.",
    synonyms={"negotiated": "negotiated at", "annulled": "invalidated"},
)

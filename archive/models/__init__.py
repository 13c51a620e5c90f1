"""The archive's records, their relation rows and name rows.

One module per record family; shared bases in :mod:`archive.models.base`.
"""

from archive.data_version import DataVersion
from archive.models.base import NameForm, Record, Row
from archive.models.documents import (
    Document,
    DocumentCitation,
    DocumentKind,
    DocumentLink,
    DocumentParty,
    DocumentRelation,
    DocumentSignatory,
    Provision,
)
from archive.models.events import (
    Event,
    EventCitation,
    EventDocument,
    EventKind,
    EventParticipant,
    EventState,
)
from archive.models.people import Person, PersonCitation, PersonName, Position
from archive.models.places import Place, PlaceCitation, PlaceName
from archive.models.sources import Source
from archive.models.states import State, StateCitation, StateName

RECORD_MODELS = (Document, Person, State, Event, Place, Source)
# The record types a search covers (the API's ``search``, the admin's search of every
# type): those with names and a ``search_text``.
SEARCHED = (Document, Person, State, Event, Place)

__all__ = [
    "RECORD_MODELS",
    "SEARCHED",
    "DataVersion",
    "Document",
    "DocumentCitation",
    "DocumentKind",
    "DocumentLink",
    "DocumentParty",
    "DocumentRelation",
    "DocumentSignatory",
    "Event",
    "EventCitation",
    "EventDocument",
    "EventKind",
    "EventParticipant",
    "EventState",
    "NameForm",
    "Person",
    "PersonCitation",
    "PersonName",
    "Place",
    "PlaceCitation",
    "PlaceName",
    "Position",
    "Provision",
    "Record",
    "Row",
    "Source",
    "State",
    "StateCitation",
    "StateName",
]

"""Turning request parameters into a search: shared by the search page (German parameter
names, they show in the address bar) and the REST API (English names)."""
from dataclasses import dataclass
from datetime import date

from archive.errors import InvalidInput
from search.backend import SORTS, STATES, Filters

from .params import whole_number

PAGE_NAMES = {"q": "q", "document_type": "typ", "sender": "absender", "unit": "einheit",
              "case_file": "akte", "letter_date_from": "brief_von",
              "letter_date_to": "brief_bis", "received_from": "eingang_von",
              "received_to": "eingang_bis", "sort": "sortierung", "more_like": "wie",
              "state": "status", "year": "jahr"}
API_NAMES = {name: name for name in PAGE_NAMES}


@dataclass(frozen=True)
class SearchParams:
    query: str
    filters: Filters
    sort: str
    more_like: int | None


def _date(params, name: str) -> date | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"„{raw}“ ist kein Datum (JJJJ-MM-TT).",
                           code="SEARCH_DATE") from None


def _ids(params, name: str) -> tuple[int, ...]:
    values = [whole_number(v) for v in params.getlist(name) if v.strip()]
    if None in values:
        raise InvalidInput(f"„{name}“ erwartet Nummern.", code="SEARCH_FILTER")
    return tuple(values)


def page_number(params, name: str, default: int) -> int:
    """A page, limit or offset as typed: a whole number, or the German refusal."""
    raw = params.get(name, "")
    if not raw:
        return default
    value = whole_number(raw)
    if value is None:
        raise InvalidInput(f"„{name}“ erwartet eine Zahl.", code="SEARCH_PAGING")
    return value


def _texts(params, name: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in params.getlist(name) if v.strip())


def saved_parameters(params, names: dict[str, str] = PAGE_NAMES) -> dict[str, list[str]]:
    """The parameters of a search worth keeping under a name: query, filters and sorting as
    the address carries them, checked to be a search that runs (paging is left out)."""
    search_params(params, names)  # refuses what would not run
    return {name: values for name in names.values()
            if (values := [v for v in params.getlist(name) if v.strip()])}


def search_params(params, names: dict[str, str] = PAGE_NAMES) -> SearchParams:
    sort = params.get(names["sort"], "relevance") or "relevance"
    if sort not in SORTS:
        raise InvalidInput(f"Unbekannte Sortierung „{sort}“.", code="SEARCH_SORT")
    more_like = _ids(params, names["more_like"])
    states = _texts(params, names["state"])
    if not set(states) <= set(STATES):
        raise InvalidInput(f"Unbekannter Status (bekannt: {', '.join(STATES)}).",
                           code="SEARCH_FILTER")
    return SearchParams(
        query=params.get(names["q"], "").strip(),
        filters=Filters(
            document_types=_texts(params, names["document_type"]),
            senders=_texts(params, names["sender"]),
            unit_ids=_ids(params, names["unit"]),
            case_file_ids=_ids(params, names["case_file"]),
            letter_date_from=_date(params, names["letter_date_from"]),
            letter_date_to=_date(params, names["letter_date_to"]),
            received_from=_date(params, names["received_from"]),
            received_to=_date(params, names["received_to"]),
            states=states,
            years=_ids(params, names["year"]),
        ),
        sort=sort,
        more_like=more_like[0] if more_like else None,
    )

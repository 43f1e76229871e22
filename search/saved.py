"""Saved searches: a user keeps a search's parameters under a name, runs it again later and
deletes it. Only the owner sees theirs; another user's is "not found", as for any object one
may not know of. Saving and deleting are events in the trail."""
import json

from django.db import transaction

from archive.actors import Actor, system_actor
from archive.errors import InvalidInput, NotFound, PermissionDenied
from archive.sealing import terms_pattern
from archive.services.events import event_append

from .models import SavedSearch

MAX_NAME = 100
MAX_PER_USER = 100
MAX_VALUES = 50  # values of one parameter
MAX_VALUE = 1000  # characters of one value (a query is cut there, too)


def saved_searches_of(user):
    """The user's own saved searches, by name; nobody else's."""
    if not getattr(user, "is_authenticated", False):
        return SavedSearch.objects.none()
    return SavedSearch.objects.filter(owner=user).order_by("name", "pk")


def saved_search_of_or_404(user, saved_search_id) -> SavedSearch:
    found = saved_searches_of(user).filter(pk=saved_search_id).first()
    if found is None:
        raise NotFound("Diese gespeicherte Suche gibt es nicht.")
    return found


def _clean_parameters(parameters: dict) -> dict[str, list[str]]:
    """Only names and text values, as a search page's address carries them."""
    cleaned = {}
    for name, values in parameters.items():
        values = [values] if isinstance(values, str) else list(values)
        if not isinstance(name, str) or not all(isinstance(v, str) for v in values):
            raise InvalidInput("Die Suchparameter sind ungültig.", code="SAVED_SEARCH_INVALID")
        values = [v.strip() for v in values if v.strip()]
        if len(values) > MAX_VALUES or any(len(v) > MAX_VALUE for v in values):
            raise InvalidInput("Die Suche ist zu umfangreich, um sie zu speichern.",
                               code="SAVED_SEARCH_INVALID")
        if values:
            cleaned[name] = values
    return cleaned


def saved_search_create(*, name: str, parameters: dict, actor: Actor) -> SavedSearch:
    """Keep the parameters (already checked by the caller as a search it can run) under a
    name; no result is stored. A name is unique per user."""
    user = actor.user
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied("Nur angemeldete Personen können Suchen speichern.")
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput("Bitte geben Sie der Suche einen Namen.", code="SAVED_SEARCH_NAME")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"Der Name darf höchstens {MAX_NAME} Zeichen haben.",
                           code="SAVED_SEARCH_NAME")
    cleaned = _clean_parameters(parameters)
    if not cleaned:
        raise InvalidInput("Es gibt keine Suche zum Speichern.", code="SAVED_SEARCH_INVALID")
    with transaction.atomic():
        mine = SavedSearch.objects.select_for_update().filter(owner=user)
        if mine.filter(name=name).exists():
            raise InvalidInput(f"Sie haben schon eine Suche „{name}“ gespeichert.",
                               code="SAVED_SEARCH_NAME_TAKEN")
        if mine.count() >= MAX_PER_USER:
            raise InvalidInput(f"Sie können höchstens {MAX_PER_USER} Suchen speichern.",
                               code="SAVED_SEARCH_INVALID")
        saved = SavedSearch.objects.create(owner=user, name=name, parameters=cleaned)
        event_append(action="created", object_type="saved_search", object_id=saved.pk,
                     actor=actor, data={"name": name, "parameters": cleaned})
    return saved


def saved_search_delete(*, saved_search_id, actor: Actor) -> None:
    """Only the owner deletes; for anyone else it does not exist."""
    with transaction.atomic():
        saved = saved_search_of_or_404(actor.user, saved_search_id)
        event_append(action="deleted", object_type="saved_search", object_id=saved.pk,
                     actor=actor, data={"name": saved.name})
        saved.delete()


def saved_searches_forget(*, terms: list[str]) -> int:
    """Delete every saved search whose name or parameters name a destroyed file's subject
    (called inside the destruction's transaction). Each deletion is an event without the
    name. Returns how many went."""
    pattern = terms_pattern(terms)
    if pattern is None:
        return 0
    doomed = [saved for saved in SavedSearch.objects.all()
              if pattern.search(json.dumps([saved.name, saved.parameters],
                                           ensure_ascii=False).casefold())]
    for saved in doomed:
        event_append(action="deleted", object_type="saved_search", object_id=saved.pk,
                     actor=system_actor(name="destruction"),
                     data={"owner": saved.owner_id, "destroyed_subject": True})
        saved.delete()
    return len(doomed)

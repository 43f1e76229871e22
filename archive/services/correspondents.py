"""One correspondent per organisation, whatever department or team line came with the name:
"Jobcenter Leipzig" and "Jobcenter Leipzig, Team 412" are one; "Jobcenter Dresden" is not."""
from django.db import IntegrityError, transaction
from rapidfuzz import fuzz, process, utils

from ..errors import InvalidInput
from ..models import Correspondent
from .events import event_append

# token_set_ratio: 100 when one name's words are all in the other ("Jobcenter Leipzig" in
# "Jobcenter Leipzig Team 412"); OCR slips ("Jobcenter Leipz1g") stay above the threshold,
# another town does not.
SAME_CORRESPONDENT = 90


def _score(query: str, choice: str, **kwargs) -> float:
    query_words, choice_words = query.split(), choice.split()
    if min(len(query_words), len(choice_words)) < 2:
        # a single word ("Jobcenter") is in every jobcenter's name: compare it whole
        return fuzz.ratio(query, choice)
    return fuzz.token_set_ratio(query, choice)


def correspondent_match(*, name: str) -> Correspondent | None:
    """The known correspondent of that name or one of its spellings, or None."""
    query = utils.default_process(name or "")
    if not query:
        return None
    choices = {}
    for pk, canonical, aliases in Correspondent.objects.values_list("pk", "name", "aliases"):
        for spelling in [canonical, *(aliases or [])]:
            choices[(pk, spelling)] = utils.default_process(spelling)
    found = process.extractOne(query, choices, scorer=_score, score_cutoff=SAME_CORRESPONDENT)
    return Correspondent.objects.get(pk=found[2][0]) if found else None


def correspondent_match_or_create(*, name: str, address: str = "",
                                  actor: str = "ingest") -> Correspondent:
    """The matching correspondent (learning this spelling and a missing address), or a new
    one. Called by recognition for senders; the actor is recorded in the event log."""
    name = " ".join((name or "").split())[:300]
    if not utils.default_process(name):
        raise InvalidInput("Der Korrespondenzpartner braucht einen Namen.",
                           code="CORRESPONDENT_NAME_MISSING")
    address = (address or "").strip()
    with transaction.atomic():
        known = correspondent_match(name=name)
        if known is None:
            try:
                with transaction.atomic():  # another worker may create it at the same moment
                    known = Correspondent.objects.create(name=name, address=address)
                    event_append(action="created", object_type="correspondent",
                                 object_id=known.pk, actor=actor, data={"name": name})
                return known
            except IntegrityError:
                return Correspondent.objects.get(name=name)
        changed = []
        if name != known.name and name not in known.aliases:
            known.aliases = [*known.aliases, name]
            changed.append("aliases")
        if address and not known.address:
            known.address = address
            changed.append("address")
        if changed:
            known.save(update_fields=changed)
    return known


def correspondents_list(*, user, page, purpose: str = "Absender",
                        list_name: str = "api") -> list[Correspondent]:
    """A page of the correspondents (senders, merged per organisation; a private sender may be
    a person): one logged read naming them."""
    correspondents = list(page)
    event_append(action="listed", object_type="correspondent_list", object_id=list_name,
                 actor=user.username, purpose=purpose,
                 data={"correspondents": [correspondent.pk for correspondent in correspondents]})
    return correspondents

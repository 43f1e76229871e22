"""Showing the desk is one logged read: the list names people's post and files."""
from django.db import transaction
from django.utils import timezone

from archive.actors import Actor
from archive.guards import require_person
from archive.services.events import event_append

from ..models import DeskPreference
from ..selectors import Desk, desk_collect


def desk_read(*, actor: Actor, today=None, visit: bool = True) -> Desk:
    """The desk as the actor's user sees it, logged as one `listed` event naming every
    document and case file shown. A visit (the page) resets the header's count of new items."""
    user = require_person(actor)
    desk = desk_collect(user, today)
    with transaction.atomic():
        event_append(action="listed", object_type="desk", object_id=user.username,
                     actor=actor, purpose="Mein Arbeitsplatz", data={
                         "documents": sorted({item.entry.document_id for item in desk.items
                                              if item.entry.document_id}),
                         "case_files": sorted({item.entry.case_file_id for item in desk.items
                                               if item.entry.case_file_id}),
                         "counts": desk.counts()})
        if visit:
            DeskPreference.objects.update_or_create(user=user,
                                                    defaults={"visited_at": timezone.now()})
    return desk

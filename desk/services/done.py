"""Marking a desk item of the desk's own kinds done: one event each. Other kinds are marked
done through their own app (the entry's done_url)."""
from django.db import transaction
from django.utils import timezone

from archive.actors import Actor
from archive.errors import NotFound
from archive.guards import require_person
from archive.selectors import document_visible_or_404
from archive.services.events import event_append

from ..models import DocumentSeen, Handover
from ..scope import desk_scope


def desk_item_done(*, actor: Actor, key: str) -> None:
    user = require_person(actor)
    kind, _, raw_id = (key or "").partition(":")
    if not raw_id.isdigit():
        raise NotFound()
    with transaction.atomic():
        if kind == "new_post":
            document = document_visible_or_404(user, raw_id)
            DocumentSeen.objects.get_or_create(user=user, document=document)
            event_append(action="desk_done", object_type="document", object_id=document.pk,
                         actor=actor, data={"kind": kind})
        elif kind == "handed":
            scope = desk_scope(user)
            handover = (Handover.objects.select_for_update()
                        .filter(pk=int(raw_id), to_user_id__in=scope.user_ids,
                                done_at__isnull=True).first())
            if handover is None:
                raise NotFound()
            handover.done_at = timezone.now()
            handover.save(update_fields=["done_at"])
            event_append(action="desk_done", object_type="handover", object_id=handover.pk,
                         actor=actor, data={"kind": kind, "to": handover.to_user_id})
        else:
            raise NotFound()

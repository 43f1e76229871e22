"""What the classifier may learn from: post a person filed or whose type a person set or
confirmed, with the text of its latest version. Destroyed documents and those of destroyed or
restricted case files never count (restriction forbids further processing).

Light on imports: the review page counts the examples (examples.py) without scikit-learn."""
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery

from archive.models import Document, Event, Version

if TYPE_CHECKING:
    from .model import TrainingSet

# Events that show a person decided a document's filing or type. "moved" is the mailroom's
# filing out of the inbox (confirming or correcting the suggestion); "changed" counts when it
# changed the type; "confirmed" is the review's explicit confirmation.
PERSON_EVENTS = ("moved", "confirmed")


def min_examples_per_type() -> int:
    return getattr(settings, "CLASSIFIER_MIN_EXAMPLES_PER_TYPE", 20)


def _decided_by_a_person() -> set[str]:
    events = Event.objects.filter(object_type="document").filter(
        Q(action__in=PERSON_EVENTS) | Q(action="changed", data__changes__has_key="document_type"))
    return set(events.values_list("object_id", flat=True).distinct())


def training_documents():
    """Documents fit to learn from (all of them: training is the system's own processing, not
    a user's read, and what it keeps is the vocabulary rule's business)."""
    decided = [int(pk) for pk in _decided_by_a_person() if pk.isdigit()]
    return _fit_documents().filter(pk__in=decided).exclude(document_type="")


def _fit_documents():
    return Document.objects.filter(destroyed_at__isnull=True, case_file__isnull=False,
                                   case_file__destroyed_at__isnull=True,
                                   case_file__restricted=False)


def training_set() -> "TrainingSet":
    return _rows(training_documents())


def vocabulary_pool(exclude_ids, limit: int) -> "TrainingSet":
    """At most `limit` of the newest filed documents whose type no person decided (their
    type is not used): they only widen the vocabulary rule's count of case files. The same
    documents are barred as from training, and the model records their ids, so that a
    destruction retires it as well."""
    from .model import TrainingSet

    if limit <= 0:
        return TrainingSet(texts=[], types=[], units=[], case_files=[], groups=[])
    newest = list(_fit_documents().exclude(pk__in=list(exclude_ids))
                  .order_by("-pk").values_list("pk", flat=True)[:limit])
    return _rows(Document.objects.filter(pk__in=newest), labelled=False)


def _rows(documents, labelled: bool = True) -> "TrainingSet":
    # Imported here: the review page counts examples without loading scikit-learn.
    from .model import TrainingSet

    latest_text = Subquery(Version.objects.filter(document=OuterRef("pk"))
                           .order_by("-number").values("text")[:1])
    rows = (documents.annotate(latest_text=latest_text)
            .values_list("pk", "document_type", "case_file_id", "case_file__unit__code",
                         "sender", "latest_text")
            .order_by("pk"))
    data = TrainingSet(texts=[], types=[], units=[], case_files=[], groups=[], document_ids=[])
    for pk, type_key, case_file_id, unit, sender, text in rows.iterator(chunk_size=2000):
        if not (text or "").strip():
            continue
        data.document_ids.append(pk)
        data.texts.append(text)
        data.types.append(type_key if labelled else "")
        data.units.append(unit or "")
        data.case_files.append(case_file_id)
        # Held-out figures must be about senders the model has not seen: letters of one
        # sender share a layout and wording. Without a sender, the case file stands in.
        normalised = " ".join((sender or "").lower().split())
        data.groups.append(f"sender:{normalised}" if normalised else f"case:{case_file_id}")
    return data


def examples_needed(data: "TrainingSet | None" = None, type_keys=None) -> dict[str, dict]:
    """Per type: how many confirmed examples exist and how many the classifier needs before
    it learns that type ({"antrag": {"have": 12, "need": 20}, ...}). The types are the
    archive's document types where that list exists, else those seen in the examples."""
    data = data if data is not None else training_set()
    need = min_examples_per_type()
    keys = list(type_keys) if type_keys is not None else _known_type_keys()
    counts: dict[str, int] = {}
    for type_key in data.types:
        counts[type_key] = counts.get(type_key, 0) + 1
    return {key: {"have": counts.get(key, 0), "need": need}
            for key in sorted(set(keys) | set(counts))}


def _known_type_keys() -> list[str]:
    from django.apps import apps

    try:  # the document types as data arrive with another branch; until then, none
        model = apps.get_model("archive", "DocumentType")
    except LookupError:
        return []
    fields = {f.name for f in model._meta.get_fields()}
    rows = model.objects.all()
    if "active" in fields:
        rows = rows.filter(active=True)
    return list(rows.values_list("key", flat=True))


def trainable(data: "TrainingSet") -> "TrainingSet":
    """Only the types with enough examples: a type with three examples would be learned
    badly and claimed confidently. At least two such types, else nothing."""
    need = min_examples_per_type()
    counts = examples_needed(data, type_keys=[])
    ready = {key for key, row in counts.items() if row["have"] >= need}
    if len(ready) < 2:
        return data.subset([])
    return data.subset(i for i, key in enumerate(data.types) if key in ready)

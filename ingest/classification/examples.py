"""How many confirmed examples each document type still needs before the learned classifier
takes it over from the rules: for the review page and the command line. Counted in the
database (no texts loaded, no scikit-learn), by the same rule as the training set: post a
person filed or confirmed, in a case file, with a type and a text."""
from django.db.models import Count, OuterRef, Subquery

from archive.models import Version

from .training_data import _known_type_keys, min_examples_per_type, training_documents


def examples_counted() -> dict[str, int]:
    """Per type key: the confirmed examples the classifier may learn from."""
    latest_text = Subquery(Version.objects.filter(document=OuterRef("pk"))
                           .order_by("-number").values("text")[:1])
    rows = (training_documents().annotate(latest_text=latest_text)
            .exclude(latest_text__isnull=True).exclude(latest_text="")
            .order_by().values("document_type").annotate(count=Count("pk")))
    return {row["document_type"]: row["count"] for row in rows}


def examples_needed() -> dict[str, int]:
    """Per document type (the active ones, and any type that has examples): how many more
    confirmed examples it needs before the learned model classifies it; 0 when it has
    enough. {"antrag": 0, "vollmacht": 17, ...}"""
    need = min_examples_per_type()
    counted = examples_counted()
    return {key: max(0, need - counted.get(key, 0))
            for key in sorted(set(_known_type_keys()) | set(counted))}

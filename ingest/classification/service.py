"""Training on demand and on schedule, and the classifier's status."""
import resource
import time

from django.conf import settings

from .features import MIN_CASE_FILES
from .files import model_metadata, model_versions
from .model import model_save, train
from .predict import current_model
from .training_data import examples_needed, trainable, training_set, vocabulary_pool

POOL_UP_TO = 10_000


def classifier_train(*, kind: str = "logreg") -> dict:
    """Train on what people filed or confirmed; save and return the figures. Without enough
    examples for two types, nothing is trained and the rules keep deciding."""
    started = time.monotonic()
    everything = training_set()
    needed = examples_needed(everything)
    data = trainable(everything)
    if not len(data):
        return {"trained": False, "reason": "zu wenige bestätigte Beispiele", "needed": needed}
    min_case_files = getattr(settings, "CLASSIFIER_MIN_CASE_FILES", MIN_CASE_FILES)
    # Other filed post widens the vocabulary rule's count (never an example): with few
    # confirmed letters the rule would keep out most words of the trade. Topped up to
    # POOL_UP_TO documents in all, so that training time and memory stay those measured.
    pool = vocabulary_pool(exclude_ids=data.document_ids,
                           limit=getattr(settings, "CLASSIFIER_POOL_UP_TO", POOL_UP_TO)
                           - len(data))
    model = model_save(train(data, kind=kind, min_case_files=min_case_files, pool=pool))
    figures = {key: value for key, value in model.metadata.items() if key != "document_ids"}
    return {"trained": True, "version": model.version, **figures,
            "seconds": round(time.monotonic() - started, 2),
            # the whole process's peak (Linux reports KiB)
            "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "needed": needed}


def classifier_status() -> dict:
    versions = model_versions()
    model = current_model()
    metadata = model_metadata(model.version) if model is not None else {}
    return {
        "model": model.version if model is not None else None,
        "stored_versions": versions,
        "uses": "model" if model is not None else "rules",
        "trained_at": metadata.get("trained_at"),
        "type_threshold": metadata.get("type_threshold"),
        "unit_threshold": metadata.get("unit_threshold"),
        "cross_validation": metadata.get("cross_validation"),
        "needed": examples_needed(),
    }

"""The document type (and the unit) of a letter for the pipeline: the learned classifier when a
trained model is in use (one that learned from no destroyed or restricted post), else the
administrator's rules. Either way the suggestion records who decided ("model_version": the
model's version, or "rules"), how sure it was and the words that decided."""
from archive.services.doctypes import document_types_for_recognition

from ..classification.predict import classify as classify_learned
from .rules import classify as classify_by_rules_of


def suggest_document_type(text: str) -> dict:
    """The job's "document_type" suggestion (JSON): key, name, default process, confidence,
    model version (or "rules"), the reasons, and whether the model's confidence reached the
    threshold measured on held-out post (auto_file); the unit as the model sees it."""
    types = document_types_for_recognition()

    def rules(letter: str):
        return classify_by_rules_of(letter, types)

    learned = classify_learned(text, rules=rules)
    reasons = list(learned.reasons)
    if learned.source == "rules":
        # classify() puts why the rules decide first; the rules' own reasons are what the
        # review shows as the words that decided.
        reasons = reasons[1:] + reasons[:1]
    chosen = next((t for t in types if t.key == learned.type_key), None)
    return {
        "value": learned.type_key or None,
        "confidence": round(float(learned.type_confidence), 4),
        "model_version": learned.model_version or "rules",
        "source": learned.source,
        "reason": reasons,
        "auto_file": bool(learned.auto_file),
        "name": chosen.name if chosen else None,
        "process": (chosen.process_name or None) if chosen else None,
    }, {
        "value": learned.unit, "confidence": round(float(learned.unit_confidence), 4),
        "model_version": learned.model_version or "rules",
        "auto_route": bool(learned.auto_route),
    }

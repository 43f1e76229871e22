"""The document type (and the unit) of a letter for the pipeline: the learned classifier when a
trained model is in use (one that learned from no destroyed or restricted post), else the
administrator's rules. Either way the suggestion records who decided ("model_version": the
model's version, or "rules"), how sure it was and the words that decided."""
from archive.services.doctypes import document_types_for_recognition

from ..classification.files import model_versions
from .rules import NO_RULE_MATCHED
from .rules import classify as classify_by_rules_of

NO_MODEL = "noch kein gelerntes Modell: Regeln der Dokumenttypen"


def suggest_document_type(text: str) -> dict:
    """The job's "document_type" suggestion (JSON): key, name, default process, confidence,
    model version (or "rules"), the reasons, and whether the model's confidence reached the
    threshold measured on held-out post (auto_file); the unit as the model sees it."""
    types = document_types_for_recognition()

    def rules(letter: str):
        return classify_by_rules_of(letter, types)

    if model_versions():
        # scikit-learn only where a model exists: a worker of a fresh instance stays small
        from ..classification.predict import classify as classify_learned

        learned = classify_learned(text, rules=rules)
        key, confidence, reasons = learned.type_key, learned.type_confidence, learned.reasons
        version, source, auto_file = learned.model_version, learned.source, learned.auto_file
        unit, unit_confidence, auto_route = (learned.unit, learned.unit_confidence,
                                             learned.auto_route)
        if source == "rules":
            reasons = [*reasons[1:], reasons[0]]  # the rules' words first, then why rules
    else:
        key, confidence, reasons = rules(text)
        reasons = [*(reasons or [NO_RULE_MATCHED]), NO_MODEL]
        version, source, auto_file = None, "rules", False
        unit, unit_confidence, auto_route = None, 0.0, False
    chosen = next((t for t in types if t.key == key), None)
    return {
        "value": key or None,
        "confidence": round(float(confidence or 0.0), 4),
        "model_version": version or "rules",
        "source": source,
        "reason": list(reasons),
        "auto_file": bool(auto_file),
        "name": chosen.name if chosen else None,
        "process": (chosen.process_name or None) if chosen else None,
    }, {
        "value": unit or None, "confidence": round(float(unit_confidence or 0.0), 4),
        "model_version": version or "rules", "auto_route": bool(auto_route),
    }

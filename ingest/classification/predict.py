"""The entry point: classify(text) -> Suggestion. With a usable model, its type and unit with
their measured confidences and the words that decided; without one, the rules passed in."""
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from .files import model_metadata, model_versions, models_dir
from .model import Model, model_load

REASON_WORDS = 5


@dataclass(frozen=True)
class Suggestion:
    type_key: str | None
    type_confidence: float
    unit: str | None
    unit_confidence: float
    model_version: str | None  # None: the rules decided
    reasons: list[str] = field(default_factory=list)
    auto_file: bool = False  # the type's confidence reached the measured threshold
    auto_route: bool = False  # the unit's confidence reached its measured threshold
    source: str = "model"  # "model" or "rules"

    def as_dict(self) -> dict:
        """For IngestJob.suggestions and the events: every suggestion records the model
        version and the confidence."""
        return asdict(self)


# (type key, confidence, reasons): the rule-based classification's result; a NamedTuple with
# those three fields fits.
Rules = Callable[[str], tuple]

_lock = threading.Lock()
_loaded: dict[str, Model] = {}
_refused: set[str] = set()


def current_model() -> Model | None:
    """The newest model that contains no destroyed or restricted document; None if there is
    none. A model file that disappeared (retired after a destruction) is dropped from memory
    at the next call."""
    directory = models_dir()
    versions = model_versions(directory)
    with _lock:
        for version in list(_loaded):
            if version not in versions:
                del _loaded[version]
        for version in reversed(versions):
            if version in _refused:
                continue
            if version in _loaded:
                return _loaded[version]
            from .stale import learned_from_withdrawn  # the database check, once per version

            if learned_from_withdrawn(model_metadata(version, directory)):
                _refused.add(version)
                continue
            _loaded[version] = model_load(version, directory)
            return _loaded[version]
    return None


def forget_loaded() -> None:
    with _lock:
        _loaded.clear()
        _refused.clear()


def _coefficients(head) -> np.ndarray | None:
    """The (classes x features) weights of a linear head, averaged over a calibrated
    ensemble; None for a head without them."""
    if hasattr(head, "coef_"):
        return head.coef_
    calibrated = getattr(head, "calibrated_classifiers_", None)
    if calibrated:
        return np.mean([c.estimator.coef_ for c in calibrated], axis=0)
    return None


def deciding_words(model: Model, row, type_key: str, limit: int = REASON_WORDS) -> list[str]:
    """The words of this text that pushed most towards the chosen type (word n-grams only:
    character n-grams explain nothing to a reader)."""
    coefficients = _coefficients(model.type_head)
    if coefficients is None:
        return []
    classes = list(model.type_head.classes_)
    index = classes.index(type_key)
    weights = coefficients[0] * (1 if index == 1 else -1) if len(coefficients) == 1 \
        else coefficients[index]
    words = model.vocabulary.word_feature_count()
    columns, values = row.indices, row.data
    contribution = values * weights[columns]
    order = np.argsort(-contribution)
    names = _word_names(model.vocabulary) if words else []
    return [str(names[columns[i]]) for i in order
            if columns[i] < words and contribution[i] > 0][:limit]


def _word_names(vocabulary) -> np.ndarray:
    """The word block's terms by column, built once per loaded model (not on every call)."""
    names = getattr(vocabulary, "_word_names", None)
    if names is None:
        names = vocabulary.vectorizers[0].get_feature_names_out()
        vocabulary._word_names = names
    return names


def _by_rules(text: str, rules: Rules | None, why: str) -> Suggestion | None:
    if rules is None:
        return None
    key, confidence, reasons = rules(text)
    return Suggestion(type_key=key or None, type_confidence=float(confidence or 0.0),
                      unit=None, unit_confidence=0.0, model_version=None,
                      reasons=[why, *list(reasons or [])], source="rules")


def classify(text: str, *, rules: Rules | None = None) -> Suggestion | None:
    """The type (and unit) of a letter. Auto-filing is suggested only at or above the
    threshold measured on held-out letters; below it the reasons go to the review."""
    model = current_model()
    if model is None:
        return _by_rules(text, rules, "noch kein gelerntes Modell: Regeln der Dokumenttypen")
    types, type_conf, units, unit_conf, matrix = model.predict([text])
    type_key, confidence = types[0], float(type_conf[0])
    auto_file = confidence >= model.type_threshold
    words = deciding_words(model, matrix[0], type_key)
    reasons = [f"entscheidende Wörter: {', '.join(words)}" if words
               else "keine entscheidenden Wörter erkannt"]
    if auto_file:
        reasons.append(f"Sicherheit {confidence:.2f} ab Schwelle {model.type_threshold:.2f}, "
                       "die auf ungesehenen Absendern zu 99 % richtig lag")
    else:
        reasons.append(f"Sicherheit {confidence:.2f} unter der Schwelle "
                       f"{min(model.type_threshold, 1.0):.2f}: bitte prüfen")
    if rules is not None:
        rule_key = rules(text)[0]
        if rule_key and rule_key not in set(model.type_head.classes_):
            # A type the model has too few examples of: the model cannot know it.
            auto_file = False
            reasons.append(f"Regeln erkennen den noch nicht gelernten Typ {rule_key}")
    unit, unit_confidence = units[0], float(unit_conf[0])
    return Suggestion(
        type_key=type_key, type_confidence=round(confidence, 4), unit=unit or None,
        unit_confidence=round(unit_confidence, 4), model_version=model.version,
        reasons=reasons, auto_file=bool(auto_file),
        auto_route=bool(unit and unit_confidence >= model.unit_threshold), source="model")



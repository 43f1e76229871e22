"""The learned classifier: once enough confirmed examples exist, word and character n-grams
feed a linear model whose probabilities are calibrated, so that its confidence can be compared
with the autofile threshold like any other suggestion. Until then (and for a type that has no
examples yet) the types' rules decide (rules.py).

Character n-grams keep OCR slips ("Widerspruchsbeseheid") close to the right word; words and
word pairs carry the phrases ("lege ich Widerspruch ein")."""
from collections import Counter
from dataclasses import dataclass

from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline

from .rules import Classification, classify

# Confirmed examples a type needs before the model may speak for it, and types the model needs
# (a model of one type has nothing to tell apart).
MIN_EXAMPLES_PER_TYPE = 8
MIN_TYPES = 2
CALIBRATION_FOLDS = 3
# A rule that names a type the model never saw wins over the model from this confidence on.
RULE_FOR_UNSEEN_TYPE = 0.6


def trainable(labels) -> dict[str, int]:
    """The types with enough confirmed examples, with their counts."""
    counts = Counter(label for label in labels if label)
    return {key: n for key, n in sorted(counts.items()) if n >= MIN_EXAMPLES_PER_TYPE}


def enough_examples(labels) -> bool:
    return len(trainable(labels)) >= MIN_TYPES


@dataclass
class LearnedClassifier:
    model: object
    keys: list[str]
    examples: int

    @classmethod
    def fit(cls, texts, labels) -> "LearnedClassifier":
        """Train on confirmed examples; types with too few examples are left to the rules."""
        keep = trainable(labels)
        if len(keep) < MIN_TYPES:
            raise ValueError("not enough confirmed examples to learn from")
        pairs = [(text, label) for text, label in zip(texts, labels, strict=True)
                 if label in keep]
        features = FeatureUnion([
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                      min_df=1, max_features=50_000)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                                      min_df=2, max_features=100_000)),
        ])
        linear = LogisticRegression(C=10.0, max_iter=2000)
        # sigmoid calibration per class on held-out folds: probabilities that mean what they say
        calibrated = CalibratedClassifierCV(linear, method="sigmoid", cv=CALIBRATION_FOLDS)
        model = make_pipeline(features, calibrated)
        model.fit([text for text, _ in pairs], [label for _, label in pairs])
        return cls(model=model, keys=list(model.classes_), examples=len(pairs))

    def probabilities(self, text: str) -> dict[str, float]:
        row = self.model.predict_proba([text or ""])[0]
        return dict(zip(self.keys, (float(p) for p in row), strict=True))

    def predict(self, text: str) -> Classification:
        ranked = sorted(self.probabilities(text).items(), key=lambda kv: (-kv[1], kv[0]))
        (key, probability), (second, second_probability) = ranked[0], ranked[1]
        reasons = [f"gelernt aus {self.examples} bestätigten Beispielen: "
                   f"{key} mit {probability:.0%}",
                   f"nächstbester Typ: {second} mit {second_probability:.0%}"]
        return Classification(key, round(probability, 2), reasons)


def classify_combined(text: str, document_types, learned: LearnedClassifier | None
                      ) -> Classification:
    """The model where it has learned, the rules where it has not: a fresh instance (no model)
    and a type the administrator added after training are classified by their rules."""
    by_rules = classify(text, document_types)
    if learned is None:
        return by_rules
    if by_rules.key and by_rules.key not in learned.keys \
            and by_rules.confidence >= RULE_FOR_UNSEEN_TYPE:
        return Classification(by_rules.key, by_rules.confidence,
                              [*by_rules.reasons, "Typ hat noch keine gelernten Beispiele"])
    return learned.predict(text)

"""Training, cross-validation, the auto-filing threshold, and the model files.

A model is two linear heads on one vocabulary: the document type and the target unit. Its
confidence is made meaningful by measuring it: every training run predicts each example out of
fold (a model that never saw that example's sender group), and the auto-filing threshold is the
lowest confidence at which those held-out predictions were at least 99 % right."""
import hashlib
import io
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
from django.utils import timezone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from threadpoolctl import threadpool_limits

from .features import MIN_CASE_FILES, CaseFileVocabulary
from .files import KEEP_MODELS, model_delete, model_versions, models_dir, write_private

TARGET_PRECISION = 0.99
# Below this many held-out predictions above it, a threshold's precision is not known well
# enough: nothing is auto-filed.
MIN_THRESHOLD_SUPPORT = 30
FOLDS = 5
NEVER = 1.01  # a threshold no confidence reaches
LARGE = 5000
LARGE_FOLDS = 2  # from LARGE examples on: each fold still holds out thousands


@dataclass
class TrainingSet:
    texts: list[str]
    types: list[str]
    units: list[str]
    case_files: list  # the vocabulary rule counts these
    groups: list  # cross-validation holds out whole groups (senders, else case files)
    document_ids: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, rows) -> "TrainingSet":
        pick = list(rows)
        return TrainingSet(
            texts=[self.texts[i] for i in pick], types=[self.types[i] for i in pick],
            units=[self.units[i] for i in pick], case_files=[self.case_files[i] for i in pick],
            groups=[self.groups[i] for i in pick],
            document_ids=[self.document_ids[i] for i in pick] if self.document_ids else [])


def _linear(kind: str):
    if kind == "logreg":
        return LogisticRegression(C=20.0, tol=1e-3, max_iter=2000)
    if kind == "svc":
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.svm import LinearSVC

        return CalibratedClassifierCV(LinearSVC(C=0.5), method="sigmoid", cv=3)
    raise ValueError(f"unknown model kind {kind}")


@dataclass
class Model:
    """The fitted parts and what was measured when they were made."""

    vocabulary: CaseFileVocabulary
    type_head: object
    unit_head: object | None
    type_threshold: float = NEVER
    unit_threshold: float = NEVER
    version: str = ""
    metadata: dict = field(default_factory=dict)

    def predict(self, texts: list[str]):
        """(type keys, type confidences, units, unit confidences, feature matrix)."""
        matrix = self.vocabulary.transform(texts)
        types, type_conf = _best(self.type_head, matrix)
        if self.unit_head is None:
            units, unit_conf = [None] * len(texts), np.zeros(len(texts))
        else:
            units, unit_conf = _best(self.unit_head, matrix)
        return types, type_conf, units, unit_conf, matrix


class _Constant:
    """A head for a label that has a single value in the training data."""

    def __init__(self, value):
        self.classes_ = np.array([value])

    def predict_proba(self, matrix):
        return np.ones((matrix.shape[0], 1))


def _best(head, matrix):
    probabilities = head.predict_proba(matrix)
    best = probabilities.argmax(axis=1)
    return head.classes_[best].tolist(), probabilities.max(axis=1)


def _fit_head(kind: str, matrix, labels, start=None):
    if len(set(labels)) < 2:
        return _Constant(labels[0])
    head = _linear(kind)
    if start is None or kind != "logreg":
        return head.fit(matrix, labels)
    # The same convex problem from a better starting point: fewer solver iterations.
    head.set_params(warm_start=True)
    head.coef_, head.intercept_ = start
    head.fit(matrix, labels)
    head.set_params(warm_start=False)
    return head


def _mean_start(fold_heads: list, final_columns: np.ndarray, labels):
    """The cross-validation models' mean weights, carried to the final model's columns, as
    the start of its fit; None where a fold's head has other classes or no weights.
    final_columns and each fold's columns number the counted terms, ascending; a fold's
    terms are all in the final vocabulary (the rule holds on a superset of documents)."""
    classes = np.unique(np.asarray(labels, dtype=object))
    coefficients, intercepts = [], []
    for head, columns in fold_heads:
        if not hasattr(head, "coef_") or list(head.classes_) != list(classes):
            return None
        position = np.searchsorted(final_columns, columns)
        found = position < len(final_columns)
        found[found] = final_columns[position[found]] == columns[found]
        coefficient = np.zeros((head.coef_.shape[0], len(final_columns)))
        coefficient[:, position[found]] = head.coef_[:, found]
        coefficients.append(coefficient)
        intercepts.append(head.intercept_)
    if not coefficients:
        return None
    return np.mean(coefficients, axis=0), np.mean(intercepts, axis=0)


def fit(data: TrainingSet, *, kind: str = "logreg",
        min_case_files: int = MIN_CASE_FILES, chars: bool = True,
        pool: TrainingSet | None = None) -> Model:
    """The model without cross-validation (no thresholds). `pool`: filed post whose type no
    person confirmed; its labels are not used, it only widens the vocabulary rule's count
    (a term of the trade is in the post of many case files) and the idf."""
    # One thread: on a shared machine, BLAS threads fighting over cores made fits ten times
    # slower, and the linear solvers gain little from them.
    with threadpool_limits(limits=1):
        return _fit(data, kind=kind, min_case_files=min_case_files, chars=chars, pool=pool)


def _fit(data: TrainingSet, *, kind: str, min_case_files: int, chars: bool,
         pool: TrainingSet | None) -> Model:
    vocabulary = CaseFileVocabulary(min_case_files=min_case_files, chars=chars)
    if pool is None or not len(pool):
        matrix = vocabulary.fit_transform(data.texts, data.case_files)
    else:
        counted = vocabulary.counted(data.texts + pool.texts)
        vocabulary, matrix = counted.fit_all(data.case_files + pool.case_files,
                                             rows=np.arange(len(data)))
    type_head, unit_head = _fit_heads(kind, matrix, data)
    return Model(vocabulary=vocabulary, type_head=type_head, unit_head=unit_head)


def _fit_heads(kind: str, matrix, data: TrainingSet):
    unit_head = _fit_head(kind, matrix, data.units) if any(data.units) else None
    return _fit_head(kind, matrix, data.types), unit_head


def choose_threshold(confidences, correct, *, precision: float = TARGET_PRECISION,
                     min_support: int = MIN_THRESHOLD_SUPPORT) -> float:
    """The lowest confidence t such that the held-out predictions with confidence >= t are at
    least `precision` right and number at least min_support; NEVER if there is none."""
    order = np.argsort(-np.asarray(confidences, dtype=float), kind="stable")
    ranked = np.asarray(confidences, dtype=float)[order]
    hits = np.cumsum(np.asarray(correct, dtype=bool)[order])
    counts = np.arange(1, len(ranked) + 1)
    ok = (hits / counts >= precision) & (counts >= min_support)
    # only where the next prediction has a lower confidence: a threshold takes ties together
    boundary = np.append(ranked[1:] < ranked[:-1], True)
    candidates = np.flatnonzero(ok & boundary)
    if not len(candidates):
        return NEVER
    return float(ranked[candidates[-1]])


def auto_file_figures(confidences, correct, threshold: float) -> dict:
    confidences, correct = np.asarray(confidences), np.asarray(correct, dtype=bool)
    chosen = confidences >= threshold
    return {"threshold": round(float(threshold), 4),
            "coverage": round(float(chosen.mean()), 4) if len(chosen) else 0.0,
            "precision": round(float(correct[chosen].mean()), 4) if chosen.any() else None,
            "count": int(chosen.sum())}


def out_of_fold(data: TrainingSet, *, kind: str = "logreg", folds: int = FOLDS,
                min_case_files: int = MIN_CASE_FILES, seed: int = 0, chars: bool = True,
                counted=None, pool: TrainingSet | None = None) -> dict:
    """Every example predicted by a model that saw none of its group: neither its labelled
    letters nor the group's unlabelled post in the pool. `counted` holds the data's rows
    and then the pool's."""
    groups = np.asarray(data.groups)
    if len(data) >= LARGE:
        folds = min(folds, LARGE_FOLDS)  # enough held-out predictions, at less cost
    n_splits = min(folds, len(set(data.groups)))
    if n_splits < 2:
        raise ValueError("too few groups to cross-validate")
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    types = np.empty(len(data), dtype=object)
    units = np.empty(len(data), dtype=object)
    type_conf, unit_conf = np.zeros(len(data)), np.zeros(len(data))
    fold_heads = []  # (type head, unit head, the counted columns of the fold's vocabulary)
    # Tokenised once; each fold still gets a vocabulary of its training rows only.
    pool = pool if pool is not None and len(pool) else None
    if counted is None:
        counted = CaseFileVocabulary(min_case_files=min_case_files, chars=chars).counted(
            data.texts + (pool.texts if pool else []))
    case_files = data.case_files + (pool.case_files if pool else [])
    pool_groups = np.asarray(pool.groups if pool else [], dtype=object)
    with threadpool_limits(limits=1):
        for train, test in splitter.split(np.zeros(len(data)), data.types, groups):
            rule_rows = None
            if pool:
                held_out = list(set(groups[test].tolist()))
                pool_rows = np.flatnonzero(~np.isin(pool_groups, np.asarray(held_out,
                                                                            dtype=object)))
                rule_rows = np.concatenate([train, len(data) + pool_rows])
            train_matrix, test_matrix = counted.fold(train, test, case_files,
                                                     rule_rows=rule_rows)
            type_head, unit_head = _fit_heads(kind, train_matrix, data.subset(train))
            fold_heads.append((type_head, unit_head, counted.columns))
            types[test], type_conf[test] = _best(type_head, test_matrix)
            if unit_head is not None:
                units[test], unit_conf[test] = _best(unit_head, test_matrix)
    return {"types": types, "type_conf": type_conf, "units": units, "unit_conf": unit_conf,
            "type_correct": types == np.asarray(data.types, dtype=object),
            "unit_correct": units == np.asarray(data.units, dtype=object),
            "fold_heads": fold_heads}


def train(data: TrainingSet, *, kind: str = "logreg", folds: int = FOLDS,
          min_case_files: int = MIN_CASE_FILES, precision: float = TARGET_PRECISION,
          min_support: int = MIN_THRESHOLD_SUPPORT, chars: bool = True,
          pool: TrainingSet | None = None) -> Model:
    """Cross-validate, choose the thresholds from the held-out predictions, fit on all.
    `pool`: as for fit()."""
    started = time.monotonic()
    pool = pool if pool is not None and len(pool) else None
    counted = CaseFileVocabulary(min_case_files=min_case_files, chars=chars).counted(
        data.texts + (pool.texts if pool else []))
    held_out = out_of_fold(data, kind=kind, folds=folds, min_case_files=min_case_files,
                           chars=chars, counted=counted, pool=pool)
    type_threshold = choose_threshold(held_out["type_conf"], held_out["type_correct"],
                                      precision=precision, min_support=min_support)
    unit_threshold = choose_threshold(held_out["unit_conf"], held_out["unit_correct"],
                                      precision=precision, min_support=min_support)
    # The final model from the same tokenisation: as fit() would make it.
    vocabulary, matrix = counted.fit_all(data.case_files + (pool.case_files if pool else []),
                                         rows=np.arange(len(data)) if pool else None)
    folds_ = held_out["fold_heads"]
    with threadpool_limits(limits=1):
        type_head = _fit_head(kind, matrix, data.types, _mean_start(
            [(t, columns) for t, _, columns in folds_], counted.columns, data.types))
        unit_head = _fit_head(kind, matrix, data.units, _mean_start(
            [(u, columns) for _, u, columns in folds_], counted.columns, data.units)
        ) if any(data.units) else None
    model = Model(vocabulary=vocabulary, type_head=type_head, unit_head=unit_head)
    model.type_threshold, model.unit_threshold = type_threshold, unit_threshold
    counts = {key: data.types.count(key) for key in sorted(set(data.types))}
    model.metadata = {
        "kind": kind, "character_ngrams": chars, "documents": len(data), "types": counts,
        "units": sorted({unit for unit in data.units if unit}),
        "min_case_files": min_case_files, "vocabulary_size": len(model.vocabulary.terms()),
        "vocabulary_pool": len(pool) if pool else 0,
        "cross_validation": {
            "folds": min(folds if len(data) < LARGE else min(folds, LARGE_FOLDS),
                         len(set(data.groups))),
            "grouped_by": "sender",
            "type_accuracy": round(float(held_out["type_correct"].mean()), 4),
            "unit_accuracy": round(float(held_out["unit_correct"].mean()), 4),
            "auto_file": auto_file_figures(held_out["type_conf"], held_out["type_correct"],
                                           type_threshold),
            "auto_route": auto_file_figures(held_out["unit_conf"], held_out["unit_correct"],
                                            unit_threshold),
            "target_precision": precision,
        },
        "type_threshold": type_threshold, "unit_threshold": unit_threshold,
        "seconds": round(time.monotonic() - started, 2),
        # Which documents the model learned from: a destruction of any of them retires it.
        "document_ids": sorted([*data.document_ids, *(pool.document_ids if pool else [])]),
    }
    return model


# --- files ----------------------------------------------------------------------------------

def model_save(model: Model, directory: Path | None = None) -> Model:
    """Write classifier-<version>.joblib (0600) and its .json metadata. The version is the
    UTC time of training (sortable, increasing) and a hash of the model's bytes."""
    directory = directory or models_dir()
    buffer = io.BytesIO()
    model.version = ""
    joblib.dump(model, buffer)
    digest = hashlib.sha256(buffer.getvalue()).hexdigest()[:10]
    model.version = f"{timezone.now():%Y%m%dT%H%M%S%fZ}-{digest}"
    model.metadata["version"] = model.version
    model.metadata["trained_at"] = timezone.now().isoformat()
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    write_private(directory / f"classifier-{model.version}.joblib", buffer.getvalue())
    write_private(directory / f"classifier-{model.version}.json",
                   json.dumps(model.metadata, indent=1).encode())
    for old in model_versions(directory)[:-KEEP_MODELS]:
        model_delete(old, directory)
    return model


def model_load(version: str, directory: Path | None = None) -> Model:
    return joblib.load((directory or models_dir()) / f"classifier-{version}.joblib")

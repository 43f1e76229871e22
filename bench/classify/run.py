"""Classifier benchmark (not a test): `python -m bench.classify [--ocr all] [--senders 15] ...`

Every figure is measured on letters of senders whose layouts and wordings were not in
training: the last --test-senders houses of the corpus are held out, the others train.
Candidates of the project's classifier (word and character n-grams into a linear model) run
beside a baseline on the same split in the same run: the recipe paperless-ngx documents for
its automatic matching, a bag of words (CountVectorizer) into a small neural network
(MLPClassifier), implemented here from that description.

--ocr all: every letter is rendered as a scan and read by tesseract (cached in cache/);
--ocr test: only the held-out letters are scanned, training uses the typed text;
--ocr none: typed text only (quick, for development).
The training time and peak memory at --scale documents are measured in a child process on
typed text (10,000 scans would take days to OCR on the shared machine)."""
import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ingest.classification.model import (  # noqa: E402
    TrainingSet,
    auto_file_figures,
    fit,
    model_save,
    train,
)
from ingest.classification.predict import deciding_words  # noqa: E402
from tests.fixtures.typed_letters import TYPES, corpus  # noqa: E402

from .corpus import ocr_corpus  # noqa: E402

PERSONS = 60
CANDIDATES = {  # name: (linear model, character n-grams, vocabulary pool)
    "logreg words+chars": ("logreg", True, True),
    "logreg words+chars, no pool": ("logreg", True, False),
    "logreg words": ("logreg", False, True),
    "svc words+chars": ("svc", True, True),
}
DEFAULT_CANDIDATES = "logreg words+chars,logreg words+chars, no pool,logreg words"


def _letters(args, houses_range, per_type):
    letters, _, houses = corpus(senders=args.senders, per_type=per_type, persons=PERSONS,
                                only_senders=set(houses_range))
    return letters, houses


def _texts(letters, houses, scanned: bool) -> list[str]:
    if not scanned:
        return [letter.text for letter in letters]
    started = time.monotonic()
    return ocr_corpus(letters, houses, progress=lambda done, total: print(
        f"  OCR {done}/{total} ({time.monotonic() - started:.0f} s)", file=sys.stderr,
        flush=True))


def _set(letters, texts) -> TrainingSet:
    return TrainingSet(texts=texts, types=[x.type_key for x in letters],
                       units=[x.unit for x in letters], case_files=[x.person for x in letters],
                       groups=[x.house for x in letters])


def _subsample(data: TrainingSet, per_type: int, seed: int = 0):
    """(sample, the rest as the unlabelled pool) or (None, None)."""
    rng = random.Random(seed)
    rows = []
    for type_key in sorted(set(data.types)):
        of_type = [i for i, key in enumerate(data.types) if key == type_key]
        if len(of_type) < per_type:
            return None, None
        rows += rng.sample(of_type, per_type)
    chosen = set(rows)
    return data.subset(rows), data.subset(i for i in range(len(data)) if i not in chosen)


class Baseline:
    """The paperless-ngx recipe from its description: word uni- and bigrams counted
    (CountVectorizer, terms in at least 1 % of the documents) into an MLPClassifier."""

    def __init__(self, seed: int = 0):
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.neural_network import MLPClassifier

        self.vectorizer = CountVectorizer(analyzer="word", ngram_range=(1, 2), min_df=0.01,
                                          lowercase=True)
        self.type_net = MLPClassifier(tol=0.01, random_state=seed)
        self.unit_net = MLPClassifier(tol=0.01, random_state=seed)

    def fit(self, data: TrainingSet) -> "Baseline":
        matrix = self.vectorizer.fit_transform(data.texts)
        self.type_net.fit(matrix, data.types)
        self.unit_net.fit(matrix, data.units)
        return self

    def predict(self, texts):
        matrix = self.vectorizer.transform(texts)
        return self.type_net.predict(matrix), self.unit_net.predict(matrix)


def _accuracy(predicted, truth) -> float:
    return float(np.mean(np.asarray(predicted, dtype=object) == np.asarray(truth, dtype=object)))


def _evaluate_candidate(name, train_set, test_set, folds) -> dict:
    kind, chars, _ = CANDIDATES[name]  # every training letter is labelled: no pool
    started = time.monotonic()
    model = train(train_set, kind=kind, chars=chars, folds=folds)
    seconds = time.monotonic() - started
    types, type_conf, units, unit_conf, _ = model.predict(test_set.texts)
    type_right = np.asarray(types, dtype=object) == np.asarray(test_set.types, dtype=object)
    auto = auto_file_figures(type_conf, type_right, model.type_threshold)
    unit_right = np.asarray(units, dtype=object) == np.asarray(test_set.units, dtype=object)
    route = auto_file_figures(unit_conf, unit_right, model.unit_threshold)
    timings, cpu = [], []  # wall time, and this thread's CPU time (load-independent)
    for text in test_set.texts[:200]:
        begun, begun_cpu = time.perf_counter(), time.thread_time()
        predicted = model.predict([text])
        deciding_words(model, predicted[4][0], predicted[0][0])
        timings.append((time.perf_counter() - begun) * 1000)
        cpu.append((time.thread_time() - begun_cpu) * 1000)
    return {"type_accuracy": float(type_right.mean()), "unit_accuracy": float(unit_right.mean()),
            "auto_file": auto, "auto_route": route, "train_seconds_with_cv": round(seconds, 1),
            "predict_ms_median": round(statistics.median(timings), 2),
            "predict_ms_p95": round(sorted(timings)[int(len(timings) * 0.95) - 1], 2),
            "predict_cpu_ms_median": round(statistics.median(cpu), 2),
            "load_average_1min": round(os.getloadavg()[0], 1),
            "cv": model.metadata["cross_validation"]}


def _learning_curve(names, train_set, test_set, sizes, draws: int) -> dict:
    """Per size, the mean type accuracy over `draws` random draws of the training letters
    (one draw where the size takes all of them); every candidate and the baseline learn
    from the same draw. One draw of five letters per type says little on its own."""
    curve = {}
    for size in sizes:
        per_draw = {name: [] for name in [*names, "baseline"]}
        available = min(Counter(train_set.types).values())
        for seed in range(draws if size < available else 1):
            sample, rest = _subsample(train_set, size, seed=seed)
            if sample is None:
                break
            for name in names:
                kind, chars, pooled = CANDIDATES[name]
                # The other training-sender letters as the unlabelled pool, as the archive's
                # other filed post is in production (never a held-out sender's letter).
                model = fit(sample, kind=kind, chars=chars, pool=rest if pooled else None)
                per_draw[name].append(_accuracy(model.predict(test_set.texts)[0],
                                                test_set.types))
            per_draw["baseline"].append(_accuracy(
                Baseline(seed=seed).fit(sample).predict(test_set.texts)[0], test_set.types))
        if not per_draw["baseline"]:
            curve[size] = None
            continue
        curve[size] = {name: float(np.mean(values)) for name, values in per_draw.items()}
        curve[size]["draws"] = per_draw
    return curve


def _scale_child(documents: int, name: str, folds: int, labelled: int = 0) -> None:
    """Run in a child process: train on `documents` typed letters, print time and peak RSS.
    labelled > 0: only that many (a random draw) are examples, the rest the unlabelled pool."""
    senders = 40
    per_type = -(-documents // (senders * len(TYPES)))  # at least `documents`
    letters, _, _ = corpus(senders=senders, per_type=per_type, persons=max(200, documents // 5))
    data, pool = _set(letters, [x.text for x in letters]), None
    if labelled:
        rows = set(random.Random(0).sample(range(len(data)), labelled))
        data, pool = (data.subset(sorted(rows)),
                      data.subset(i for i in range(len(data)) if i not in rows))
    kind, chars, _ = CANDIDATES[name]
    started, cpu = time.monotonic(), time.process_time()
    fit(data, kind=kind, chars=chars, pool=pool)
    fit_seconds, fit_cpu = time.monotonic() - started, time.process_time() - cpu
    started, cpu = time.monotonic(), time.process_time()
    from django.conf import settings

    if not settings.configured:  # model_save stamps the time
        settings.configure(USE_TZ=True)
    if folds:  # what `registratur classifier train` does after reading the examples
        with tempfile.TemporaryDirectory() as directory:
            model_save(train(data, kind=kind, chars=chars, folds=folds, pool=pool),
                       Path(directory))
    train_seconds, train_cpu = time.monotonic() - started, time.process_time() - cpu
    print(json.dumps({"documents": len(data), "pool": len(pool) if pool else 0,
                      "fit_seconds": round(fit_seconds, 1),
                      "fit_cpu_seconds": round(fit_cpu, 1),
                      "train_with_cv_cpu_seconds": round(train_cpu, 1) if folds else None,
                      "train_with_cv_seconds": round(train_seconds, 1) if folds else None,
                      "load_average_1min": round(os.getloadavg()[0], 1),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF)
                                           .ru_maxrss / 1024)}))


def _scale(documents: int, name: str, folds: int, labelled: int = 0) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.classify", "--scale-child", str(documents),
         "--scale-candidate", name, "--scale-folds", str(folds),
         "--scale-labelled", str(labelled)],
        cwd=ROOT, capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(done.stdout.strip().splitlines()[-1])


def _candidate_names(text: str) -> list[str]:
    """Names separated by commas; a name may itself contain ", " (", no pool")."""
    names = []
    for part in text.split(","):
        if names and f"{names[-1]},{part}" in CANDIDATES:
            names[-1] = f"{names[-1]},{part}"
        elif part.strip():
            names.append(part.strip())
    return names


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths,
                                                                              strict=True))
                     for row in rows)


def _pct(value) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--senders", type=int, default=15)
    parser.add_argument("--test-senders", type=int, default=5)
    parser.add_argument("--per-type", type=int, default=1,
                        help="letters per type and training sender")
    parser.add_argument("--test-per-type", type=int, default=1,
                        help="letters per type and held-out sender")
    parser.add_argument("--ocr", choices=["all", "test", "none"], default="all")
    parser.add_argument("--candidates", default=DEFAULT_CANDIDATES)
    parser.add_argument("--curve", default="5,10,20,50")
    parser.add_argument("--draws", type=int, default=5,
                        help="random draws of the training letters per curve size")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--scale", type=int, default=10000, help="0: skip")
    parser.add_argument("--scale-candidate", default="logreg words+chars")
    parser.add_argument("--scale-folds", type=int, default=5)
    parser.add_argument("--scale-labelled", type=int, default=0,
                        help="of the --scale documents only this many labelled, the rest "
                             "the unlabelled pool (0: all labelled)")
    parser.add_argument("--scale-child", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.scale_child:
        _scale_child(args.scale_child, args.scale_candidate, args.scale_folds,
                     args.scale_labelled)
        return
    names = _candidate_names(args.candidates)
    train_houses = range(0, args.senders - args.test_senders)
    test_houses = range(args.senders - args.test_senders, args.senders)
    train_letters, houses = _letters(args, train_houses, args.per_type)
    test_letters, _ = _letters(args, test_houses, args.test_per_type)
    test_set = _set(test_letters, _texts(test_letters, houses, args.ocr in ("all", "test")))
    train_set = _set(train_letters, _texts(train_letters, houses, args.ocr == "all"))

    results = {"setup": {
        "train_letters": len(train_set), "train_senders": len(train_houses),
        "test_letters": len(test_set), "test_senders": len(test_houses),
        "types": len(TYPES), "ocr": args.ocr, "persons": PERSONS}}
    for name in names:
        print(f"training {name} ...", file=sys.stderr, flush=True)
        results[name] = _evaluate_candidate(name, train_set, test_set, args.folds)
    started = time.monotonic()
    baseline = Baseline().fit(train_set)
    baseline_seconds = time.monotonic() - started
    types, units = baseline.predict(test_set.texts)
    results["baseline"] = {"type_accuracy": _accuracy(types, test_set.types),
                           "unit_accuracy": _accuracy(units, test_set.units),
                           "train_seconds": round(baseline_seconds, 1)}
    sizes = [int(size) for size in args.curve.split(",") if size]
    print("learning curve ...", file=sys.stderr, flush=True)
    results["learning_curve"] = _learning_curve(names, train_set, test_set, sizes,
                                                 args.draws)
    if args.scale:
        print(f"training on {args.scale} documents ...", file=sys.stderr, flush=True)
        results["scale"] = _scale(args.scale, args.scale_candidate, args.scale_folds,
                                  args.scale_labelled)

    if args.json:
        print(json.dumps(results, indent=1, default=str))
        return
    setup = results["setup"]
    print(f"\nTrained on {setup['train_letters']} letters of {setup['train_senders']} senders, "
          f"measured on {setup['test_letters']} letters of {setup['test_senders']} other "
          f"senders; {setup['types']} types; OCR: {setup['ocr']}\n")
    rows = [["", "type acc.", "routing acc.", "auto-file precision", "auto-file coverage",
             "threshold", "CV type acc.", "train s (CV)", "predict ms (median/p95)",
             "predict CPU ms"]]
    for name in names:
        r = results[name]
        rows.append([name, _pct(r["type_accuracy"]), _pct(r["unit_accuracy"]),
                     _pct(r["auto_file"]["precision"]), _pct(r["auto_file"]["coverage"]),
                     r["auto_file"]["threshold"], _pct(r["cv"]["type_accuracy"]),
                     r["train_seconds_with_cv"],
                     f"{r['predict_ms_median']} / {r['predict_ms_p95']}",
                     r["predict_cpu_ms_median"]])
    b = results["baseline"]
    rows.append(["baseline (paperless recipe)", _pct(b["type_accuracy"]),
                 _pct(b["unit_accuracy"]), "—", "—", "—", "—", b["train_seconds"], "—", "—"])
    print(_table(rows))
    print("\nLearning curve: type accuracy on the held-out senders by examples per type "
          f"(mean of up to {args.draws} random draws)")
    rows = [["per type", *names, "baseline", "lead of first over baseline"]]
    for size, row in results["learning_curve"].items():
        if row is None:
            rows.append([size] + ["too few training letters"] * (len(names) + 2))
            continue
        lead = 100 * (row[names[0]] - row["baseline"])
        rows.append([size, *[_pct(row[name]) for name in names], _pct(row["baseline"]),
                     f"{lead:+.1f} points"])
    print(_table(rows))
    if "scale" in results:
        s = results["scale"]
        print(f"\nScale ({args.scale_candidate}, typed text): {s['documents']} documents "
              f"and a pool of {s['pool']}, "
              f"fit {s['fit_seconds']} s ({s['fit_cpu_seconds']} s CPU), with cross-validation "
              f"(2 folds from 5,000 examples on) {s['train_with_cv_seconds']} s "
              f"({s['train_with_cv_cpu_seconds']} s CPU), peak RSS {s['peak_rss_mb']} MB, "
              f"load average {s['load_average_1min']}")


if __name__ == "__main__":
    main()

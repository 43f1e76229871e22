"""The classifier's vocabulary: word and character n-grams, of which only terms found in the
documents of several distinct case files are kept.

The model is social data: a term that only one person's post contains (a name, an IBAN, a
street) would be learned as evidence and stored in the model file. Counting a term's document
frequency over distinct case files instead of documents keeps such terms out, however often
one person writes."""
import re

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

MIN_CASE_FILES = 3
_DIGIT = re.compile(r"\d")


def _prepare(text: str) -> str:
    # Digits carry dates, amounts and numbers: their shape matters, their value does not.
    return _DIGIT.sub("0", text.lower())


class CaseFileVocabulary:
    """fit(texts, case_files) then transform(texts). Sublinear tf-idf of word 1-2-grams and
    character 3-5-grams (within words), each block l2-normalised; terms of fewer than min_case_files
    distinct case files are dropped after counting."""

    def __init__(self, *, min_case_files: int = MIN_CASE_FILES, words: bool = True,
                 chars: bool = True, word_ngrams=(1, 2), char_ngrams=(3, 5)):
        self.min_case_files = min_case_files
        self.vectorizers: list[CountVectorizer] = []
        self.idfs: list[np.ndarray] = []
        if words:
            self.vectorizers.append(CountVectorizer(
                preprocessor=_prepare, analyzer="word", ngram_range=word_ngrams,
                token_pattern=r"(?u)\b\w\w+\b", dtype=np.float32))
        if chars:
            self.vectorizers.append(CountVectorizer(
                preprocessor=_prepare, analyzer="char_wb", ngram_range=char_ngrams,
                dtype=np.float32))

    def fit_transform(self, texts: list[str], case_files: list) -> sparse.csr_matrix:
        if len(texts) != len(case_files):
            raise ValueError("one case file per text")
        groups = _group_indicator(case_files)
        blocks, self.idfs = [], []
        for vectorizer in self.vectorizers:
            matrix = _fit_counts(vectorizer, texts).tocsc()
            keep = self._kept_columns(matrix, groups)
            _restrict(vectorizer, keep)
            counts = matrix[:, keep].tocsr()
            self.idfs.append(_idf(counts))
            blocks.append(self._weigh(counts, self.idfs[-1]))
        return sparse.hstack(blocks, format="csr")

    def counted(self, texts: list[str]) -> "Counted":
        """The texts tokenised once with this vocabulary's analyzers, nothing dropped yet:
        cross-validation derives each fold's vocabulary from it without tokenising again."""
        from sklearn.base import clone

        vectorizers = [clone(v) for v in self.vectorizers]
        return Counted(self, vectorizers, [_fit_counts(v, texts).tocsr() for v in vectorizers])

    @staticmethod
    def _weigh(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
        # Sublinear term frequency times idf, each row scaled to unit length; on the stored
        # values directly (a diagonal product and sklearn's normalize cost a prediction
        # about 6 ms, most of its time).
        counts = sparse.csr_matrix(counts, dtype=np.float32, copy=True)
        counts.sum_duplicates()
        counts.data = (1 + np.log(counts.data)) * idf[counts.indices]
        per_row = np.diff(counts.indptr)
        rows = np.repeat(np.arange(counts.shape[0]), per_row)
        lengths = np.sqrt(np.bincount(rows, weights=counts.data.astype(np.float64) ** 2,
                                      minlength=counts.shape[0]))
        lengths[per_row == 0] = 1.0  # an empty row stays empty
        counts.data = (counts.data / lengths[rows]).astype(np.float32)
        return counts

    def fit(self, texts: list[str], case_files: list) -> "CaseFileVocabulary":
        self.fit_transform(texts, case_files)
        return self

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        return sparse.hstack([self._weigh(vectorizer.transform(texts), idf)
                              for vectorizer, idf in zip(self.vectorizers, self.idfs,
                                                     strict=True)],
                             format="csr")

    def _kept_columns(self, matrix, groups) -> np.ndarray:
        """Columns whose term occurs in documents of at least min_case_files case files."""
        present = matrix.copy()
        present.data = np.ones_like(present.data)
        case_files_per_term = ((groups @ present) > 0).sum(axis=0).A1
        return np.flatnonzero(case_files_per_term >= self.min_case_files)

    def feature_names(self) -> list[str]:
        names = []
        for vectorizer in self.vectorizers:
            names.extend(vectorizer.get_feature_names_out().tolist())
        return names

    def word_feature_count(self) -> int:
        words = [v for v in self.vectorizers if v.analyzer == "word"]
        return len(words[0].vocabulary_) if words else 0

    def terms(self) -> set[str]:
        return {term for vectorizer in self.vectorizers for term in vectorizer.vocabulary_}


def _fit_counts(vectorizer: CountVectorizer, texts: list[str]) -> sparse.csr_matrix:
    """vectorizer.fit_transform(texts), the same matrix and vocabulary. Character n-grams
    within words are counted once per distinct word and summed by a product with the
    documents' word counts: a letter repeats most of its words and a corpus far more, and
    cutting every occurrence into n-grams in Python was most of a training run's time."""
    if vectorizer.analyzer != "char_wb":
        return vectorizer.fit_transform(texts)
    # The documents' whitespace-separated words, as char_wb cuts them (after preprocessing).
    preprocess = vectorizer.build_preprocessor()
    words = CountVectorizer(analyzer=lambda text: preprocess(text).split(), dtype=np.float32)
    word_counts = words.fit_transform(texts)
    distinct = words.get_feature_names_out()
    # Each distinct word's n-grams, with sklearn's own analyzer (so the same padding and
    # short-word rules), as a (words x n-grams) count matrix.
    per_word = CountVectorizer(analyzer=vectorizer.build_analyzer(), dtype=np.float32)
    ngrams = per_word.fit_transform(distinct.tolist())
    vectorizer.vocabulary_ = per_word.vocabulary_  # sorted, as fit_transform sorts them
    vectorizer.fixed_vocabulary_ = False
    counts = (word_counts @ ngrams).tocsr()
    counts.sort_indices()
    return counts.astype(vectorizer.dtype)


def _idf(counts: sparse.csr_matrix) -> np.ndarray:
    """Smooth idf, as sklearn's TfidfTransformer computes it."""
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    return (np.log((1 + counts.shape[0]) / (1 + document_frequency)) + 1).astype(np.float32)


class Counted:
    """Token counts of all texts; fold() gives a fold's matrices exactly as a vocabulary
    fitted on the training rows alone would (the same rule, the same idf)."""

    def __init__(self, vocabulary: CaseFileVocabulary, vectorizers: list, blocks: list):
        self.vocabulary, self.vectorizers, self.blocks = vocabulary, vectorizers, blocks
        # Which of the counted columns (all blocks side by side) the last fold() or
        # fit_all() kept, in their order: to carry a fold model's weights to the final model.
        self.columns = np.zeros(0, dtype=np.int64)

    def _offsets(self) -> list[int]:
        return np.cumsum([0] + [counts.shape[1] for counts in self.blocks]).tolist()

    def fit_all(self, case_files: list, rows=None):
        """(vocabulary, matrix) fitted on all rows, as fit_transform would give them, without
        tokenising again; the matrix has only `rows` (default: all). The rule and the idf
        count all rows: rows beyond `rows` are unlabelled post that only widens the count.
        Call it after the folds: it shrinks the vectorizers."""
        groups = _group_indicator(case_files)
        self.vocabulary.vectorizers, self.vocabulary.idfs = self.vectorizers, []
        blocks, columns = [], []
        for vectorizer, counts, offset in zip(self.vectorizers, self.blocks, self._offsets(),
                                              strict=False):
            keep = self.vocabulary._kept_columns(counts.tocsc(), groups)
            columns.append(keep + offset)
            _restrict(vectorizer, keep)
            kept = counts[:, keep]
            self.vocabulary.idfs.append(_idf(kept))
            if rows is not None:
                kept = kept[rows]
            blocks.append(CaseFileVocabulary._weigh(kept, self.vocabulary.idfs[-1]))
        self.blocks, self.columns = [], np.concatenate(columns)
        return self.vocabulary, sparse.hstack(blocks, format="csr")

    def fold(self, train_rows, test_rows, case_files: list, rule_rows=None):
        """The fold's (train, test) matrices. The rule and the idf count `rule_rows`
        (default: train_rows; never a test row: the caller leaves out the held-out
        groups' unlabelled post too)."""
        rule_rows = train_rows if rule_rows is None else rule_rows
        groups = _group_indicator([case_files[i] for i in rule_rows])
        train_blocks, test_blocks, columns = [], [], []
        for counts, offset in zip(self.blocks, self._offsets(), strict=False):
            ruled = counts[rule_rows]
            keep = self.vocabulary._kept_columns(ruled.tocsc(), groups)
            columns.append(keep + offset)
            idf = _idf(ruled[:, keep])
            train_blocks.append(CaseFileVocabulary._weigh(counts[train_rows][:, keep], idf))
            test_blocks.append(CaseFileVocabulary._weigh(counts[test_rows][:, keep], idf))
        self.columns = np.concatenate(columns)
        return (sparse.hstack(train_blocks, format="csr"),
                sparse.hstack(test_blocks, format="csr"))


def _group_indicator(case_files: list) -> sparse.csr_matrix:
    """A (case files x documents) 0/1 matrix: which documents belong to which case file."""
    index = {key: n for n, key in enumerate(dict.fromkeys(case_files))}
    rows = np.array([index[key] for key in case_files])
    data = np.ones(len(case_files), dtype=np.float32)
    return sparse.csr_matrix((data, (rows, np.arange(len(case_files)))),
                             shape=(len(index), len(case_files)))


def _restrict(vectorizer: CountVectorizer, keep: np.ndarray) -> None:
    """Shrink a fitted vectorizer to the kept columns, so that the dropped terms are nowhere
    in the fitted object (sklearn keeps pruned terms in `stop_words_`: those go too)."""
    names = vectorizer.get_feature_names_out()
    vectorizer.vocabulary_ = {str(names[column]): n for n, column in enumerate(keep)}
    if hasattr(vectorizer, "stop_words_"):
        vectorizer.stop_words_ = set()

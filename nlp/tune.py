"""Tune the combination weights by cross-validation on the training file only.

    python -m nlp.tune [--folds K] [--train PATH]

By default one writer (the `source` of a batch of examples) is held out at a time: the classifier
must work for people whose wording it has never seen. --folds K uses K random folds instead.

Prints the best weights, each also checked on the regression sets of tests/nlp/data (never
trained on); copy them into model.DEFAULT_PARAMS. test.jsonl is never read here.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import random
import sys
from collections.abc import Sequence

from .channel import cue_function
from .classifier import Classifier
from .evaluation import EvalReport
from .model import DEFAULT_PARAMS, OUT_OF_SCOPE, LabeledExample, load_examples, text_features, train
from .paths import REGRESSION_PATHS, TRAIN_PATH
from .taxonomy import load_taxonomy


def folds(examples: Sequence[LabeledExample], k: int, seed: int = 13) -> list[list[int]]:
    """Deterministic folds, stratified by category."""
    by_cat: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        by_cat.setdefault(ex.category or OUT_OF_SCOPE, []).append(i)
    rng = random.Random(seed)
    out: list[list[int]] = [[] for _ in range(k)]
    j = 0
    for cat in sorted(by_cat):
        idx = by_cat[cat]
        rng.shuffle(idx)
        for i in idx:
            out[j % k].append(i)
            j += 1
    return out


def writer_folds(examples: Sequence[LabeledExample]) -> list[list[int]]:
    """One fold per writer (the `source` of a batch); examples without a source always train.

    Held-out writers are what the classifier meets in service: people whose wording it never saw.
    Random folds share a writer's habits between train and test and flatter the model.
    """
    by_source: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        if ex.source:
            by_source.setdefault(ex.source, []).append(i)
    return [by_source[s] for s in sorted(by_source)]


def _score(report: EvalReport) -> float:
    # Department routing first; categories and out-of-scope precision/recall also count.
    return (
        report.department_top1
        + 0.3 * report.department_top3
        + 0.2 * report.category_accuracy
        + 0.5 * report.oos_recall
        + 0.5 * report.oos_precision
    )


def _report(clf: Classifier, cached, params) -> EvalReport:
    from .evaluation import evaluate

    class _Fixed:
        def classify(self, text):
            a, bound = cached[text]
            return clf._decide(a, bound, params)

    return evaluate(_Fixed(), [ex for ex in cached.examples])


class _Cache(dict):
    examples: list[LabeledExample]


def _analysed(model, base: Classifier, examples: Sequence[LabeledExample]) -> tuple[Classifier, _Cache]:
    """A classifier on `model` and the weight-independent analysis of each example (one tokenisation)."""
    clf = Classifier(model=model, taxonomy=base.taxonomy, departments=base.department_names)
    clf.matcher = base.matcher  # share the warm per-token cache
    cached = _Cache()
    cached.examples = list(examples)
    for ex in cached.examples:
        cached[ex.text] = (clf._analyse(ex.text, clf._bound), clf._bound)
    return clf, cached


def _cached_inputs():
    """A text's feature set and channel cues, computed once across the many trainings of a run."""
    featurize = functools.lru_cache(maxsize=None)(lambda t: frozenset(text_features(t)))
    cues = functools.lru_cache(maxsize=None)(cue_function(load_taxonomy()))
    return featurize, cues


def cross_validate(examples: Sequence[LabeledExample], k: int, grid: dict[str, list[float]]) -> list[tuple[float, dict, EvalReport]]:
    """k = 0: leave one writer out (writer_folds); else k random folds."""
    featurize, cues = _cached_inputs()
    results: dict[tuple, list[EvalReport]] = {}
    parts = writer_folds(examples) if k == 0 else folds(examples, k)
    base = Classifier(model_path=None)
    # Weights used when training (the model) versus when combining (the classifier).
    model_grid = {n: grid.get(n, [DEFAULT_PARAMS[n]]) for n in MODEL_PARAMS}
    rest = {n: v for n, v in grid.items() if n not in MODEL_PARAMS}
    names = list(rest)
    for model_values in itertools.product(*model_grid.values()):
        model_params = dict(zip(model_grid, model_values))
        for f, held in enumerate(parts):
            held_set = set(held)
            tr = [ex for i, ex in enumerate(examples) if i not in held_set]
            model = train(tr, params=model_params, featurize=featurize, channel_cues=cues)
            clf, cached = _analysed(model, base, [examples[i] for i in held])
            for values in itertools.product(*(rest[n] for n in names)):
                params = {**DEFAULT_PARAMS, **model_params, **dict(zip(names, values))}
                key = tuple(sorted(params.items()))
                results.setdefault(key, []).append(_report(clf, cached, params))
    out = []
    for key, reports in results.items():
        merged = EvalReport()
        for r in reports:
            for name in ("n", "category_correct", "dept_n", "dept_top1", "dept_top3", "channel_n", "channel_correct",
                         "oos_tp", "oos_fp", "oos_fn", "reason_correct", "needs_review"):
                setattr(merged, name, getattr(merged, name) + getattr(r, name))
            merged.confusion.update(r.confusion)
            merged.dept_confusion.update(r.dept_confusion)
        out.append((_score(merged), dict(key), merged))
    out.sort(key=lambda x: -x[0])
    return out


# Used when training or binding the model (not only when combining): a change needs a new model.
MODEL_PARAMS = (
    "alpha", "max_feature_classes", "min_count", "dept_linear_weight", "scope_linear_weight", "linear_epochs",
    "linear_prune", "linear_top",
)

# Around the current defaults; the correction-learning test (tests/nlp/test_nlp_learning.py) is the
# other criterion when choosing among near-equal rows.
GRID = {
    "alpha": [0.5, 1.0],
    "nb_temp": [0.4, 0.6],
    "dept_nb_weight": [0.2, 0.4],
    "dept_floor": [0.02, 0.05],
    "oos_logodds": [1.0, 2.0, 3.0],
    "oos_rule_weight": [0.5, 1.0, 1.5],
}


def regression_reports(
    examples: Sequence[LabeledExample], regression: Sequence[LabeledExample], rows: Sequence[dict]
) -> list[EvalReport]:
    """For each row of weights: the model trained on all `examples`, evaluated on `regression`."""
    featurize, cues = _cached_inputs()
    base = Classifier(model_path=None)
    out = []
    for params in rows:
        model = train(examples, params={n: params[n] for n in MODEL_PARAMS}, featurize=featurize, channel_cues=cues)
        out.append(_report(*_analysed(model, base, regression), params))
    return out


def _line(r: EvalReport) -> str:
    return (
        f"dept {r.department_top1:.3f} top3 {r.department_top3:.3f} oosP {r.oos_precision:.3f} "
        f"oosR {r.oos_recall:.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m nlp.tune")
    ap.add_argument("--folds", type=int, default=0, help="0: leave one writer out (default); k: k random folds")
    ap.add_argument("--train", default=str(TRAIN_PATH))
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args(argv)
    examples = load_examples(args.train)
    results = cross_validate(examples, args.folds, GRID)[: args.top]
    regression = [ex for path in REGRESSION_PATHS if path.is_file() for ex in load_examples(path)]
    checks = regression_reports(examples, regression, [p for _, p, _ in results]) if regression else []
    for i, (score, params, r) in enumerate(results):
        shown = {k: v for k, v in params.items() if k in GRID}
        check = f" | regression sets: {_line(checks[i])}" if checks else ""
        print(f"{score:.4f} {_line(r)} cat {r.category_accuracy:.3f} review {r.needs_review}{check} {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

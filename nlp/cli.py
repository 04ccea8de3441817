"""Command-line entry points (wired into the project's `zhengqi` command, also `python -m nlp`).

Each function takes its streams as arguments and returns an exit code, so it is testable with
io.StringIO and embeddable in another CLI.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO

from .classifier import MAX_TEXT_CHARS, Classifier, default_classifier
from .evaluation import evaluate, format_report
from .model import LabeledExample, default_correction_weight, load_examples, train
from .paths import MODEL_PATH, TEST_PATH, TRAIN_PATH


def run_classify(stdin: IO[str], stdout: IO[str], classifier: Classifier | None = None) -> int:
    """One text per input line -> one JSON object per output line. Blank lines are skipped.

    Lines longer than MAX_TEXT_CHARS are truncated. A line that cannot be classified yields an
    {"error": ...} object and processing continues; the exit code is then 1.
    """
    clf = classifier or default_classifier()
    status = 0
    for line in stdin:
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        if len(text) > MAX_TEXT_CHARS:
            text = text[:MAX_TEXT_CHARS]
        try:
            out = {"text": text, **clf.classify(text).to_json()}
        except Exception as exc:  # one bad line must not stop a batch
            out = {"text": text, "error": f"{type(exc).__name__}: {exc}"}
            status = 1
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    return status


def run_eval(path: str | Path = TEST_PATH, stdout: IO[str] = sys.stdout, classifier: Classifier | None = None) -> int:
    """Print accuracy figures and PASS/FAIL per target; exit code 0 only when every target passes."""
    try:
        examples = load_examples(path)
    except (OSError, ValueError) as exc:
        stdout.write(f"cannot read examples: {exc}\n")
        return 2
    clf = classifier or default_classifier()
    report = evaluate(clf, examples)
    stdout.write(format_report(report, f"eval {path}") + "\n")
    return 0 if report.passed else 1


def _as_example(item: LabeledExample | Mapping) -> LabeledExample:
    return item if isinstance(item, LabeledExample) else LabeledExample.from_dict(dict(item))


def run_retrain(
    extra_examples: Iterable[LabeledExample | Mapping],
    model_path: str | Path = MODEL_PATH,
    stdout: IO[str] = sys.stdout,
    *,
    train_path: str | Path = TRAIN_PATH,
    correction_weight: float | None = None,
) -> int:
    """Train on the shipped training file plus helpers' corrections and replace `model_path` atomically.

    A running Classifier on `model_path` picks the new file up by itself (mtime check).
    """
    try:
        base = load_examples(train_path)
        corrections = [_as_example(x) for x in extra_examples]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        stdout.write(f"retrain failed: {exc}\n")
        return 2
    if correction_weight is None:
        correction_weight = default_correction_weight(len(base))
    model = train(base, corrections=corrections, correction_weight=correction_weight)
    try:
        model.save(model_path)
    except OSError as exc:
        stdout.write(f"retrain failed: cannot write {model_path}: {exc}\n")
        return 2
    stdout.write(
        f"model written to {model_path}: {len(base)} examples + {len(corrections)} corrections "
        f"(weight {correction_weight:g}), data hash {model.data_hash[:12]}\n"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m nlp", description="需求分类器：分类、评估、再训练")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("classify", help="classify one text per stdin line, JSON lines on stdout")
    ev = sub.add_parser("eval", help="evaluate on labelled JSON lines (default: tests/data/nlp/test.jsonl)")
    ev.add_argument("path", nargs="?", default=str(TEST_PATH))
    rt = sub.add_parser("retrain", help="retrain with corrections (JSON lines) and write the model")
    rt.add_argument("corrections", help="JSON lines of corrected examples")
    rt.add_argument("--out", default=str(MODEL_PATH))
    rt.add_argument("--train", default=str(TRAIN_PATH))
    rt.add_argument("--weight", type=float, default=None, help="weight of one correction (default: 1/250 of the training file)")
    sub.add_parser("build", help="rebuild nlp/data/model.json from the training file")
    args = ap.parse_args(argv)
    if args.cmd == "classify":
        return run_classify(sys.stdin, sys.stdout)
    if args.cmd == "eval":
        return run_eval(args.path, sys.stdout)
    if args.cmd == "retrain":
        try:
            extra = load_examples(args.corrections)
        except (OSError, ValueError) as exc:
            print(f"cannot read corrections: {exc}")
            return 2
        return run_retrain(extra, args.out, sys.stdout, train_path=args.train, correction_weight=args.weight)
    from .build import main as build_main

    return build_main([])

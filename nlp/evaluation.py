"""Accuracy figures of a classifier on labelled examples, and the targets they are judged by."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from .model import OUT_OF_SCOPE, LabeledExample

# Targets on the held-back test file (tests/data/nlp/test.jsonl).
TARGETS = {
    "department_top1": 0.90,
    "department_top3": 0.97,
    "oos_recall": 0.95,
    "oos_precision": 0.90,
}


@dataclass
class EvalReport:
    n: int = 0
    category_correct: int = 0
    per_category: dict[str, list[int]] = field(default_factory=dict)  # gold -> [correct, total]
    dept_n: int = 0
    dept_top1: int = 0
    dept_top3: int = 0
    channel_n: int = 0
    channel_correct: int = 0
    oos_tp: int = 0
    oos_fp: int = 0
    oos_fn: int = 0
    reason_correct: int = 0
    needs_review: int = 0
    confusion: Counter = field(default_factory=Counter)  # (gold, predicted) category pairs, off-diagonal
    dept_confusion: Counter = field(default_factory=Counter)

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def category_accuracy(self) -> float:
        return self._ratio(self.category_correct, self.n)

    @property
    def department_top1(self) -> float:
        return self._ratio(self.dept_top1, self.dept_n)

    @property
    def department_top3(self) -> float:
        return self._ratio(self.dept_top3, self.dept_n)

    @property
    def channel_accuracy(self) -> float:
        return self._ratio(self.channel_correct, self.channel_n)

    @property
    def oos_precision(self) -> float:
        return self._ratio(self.oos_tp, self.oos_tp + self.oos_fp)

    @property
    def oos_recall(self) -> float:
        return self._ratio(self.oos_tp, self.oos_tp + self.oos_fn)

    @property
    def reason_accuracy(self) -> float:
        return self._ratio(self.reason_correct, self.oos_tp)

    def figures(self) -> dict[str, float]:
        return {
            "category_accuracy": self.category_accuracy,
            "department_top1": self.department_top1,
            "department_top3": self.department_top3,
            "channel_accuracy": self.channel_accuracy,
            "oos_precision": self.oos_precision,
            "oos_recall": self.oos_recall,
            "reason_accuracy": self.reason_accuracy,
        }

    def target_results(self) -> list[tuple[str, float, float, bool]]:
        f = self.figures()
        return [(name, f[name], goal, f[name] >= goal) for name, goal in TARGETS.items()]

    @property
    def passed(self) -> bool:
        return all(ok for *_, ok in self.target_results())


def evaluate(classifier, examples: Sequence[LabeledExample]) -> EvalReport:
    """Classify every example and count. `classifier` needs a `classify(text)` method."""
    r = EvalReport()
    for ex in examples:
        c = classifier.classify(ex.text)
        r.n += 1
        gold_cat = ex.category if ex.in_scope else OUT_OF_SCOPE
        pred_cat = c.category if c.in_scope else OUT_OF_SCOPE
        pred_cat = pred_cat or "none"
        row = r.per_category.setdefault(gold_cat, [0, 0])
        row[1] += 1
        if pred_cat == gold_cat:
            r.category_correct += 1
            row[0] += 1
        else:
            r.confusion[(gold_cat, pred_cat)] += 1
        if c.needs_review:
            r.needs_review += 1
        if not ex.in_scope:
            if not c.in_scope:
                r.oos_tp += 1
                if c.reason == ex.reason:
                    r.reason_correct += 1
            else:
                r.oos_fn += 1
        elif not c.in_scope:
            r.oos_fp += 1
        if ex.in_scope and ex.department:
            r.dept_n += 1
            pred = c.department if c.in_scope else None
            if pred == ex.department:
                r.dept_top1 += 1
            else:
                r.dept_confusion[(ex.department, pred or OUT_OF_SCOPE)] += 1
            if c.in_scope and ex.department in [d for d, _ in c.top_departments[:3]]:
                r.dept_top3 += 1
        if ex.in_scope and ex.channel:
            r.channel_n += 1
            if c.in_scope and c.channel == ex.channel:
                r.channel_correct += 1
    return r


def format_report(r: EvalReport, title: str = "") -> str:
    lines = []
    if title:
        lines.append(f"== {title} ==")
    lines.append(f"examples: {r.n}   needs_review: {r.needs_review}")
    lines.append("accuracy per category (gold):")
    for cat in sorted(r.per_category):
        ok, tot = r.per_category[cat]
        lines.append(f"  {cat:<20} {ok:>4}/{tot:<4} {ok / tot:6.1%}")
    lines.append(f"category accuracy:        {r.category_accuracy:6.1%}  ({r.category_correct}/{r.n})")
    lines.append(f"department top-1:         {r.department_top1:6.1%}  ({r.dept_top1}/{r.dept_n})")
    lines.append(f"department top-3:         {r.department_top3:6.1%}  ({r.dept_top3}/{r.dept_n})")
    lines.append(f"channel accuracy:         {r.channel_accuracy:6.1%}  ({r.channel_correct}/{r.channel_n})")
    lines.append(
        f"out-of-scope precision:   {r.oos_precision:6.1%}  recall: {r.oos_recall:6.1%}"
        f"  (tp {r.oos_tp}, fp {r.oos_fp}, fn {r.oos_fn}; reason right {r.reason_correct}/{r.oos_tp})"
    )
    if r.confusion:
        lines.append("category confusion (gold -> predicted: count):")
        for (g, p), k in sorted(r.confusion.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {g} -> {p}: {k}")
    if r.dept_confusion:
        lines.append("department confusion (gold -> predicted: count):")
        for (g, p), k in sorted(r.dept_confusion.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {g} -> {p}: {k}")
    for name, value, goal, ok in r.target_results():
        lines.append(f"{'PASS' if ok else 'FAIL'} {name} {value:.1%} (target >= {goal:.0%})")
    return "\n".join(lines)

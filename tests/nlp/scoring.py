"""Department scores computed from the models one at a time, to check the classifier's combined
score matrix against."""

from __future__ import annotations


def department_scores_apart(model, feats) -> list[float]:
    """Naive Bayes log-posterior per department plus the scaled perceptron scores, as _decide
    expects them in the department slots."""
    scores, _ = model.department.log_scores(feats)
    vocab = model.department.vocab
    scale = model.params["dept_linear_weight"] / model.params["dept_nb_weight"]
    for f in feats:
        i = vocab.get(f)
        if i is not None:
            for c, w in model.department_linear.entry_at(i):
                scores[c] += scale * w
    return scores

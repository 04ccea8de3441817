"""Classifier of business needs for 政企同行·有需必应: category, department, channel, out-of-scope.

Pure code over data files in nlp/data; imports nothing else of the project.

    >>> from nlp import classify
    >>> classify("稳岗补贴怎么申请").department
    'renshe'
"""

from .classifier import Classification, Classifier, classify, default_classifier, set_default_model_path
from .model import LabeledExample, Model, ModelError, examples_hash, load_examples, train
from .screening import screen

__all__ = [
    "Classification",
    "Classifier",
    "LabeledExample",
    "Model",
    "ModelError",
    "classify",
    "default_classifier",
    "examples_hash",
    "load_examples",
    "screen",
    "set_default_model_path",
    "train",
]

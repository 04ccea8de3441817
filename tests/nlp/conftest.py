"""Fixtures of the classifier tests: the shipped classifier and small labelled files in tests/nlp/data."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp import Classifier, load_examples

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    """The classifier on the shipped model file, as the service uses it."""
    return Classifier()


@pytest.fixture(scope="session")
def dev_examples():
    """115 messages written for these tests (not from tests/data), labelled like train.jsonl."""
    return load_examples(DATA / "dev.jsonl")


@pytest.fixture(scope="session")
def dev_path() -> Path:
    return DATA / "dev.jsonl"

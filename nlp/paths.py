"""Where the shipped data lives (the labelled examples sit in the repository's tests/data)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
REPO_ROOT = PACKAGE_DIR.parent
MODEL_PATH = DATA_DIR / "model.json"
TRAIN_PATH = REPO_ROOT / "tests" / "data" / "nlp" / "train.jsonl"
TEST_PATH = REPO_ROOT / "tests" / "data" / "nlp" / "test.jsonl"
DEPARTMENTS_PATH = REPO_ROOT / "config" / "departments.toml"
# Messages written for the unit tests, never trained on: a second check of the tuned weights.
REGRESSION_PATHS = tuple(REPO_ROOT / "tests" / "nlp" / "data" / n for n in ("dev.jsonl", "colloquial.jsonl"))

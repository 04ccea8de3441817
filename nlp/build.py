"""Rebuild the shipped model: `python -m nlp.build [--train PATH] [--out PATH]`.

Trains on the shipped training examples only (never on test.jsonl) and writes nlp/data/model.json
atomically.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .model import Model, load_examples, train
from .paths import MODEL_PATH, TRAIN_PATH


def build(train_path: Path | str = TRAIN_PATH, model_path: Path | str = MODEL_PATH) -> Model:
    model = train(load_examples(train_path))
    model.save(model_path)
    return model


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m nlp.build", description="rebuild nlp/data/model.json")
    ap.add_argument("--train", default=str(TRAIN_PATH), help="training examples (JSON lines)")
    ap.add_argument("--out", default=str(MODEL_PATH), help="model file to write")
    args = ap.parse_args(argv)
    try:
        model = build(args.train, args.out)
    except (OSError, ValueError) as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 2
    print(f"model written to {args.out}: {model.n_examples} examples, data hash {model.data_hash[:12]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

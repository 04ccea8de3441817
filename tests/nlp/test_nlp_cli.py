"""CLI functions with in-memory streams."""

from __future__ import annotations

import io
import json
import subprocess
import sys

from nlp import Classifier, Model
from nlp.cli import main, run_classify, run_eval, run_retrain
from nlp.classifier import MAX_TEXT_CHARS
from nlp.paths import REPO_ROOT


def test_run_classify_writes_one_json_object_per_non_blank_line():
    stdin = io.StringIO("稳岗补贴怎么申请\n\n   \n帮我虚开几张发票\n" + "税" * 5000 + "\n")
    stdout = io.StringIO()
    assert run_classify(stdin, stdout) == 0
    lines = stdout.getvalue().splitlines()
    assert len(lines) == 3
    docs = [json.loads(line) for line in lines]
    assert docs[0]["department"] == "renshe" and docs[0]["in_scope"] is True
    assert docs[1]["in_scope"] is False and docs[1]["reason"] == "illegal"
    assert len(docs[2]["text"]) == MAX_TEXT_CHARS
    assert "稳岗补贴" in lines[0]  # ensure_ascii=False: Chinese is written as is


def test_run_classify_survives_a_failing_line():
    class Flaky:
        def classify(self, text):
            if "坏" in text:
                raise RuntimeError("boom")
            return Classifier(model_path=None).classify(text)

    stdout = io.StringIO()
    assert run_classify(io.StringIO("坏\n稳岗补贴\n"), stdout, classifier=Flaky()) == 1
    first, second = (json.loads(x) for x in stdout.getvalue().splitlines())
    assert "boom" in first["error"] and second["department"] == "renshe"


def test_run_eval_prints_figures_and_a_verdict_per_target(dev_path):
    stdout = io.StringIO()
    code = run_eval(dev_path, stdout)
    out = stdout.getvalue()
    for label in ("department top-1", "department top-3", "out-of-scope precision", "accuracy per category"):
        assert label in out
    verdicts = [line for line in out.splitlines() if line.startswith(("PASS ", "FAIL "))]
    assert len(verdicts) == 4
    assert code == (0 if all(v.startswith("PASS") for v in verdicts) else 1)


def test_run_eval_reports_an_unreadable_file(tmp_path):
    stdout = io.StringIO()
    assert run_eval(tmp_path / "missing.jsonl", stdout) == 2
    assert "cannot read" in stdout.getvalue()


def test_run_retrain_writes_a_model_the_classifier_loads(tmp_path, dev_path):
    out = tmp_path / "model.json"
    correction = {"text": "充电桩安装找谁", "category": "utilities", "department": "fagai", "channel": "department",
                  "in_scope": True, "reason": None}
    stdout = io.StringIO()
    assert run_retrain([correction], out, stdout, train_path=dev_path) == 0
    model = Model.load(out)
    assert model.n_corrections == 1 and model.n_examples == 115
    assert "1 corrections" in stdout.getvalue()
    assert Classifier(model_path=out).classify("稳岗补贴").model_hash == model.data_hash


def test_run_retrain_rejects_bad_corrections(tmp_path, dev_path):
    stdout = io.StringIO()
    assert run_retrain([{"no_text": 1}], tmp_path / "m.json", stdout, train_path=dev_path) == 2
    assert not (tmp_path / "m.json").exists()


def test_main_eval_subcommand(dev_path, capsys):
    code = main(["eval", str(dev_path)])
    assert code in (0, 1)
    assert "department top-1" in capsys.readouterr().out


def test_python_dash_m_nlp_classify():
    proc = subprocess.run(
        [sys.executable, "-m", "nlp", "classify"],
        input="稳岗补贴怎么申请\n",
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["department"] == "renshe"

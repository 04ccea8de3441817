"""Helpers teach the classifier: a routing against the suggestion is recorded, `zhengqi nlp
retrain` learns from it, and the running service's classifier reloads the new model by itself."""

from __future__ import annotations

import asyncio
import os

from bot.app import service_classifier
from bot.cli import main
from bot.core import services as svc
from config.settings import Settings
from nlp import Model


async def test_retrain_learns_from_recorded_corrections_and_service_reloads(
    uow_factory, ctx, settings, tmp_path, monkeypatch, capsys
):
    model_file = tmp_path / "nlp_model.json"
    live = service_classifier(Settings(database_url=settings.database_url, nlp_model_file=model_file))
    before = live.classify("门头牌匾想换个新的").model_hash
    assert model_file.exists()  # the service starts from a copy of the shipped model

    async with uow_factory() as uow:
        owner = await uow.roster.person("owner-01")
        helper = await uow.roster.person("helper-changhong-1")
        for text in ("门头牌匾想换个新的，要不要审批", "店招广告牌能不能装到二楼外墙"):
            t = await svc.open_ticket(uow, ctx, owner, text, category="registration", suggested_department="zhengwu")
            await svc.forward(uow, ctx, helper, t.id, "chengguan")

    monkeypatch.setenv("ZHENGQI_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ZHENGQI_NLP_MODEL_FILE", str(model_file))
    old_mtime = model_file.stat().st_mtime_ns
    assert await _run_in_thread(main, ["nlp", "retrain"]) == 0
    assert "纠正记录 2 条" in capsys.readouterr().out

    retrained = Model.load(model_file)
    assert retrained.n_corrections == 2
    os.utime(model_file, ns=(old_mtime + 10**9, old_mtime + 10**9))  # mtime moves even on a coarse clock
    await asyncio.sleep(1.1)  # the classifier looks at its file at most once a second
    after = live.classify("门头牌匾想换个新的").model_hash
    assert after == retrained.data_hash != before


async def _run_in_thread(fn, *args):
    # The CLI runs its own event loop (asyncio.run); keep it off the test's loop.
    return await asyncio.to_thread(fn, *args)


def test_service_model_follows_shipped_upgrades_unless_retrained(tmp_path, caplog):
    from nlp import Model, load_examples, train
    from nlp.paths import MODEL_PATH, TRAIN_PATH

    model_file = tmp_path / "nlp_model.json"
    settings = Settings(nlp_model_file=model_file)
    old = train(load_examples(TRAIN_PATH)[:100])  # a copy of an older shipped model
    old.save(model_file)
    service_classifier(settings)
    assert Model.load(model_file).data_hash == Model.load(MODEL_PATH).data_hash  # refreshed

    retrained = train(load_examples(TRAIN_PATH)[:100], corrections=load_examples(TRAIN_PATH)[:2])
    retrained.save(model_file)
    service_classifier(settings)
    assert Model.load(model_file).data_hash == retrained.data_hash  # helpers' lessons are kept
    assert "zhengqi nlp retrain" in caplog.text


def test_a_model_file_of_an_older_format_is_replaced_and_retraining_is_asked_for(tmp_path, caplog):
    import json

    from nlp.paths import MODEL_PATH

    model_file = tmp_path / "nlp_model.json"
    doc = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    doc["version"] = 1  # as written before the compact format
    model_file.write_text(json.dumps(doc), encoding="utf-8")
    clf = service_classifier(Settings(nlp_model_file=model_file))
    assert Model.load(model_file).data_hash == Model.load(MODEL_PATH).data_hash
    assert clf.classify("稳岗补贴怎么申请").department == "renshe"
    assert "zhengqi nlp retrain" in caplog.text

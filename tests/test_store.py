"""The store survives kill -9 at any moment and two writers at once."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC
from pathlib import Path

import pytest

from campaign.workspace.store import SCHEMA_VERSION, SnapshotWriteError, Store, backup_files
from portraits.errors import CampaignError

ROOT = Path(__file__).resolve().parent.parent

WRITER = r"""
import sys
from campaign.workspace.store import Store
store = Store(sys.argv[1])
tag, start, count = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for i in range(start, start + count):
    with store.transaction() as db:
        db.table("items").insert({"tag": tag, "n": i, "pad": "x" * 2000})
    print(i, flush=True)
"""


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _items(path: Path) -> list[dict]:
    return [dict(r) for r in Store(path).read().table("items").all()]


@pytest.mark.real_clock
def test_kill_minus_nine_never_loses_a_reported_write(tmp_path):
    path = tmp_path / "campaign.json"
    rng = random.Random(1234)
    reported: set[int] = set()
    next_n = 0
    kills = 0
    while kills < 50:
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), "crash", str(next_n), "100000"],
                                stdout=subprocess.PIPE, text=True, env=_env())
        # Wait for the first reported write so the kill lands while it is writing.
        first = proc.stdout.readline()
        if first.strip():
            reported.add(int(first))
        time.sleep(rng.uniform(0.0, 0.15))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        reported.update(int(line) for line in out.split())
        kills += 1
        # The store always opens, and every write the process said was done is in it.
        found = {r["n"] for r in _items(path)}
        missing = reported - found
        assert not missing, f"after kill {kills}: lost reported writes {sorted(missing)[:5]}"
        json.loads(path.read_bytes())  # the raw file is complete JSON
        for backup in backup_files(path):  # and so is every kept version
            json.loads(backup.read_bytes())
        next_n = max(found | reported, default=-1) + 1
    assert len(reported) > 50
    # Temporary files a kill left behind are cleared by the next writer.
    with Store(path).transaction() as db:
        db.table("items").insert({"n": next_n})
    assert not list(tmp_path.glob(".campaign.json.*.tmp"))


@pytest.mark.real_clock
def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "campaign.json"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), tag, str(start), "200"],
                              stdout=subprocess.DEVNULL, env=_env())
             for tag, start in (("a", 0), ("b", 1000))]
    for p in procs:
        assert p.wait(timeout=300) == 0
    rows = _items(path)
    assert len(rows) == 400
    assert {r["n"] for r in rows if r["tag"] == "a"} == set(range(200))
    assert {r["n"] for r in rows if r["tag"] == "b"} == set(range(1000, 1200))


def test_failed_transaction_leaves_file_byte_for_byte(tmp_path):
    store = Store(tmp_path / "campaign.json")
    with store.transaction() as db:
        db.table("items").insert({"n": 1})
    before = store.path.read_bytes()
    with pytest.raises(RuntimeError):
        with store.transaction() as db:
            db.table("items").insert({"n": 2})
            raise RuntimeError("boom")
    assert store.path.read_bytes() == before


def test_one_transaction_writes_the_file_once(tmp_path, monkeypatch):
    import campaign.workspace.store as store_mod

    writes = []
    real = store_mod.atomic_write_bytes
    monkeypatch.setattr(store_mod, "atomic_write_bytes", lambda p, d: (writes.append(p), real(p, d)))
    store = Store(tmp_path / "campaign.json")
    with store.transaction() as db:
        for i in range(500):
            db.table("items").insert({"n": i})
    assert len(writes) == 1
    assert len(store.read().table("items")) == 500


@pytest.mark.parametrize("write", [
    lambda db: db.table("items").insert({"n": 2}),
    lambda db: db.table("items").insert_multiple([{"n": 2}]),
    lambda db: db.table("items").update({"n": 9}),
    lambda db: db.table("items").upsert({"n": 9}, lambda r: r["n"] == 1),
    lambda db: db.table("items").remove(doc_ids=[1]),
    lambda db: db.table("items").truncate(),
    lambda db: db.table("new").insert({"n": 3}),
    lambda db: db.drop_table("items"),
    lambda db: db.drop_tables(),
], ids=["insert", "insert_multiple", "update", "upsert", "remove", "truncate", "new-table", "drop_table",
        "drop_tables"])
def test_a_write_into_a_read_snapshot_raises_and_changes_nothing(tmp_path, write):
    store = Store(tmp_path / "campaign.json")
    with store.transaction() as db:
        db.table("items").insert({"n": 1})
    before = store.path.read_bytes()
    snapshot = store.read()
    with pytest.raises(SnapshotWriteError, match="transaction"):
        write(snapshot)
    assert [r["n"] for r in snapshot.table("items").all()] == [1]  # the snapshot itself is as it was
    assert "new" not in snapshot.tables()
    assert store.path.read_bytes() == before


def test_schema_version_is_written_and_newer_stores_are_refused(tmp_path):
    store = Store(tmp_path / "campaign.json")
    with store.transaction() as db:
        db.table("items").insert({"n": 1})
    assert json.loads(store.path.read_text())["_meta"]["1"]["schema"] == SCHEMA_VERSION
    data = json.loads(store.path.read_text())
    data["_meta"]["1"]["schema"] = SCHEMA_VERSION + 1
    store.path.write_text(json.dumps(data))
    with pytest.raises(CampaignError, match="schema version"):
        store.read()


def test_an_old_store_without_version_is_migrated(tmp_path):
    path = tmp_path / "campaign.json"
    path.write_text(json.dumps({"items": {"1": {"n": 1}}}))
    store = Store(path)
    with store.transaction():
        pass
    assert json.loads(store.path.read_text())["_meta"]["1"]["schema"] == SCHEMA_VERSION
    assert [r["n"] for r in store.read().table("items").all()] == [1]


def test_a_corrupt_store_gives_a_clear_error(tmp_path):
    path = tmp_path / "campaign.json"
    path.write_text('{"items": {"1": ')
    with pytest.raises(CampaignError, match="not valid JSON"):
        Store(path).read()


def test_the_file_is_the_same_compact_utf8_json_older_code_wrote(tmp_path):
    """orjson writes the store: older code (json) must read it, and the bytes stay what json wrote."""
    store = Store(tmp_path / "campaign.json")
    texts = ["Brigitte, 81: „Toilettenpapier war nie ein Problem.“", "Ärztin 👩‍⚕️", "مرحبا", "tab\there\nline",
             "\u2028 \x7f \x00 \"quoted\" back\\slash", ""]
    with store.transaction() as db:
        for n, text in enumerate(texts):
            db.table("items").insert({"n": n, "text": text, "big": 2 ** 62, "nested": {"list": [1, None, True, text]}})
    raw = store.path.read_bytes()
    assert raw == json.dumps(json.loads(raw), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert [r["text"] for r in Store(store.path).read().table("items").all()] == texts


def test_what_json_refuses_is_still_refused_and_nothing_is_written(tmp_path):
    """A datetime is not a JSON value: the store keeps refusing it rather than writing it as text."""
    from datetime import datetime

    store = Store(tmp_path / "campaign.json")
    with store.transaction() as db:
        db.table("items").insert({"n": 1})
    before = store.path.read_bytes()
    with pytest.raises(TypeError):
        with store.transaction() as db:
            db.table("items").insert({"at": datetime(2026, 3, 20, tzinfo=UTC)})
    with pytest.raises(CampaignError, match="not valid UTF-8"):
        with store.transaction() as db:
            db.table("items").insert({"text": "caf\udce9"})
    with store.transaction() as db:
        db.table("items").insert({"huge": 2 ** 70})  # beyond orjson's 64 bits: json writes it, as before
    assert Store(store.path).read().table("items").get(doc_id=2)["huge"] == 2 ** 70
    assert store.path.read_bytes() != before


def test_a_long_lived_reader_sees_a_change_another_process_made(tmp_path):
    store = Store(tmp_path / "campaign.json")
    with store.transaction() as db:
        db.table("items").insert({"n": 1})
    store.share_reads()
    with store.transaction() as db:
        db.table("items").insert({"n": 2})
    with Store(store.path).transaction() as db:  # another process: the daemon, the CLI
        db.table("items").insert({"n": 3})
    assert [r["n"] for r in store.read().table("items").all()] == [1, 2, 3]


def test_the_web_apps_own_save_is_its_next_snapshot_and_older_snapshots_keep_theirs(tmp_path):
    """A page after a save sees the save, without parsing the file again (the data just written is the
    new version); a page that read before the save goes on with the version it read."""
    store = Store(tmp_path / "campaign.json")
    with store.transaction() as db:
        db.table("items").insert({"n": 1})
    store.share_reads()
    before = store.read()
    with store.transaction() as db:
        db.table("items").update({"n": 2}, doc_ids=[1])
        db.table("items").insert({"n": 3})
    after = store.read()
    assert [r["n"] for r in before.table("items").all()] == [1]
    assert [r["n"] for r in after.table("items").all()] == [2, 3]
    assert [r["n"] for r in Store(store.path).read().table("items").all()] == [2, 3]  # what the file holds
    assert after.storage.read() is db.storage.read()  # the saved data itself, not a parse of the file


def test_a_write_into_a_transaction_after_it_ended_is_refused_and_changes_nothing(tmp_path):
    """It would never be saved, and the web app's pages now read that data: it raises, as a snapshot does."""
    store = Store(tmp_path / "campaign.json")
    store.share_reads()
    with store.transaction() as db:
        db.table("items").insert({"n": 1})
    raw = store.path.read_bytes()
    for late_write in (lambda: db.table("items").insert({"n": 2}), lambda: db.table("items").update({"n": 9}),
                       lambda: db.table("other").insert({"n": 1}), lambda: db.drop_tables()):
        with pytest.raises(SnapshotWriteError):
            late_write()
    assert [r["n"] for r in store.read().table("items").all()] == [1]
    assert store.path.read_bytes() == raw


def test_a_save_that_json_wrote_is_read_back_as_the_file_says(tmp_path):
    """A number as a key is written as text (by json; orjson refuses it): pages read the text key the
    file holds, as every other process does, not the number the transaction had."""
    store = Store(tmp_path / "campaign.json")
    store.share_reads()
    with store.transaction() as db:
        db.table("items").insert({"by_year": {2026: "x"}})
    assert store.read().table("items").all()[0]["by_year"] == {"2026": "x"}

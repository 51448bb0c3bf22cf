"""A store the tool cannot read is refused with a way back, and the last versions are kept."""
from __future__ import annotations

import json
import shlex
import subprocess

import pytest
from conftest import approved_portrait

from campaign.workspace.store import BACKUP_DIR, BACKUPS, Store, backup_files


def _refused(cli, ws, *args) -> str:
    """Run a command that must be refused; the store file must be exactly as before."""
    path = ws.root / "campaign.json"
    before = path.read_bytes() if path.exists() else None
    result = cli(*args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    after = path.read_bytes() if path.exists() else None
    assert after == before
    return result.output


@pytest.mark.parametrize("content, says", [
    (bytes(range(256)) * 4, "not text"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not text"),
    (b'[1, 2, 3]', "JSON list"),
    (b'{"portraits": [1, 2]}', "table 'portraits' is not a table"),
    (b'{"portraits": {"1": {"id": "a-1", "first_name": "A", "age": "81", "role": "r", "quote": "q",'
     b' "status": "draft", "photo": {}}}}', "record 1 of table 'portraits' has a wrong 'age'"),
    (b'{"posts": {"1": {"id": "p-1", "portrait_id": "a", "channel": "instagram", "at": "morgen",'
     b' "status": "planned"}}}', "wrong 'at'"),
    (b'{"posts": {"1": {"id": "p-1"}}}', "has no 'portrait_id'"),
    (b'{"portraits": {"1": 5}}', "is not a record"),
    (b'{"_meta": {"1": {"schema": "new"}}}', "schema version is not a number"),
    (b'{"items": {"1": ', "not valid JSON"),
    (b"[" * 100_000, "campaign store"),
])
def test_a_file_that_is_not_our_store_is_refused_naming_it(ws, cli, content, says):
    (ws.root / "campaign.json").write_bytes(content)
    out = _refused(cli, ws, "portrait", "list")
    assert says in out
    assert "campaign.json" in out
    out = _refused(cli, ws, "portrait", "edit", "a-1", "--age", "82")
    assert says in out


def test_an_empty_or_missing_store_is_refused_not_started_afresh(ws, cli):
    approved_portrait(ws, "Brigitte", 81, "senior")
    store = ws.root / "campaign.json"
    store.write_bytes(b"")
    out = _refused(cli, ws, "portrait", "list")
    assert "is empty" in out
    store.unlink()
    out = _refused(cli, ws, "portrait", "edit", "brigitte-81", "--age", "82")
    assert "is missing" in out
    assert not store.exists()
    assert _refused(cli, ws, "schedule", "plan", "--start", "2026-07-01")


@pytest.mark.slow
def test_the_error_says_how_to_restore_the_last_good_version_and_that_command_works(ws, cli):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    assert cli("portrait", "edit", pid, "--role", "Oma").exit_code == 0
    good = (ws.root / "campaign.json").read_bytes()
    assert cli("portrait", "edit", pid, "--role", "Rentnerin").exit_code == 0
    (ws.root / "campaign.json").write_bytes(b"\x00\x01garbage")
    out = _refused(cli, ws, "portrait", "show", pid)
    restore = next(line for line in out.splitlines() if "cp " in line)
    command = restore[restore.index("cp "):]
    subprocess.run(shlex.split(command), check=True)
    assert (ws.root / "campaign.json").read_bytes() == good  # the version before the last change
    shown = cli("portrait", "show", pid, "--json")
    assert shown.exit_code == 0
    assert json.loads(shown.output)["role"] == "Oma"
    assert cli("portrait", "edit", pid, "--role", "Rentnerin").exit_code == 0


def test_each_change_keeps_the_previous_version_and_at_most_five(ws, cli):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    versions = []
    for role in ("Oma", "Rentnerin", "Lehrerin", "Malerin", "Gärtnerin", "Köchin", "Sängerin"):
        versions.append((ws.root / "campaign.json").read_bytes())
        assert cli("portrait", "edit", pid, "--role", role).exit_code == 0
    kept = backup_files(ws.root / "campaign.json")
    assert [p.name for p in kept] == [f"campaign.json.{n}" for n in range(1, BACKUPS + 1)]
    assert [p.read_bytes() for p in kept] == versions[::-1][:BACKUPS]
    assert not list((ws.root / BACKUP_DIR).glob("*.tmp"))


def test_a_refused_change_or_a_read_does_not_rotate_the_backups(ws, cli):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    assert cli("portrait", "edit", pid, "--role", "Oma").exit_code == 0
    before = [(p.name, p.read_bytes()) for p in backup_files(ws.root / "campaign.json")]
    assert cli("portrait", "edit", pid, "--age", "zwei").exit_code == 1
    assert cli("portrait", "list").exit_code == 0
    assert cli("audit").exit_code == 0
    assert [(p.name, p.read_bytes()) for p in backup_files(ws.root / "campaign.json")] == before


def test_init_still_creates_a_store_and_a_bare_store_may_start_empty(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from campaign.cli import main

    monkeypatch.delenv("CAMPAIGN_WORKSPACE", raising=False)
    result = CliRunner().invoke(main, ["init", str(tmp_path / "neu"), "--name", "Neu"])
    assert result.exit_code == 0, result.output
    listed = CliRunner().invoke(main, ["-w", str(tmp_path / "neu"), "portrait", "list", "--json"])
    assert listed.exit_code == 0 and json.loads(listed.output) == []
    assert not (tmp_path / "neu" / BACKUP_DIR).exists()  # nothing replaced yet, nothing to keep
    with Store(tmp_path / "other.json").transaction() as db:
        db.table("items").insert({"n": 1})
    assert json.loads((tmp_path / "other.json").read_text())["items"] == {"1": {"n": 1}}


def test_a_backup_is_a_second_name_for_the_old_file_and_the_store_is_never_shared(ws, cli):
    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    store = ws.root / "campaign.json"
    old_inode = store.stat().st_ino
    assert cli("portrait", "edit", pid, "--role", "Oma").exit_code == 0
    newest = backup_files(store)[0]
    assert newest.stat().st_ino == old_inode  # no byte copied
    assert store.stat().st_nlink == 1  # an editor writing campaign.json in place cannot touch a backup


def test_without_hard_links_the_previous_version_is_written_out(ws, cli, monkeypatch):
    import os

    def no_links(src, dst, *args, **kwargs):
        raise PermissionError(1, "Operation not permitted", str(dst))  # as on FAT or some network shares

    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    before = (ws.root / "campaign.json").read_bytes()
    monkeypatch.setattr(os, "link", no_links)
    assert cli("portrait", "edit", pid, "--role", "Oma").exit_code == 0
    assert backup_files(ws.root / "campaign.json")[0].read_bytes() == before
    assert not list((ws.root / BACKUP_DIR).glob(".*.tmp"))


def test_forgetting_the_backups_leaves_none_that_could_hold_an_erased_person(ws, cli):
    pid = approved_portrait(ws, "Brigitte", 81, "senior", surname="Sommerfeld")
    for role in ("Oma", "Rentnerin"):
        assert cli("portrait", "edit", pid, "--role", role).exit_code == 0
    assert any(b"Sommerfeld" in p.read_bytes() for p in backup_files(ws.root / "campaign.json"))
    store = (ws.root / "campaign.json").read_bytes()
    assert len(ws.store.forget_backups()) == 3
    assert backup_files(ws.root / "campaign.json") == []
    assert (ws.root / "campaign.json").read_bytes() == store

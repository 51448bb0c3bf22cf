"""campaign backup / restore: one archive holds the whole workspace; a restore checks it all first
and never writes over a folder the tool did not make."""
from __future__ import annotations

import io
import json
import os
import tarfile
from pathlib import Path

import pytest
from conftest import approved_portrait

from portraits import records


@pytest.fixture
def stocked(ws, cli, tmp_path):
    approved_portrait(ws, "Brigitte", 81, "senior", surname="Sommer")
    evidence = tmp_path / "form.pdf"
    evidence.write_bytes(b"%PDF-1.4 consent form")
    assert cli("consent", "grant", "brigitte-81", "--scope", "press", "--signed-on", "2026-03-18",
               "--evidence", evidence).exit_code == 0
    return ws


def _files(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and not p.name.endswith(".lock")}


def test_a_restored_backup_is_the_same_workspace_private_parts_included(stocked, cli, tmp_path):
    ws = stocked
    out = tmp_path / "safe" / "duisburg.tar.gz"
    out.parent.mkdir()
    before = _files(ws.root)
    result = cli("backup", "--out", out)
    assert result.exit_code == 0, result.output
    assert "files." in result.output and ".private" in result.output and "safe as the workspace" in result.output
    assert out.stat().st_mode & 0o777 == 0o600
    assert any(name.startswith(".private/evidence/") for name in before)

    restored = tmp_path / "restored"
    result = cli("restore", out, restored)
    assert result.exit_code == 0, result.output
    assert _files(restored) == before  # byte for byte, as it was when the backup was made
    from campaign.workspace import Workspace

    again = Workspace(restored)
    assert records.get(again.store.read(), "brigitte-81")["surname"] == "Sommer"
    assert (restored / ".private").stat().st_mode & 0o777 == 0o700


def test_an_erasure_lists_the_backup_to_delete_by_hand(stocked, cli, tmp_path):
    out = tmp_path / "b.tar.gz"
    assert cli("backup", "--out", out).exit_code == 0
    result = cli("gdpr", "erase", "brigitte-81", "--yes")
    assert result.exit_code == 0 and f"Delete by hand (outside the workspace, shows them): {out}" in result.output
    assert out.exists()  # the tool tells; it does not delete an archive a city may need to keep


def test_a_backup_never_replaces_a_file_nor_lands_inside_the_workspace(stocked, cli, tmp_path):
    mine = tmp_path / "mine.tar.gz"
    mine.write_bytes(b"somebody's file")
    result = cli("backup", "--out", mine)
    assert result.exit_code == 1 and "already exists" in result.output and "Traceback" not in result.output
    assert mine.read_bytes() == b"somebody's file"
    result = cli("backup", "--out", stocked.exports / "b.tar.gz")
    assert result.exit_code == 1 and "inside the workspace" in result.output
    assert not (stocked.exports / "b.tar.gz").exists()


def _archive(path, members):
    """A hand-made .tar.gz: (TarInfo, bytes or None) pairs."""
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _tampered(source, target, change):
    """Copy a real backup, changing its members with `change(name, info, data) -> [(info, data)]`."""
    out = []
    with tarfile.open(source) as tar:
        for info in tar:
            data = tar.extractfile(info).read() if info.isreg() else None
            out.extend(change(info.name, info, data))
    return _archive(target, out)


@pytest.mark.parametrize("case", ["escape", "absolute", "symlink", "hardlink", "changed", "extra", "no-store",
                                  "broken-store", "not-an-archive", "cut-short"])
def test_a_bad_archive_is_refused_before_anything_is_written(stocked, cli, tmp_path, case):
    good = tmp_path / "good.tar.gz"
    assert cli("backup", "--out", good).exit_code == 0
    bad = tmp_path / "bad.tar.gz"

    def extra(kind, name, **fields):
        info = tarfile.TarInfo(name)
        info.type = kind
        for key, value in fields.items():
            setattr(info, key, value)
        return info

    if case == "escape":
        _tampered(good, bad, lambda n, i, d: [(i, d)] + ([(extra(tarfile.REGTYPE, "../evil.txt"), b"x")]
                                                         if n == "campaign.toml" else []))
    elif case == "absolute":
        _tampered(good, bad, lambda n, i, d: [(i, d)] + ([(extra(tarfile.REGTYPE, str(tmp_path / "evil")), b"x")]
                                                         if n == "campaign.toml" else []))
    elif case == "symlink":
        _tampered(good, bad, lambda n, i, d: [(i, d)] + ([(extra(tarfile.SYMTYPE, "photos/x", linkname="/etc"), None)]
                                                         if n == "campaign.toml" else []))
    elif case == "hardlink":
        _tampered(good, bad, lambda n, i, d: [(i, d)] + ([(extra(tarfile.LNKTYPE, "photos/x",
                                                                 linkname="campaign.toml"), None)]
                                                         if n == "campaign.toml" else []))
    elif case == "changed":
        _tampered(good, bad, lambda n, i, d: [(i, d.replace(b"Duisburg", b"Dortmund") if n == "campaign.toml"
                                               else d)])
    elif case == "extra":
        _tampered(good, bad, lambda n, i, d: [(i, d)] + ([(extra(tarfile.REGTYPE, "photos/new.jpg"), b"x")]
                                                         if n == "campaign.toml" else []))
    elif case in ("no-store", "broken-store"):
        def change(n, i, d):
            if n == "campaign-backup.json":
                manifest = json.loads(d)
                if case == "no-store":
                    manifest["files"] = [f for f in manifest["files"] if f["path"] != "campaign.json"]
                else:
                    import hashlib
                    for f in manifest["files"]:
                        if f["path"] == "campaign.json":
                            f.update(size=2, sha256=hashlib.sha256(b"[]").hexdigest())
                return [(i, json.dumps(manifest).encode())]
            if n == "campaign.json":
                return [] if case == "no-store" else [(i, b"[]")]
            return [(i, d)]
        _tampered(good, bad, change)
    elif case == "not-an-archive":
        bad.write_bytes(b"just some text")
    else:
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    target = tmp_path / "restored"
    result = cli("restore", bad, target)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "Nothing was changed" in result.output
    assert not target.exists() and not (tmp_path / "evil").exists() and not (tmp_path / "evil.txt").exists()
    assert not list(tmp_path.glob(".restored.restoring-*"))  # the checked-in-full folder is gone again


def test_a_restore_never_writes_over_a_folder_the_tool_did_not_make(stocked, cli, tmp_path):
    good = tmp_path / "good.tar.gz"
    assert cli("backup", "--out", good).exit_code == 0
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "letter.txt").write_text("mine")
    result = cli("restore", good, theirs, "--replace")
    assert result.exit_code == 1 and "not a campaign workspace" in result.output
    assert os.listdir(theirs) == ["letter.txt"]
    # An existing campaign only with --replace, and it is kept beside, never deleted.
    result = cli("restore", good, stocked.root)
    assert result.exit_code == 1 and "--replace" in result.output
    cli("portrait", "edit", "brigitte-81", "--quote", "Nach der Sicherung geändert.")
    result = cli("restore", good, stocked.root, "--replace", "--json")
    assert result.exit_code == 0, result.output
    kept = json.loads(result.output)["kept"]
    from campaign.workspace import Workspace

    assert records.get(Workspace(stocked.root).store.read(), "brigitte-81")["quote"] != "Nach der Sicherung geändert."
    assert records.get(Workspace(Path(kept)).store.read(), "brigitte-81")["quote"] == "Nach der Sicherung geändert."
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("restore", good, empty).exit_code == 0 and (empty / "campaign.toml").exists()

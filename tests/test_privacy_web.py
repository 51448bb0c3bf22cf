"""Datenschutz in the browser (role admin): find a person, download their data, erase them after the
first name is typed again. The erasure is `gdpr erase` itself, so it reaches what the command line
reaches: the same sweep of every byte of the workspace finds nothing of the person afterwards."""
from __future__ import annotations

import io
import json
import re
import zipfile

from sweep import build, sweep
from web_server import add_users, login, post_form, running


def test_erasure_from_the_browser_reaches_everything_gdpr_erase_reaches(cli, ws, tmp_path):
    people = build(cli, ws, tmp_path)
    gone, kept = people[0], people[1]
    add_users(ws)
    with running(ws) as base:
        dora = login(base, "dora")
        found = dora.get(f"{base}/privacy", params={"q": gone.surname}).text  # the surname finds them ...
        assert f"/privacy/{gone.id}" in found and gone.surname not in found.split("<main", 1)[1].replace(
            f'value="{gone.surname}"', "")  # ... but is never shown (only typed in the search field)
        page = dora.get(f"{base}/privacy/{gone.id}").text
        assert gone.surname not in page and "Take down by hand" in page and "photos/" in page
        wrong = post_form(dora, f"{base}/privacy/{gone.id}/erase", {"first_name": "Tamara"},
                          page=f"{base}/privacy/{gone.id}")
        assert wrong.status_code == 400 and "does not match" in wrong.text and sweep(ws.root, gone)
        done = post_form(dora, f"{base}/privacy/{gone.id}/erase", {"first_name": f"  {gone.first_name.upper()} "},
                         page=f"{base}/privacy/{gone.id}")
        assert done.status_code == 200 and "was erased" in done.text
    assert sweep(ws.root, gone) == []
    assert sweep(ws.root, kept)
    assert "Billboard pick 1 held an erased person: pick again" in cli("status").output


def test_their_data_downloads_as_one_zip_with_the_surname_in_their_own_copy(ws, tmp_path):
    from conftest import approved_portrait

    pid = approved_portrait(ws, "Brigitte", 81, "senior", surname="Sommer")
    add_users(ws)
    with running(ws) as base:
        dora = login(base, "dora")
        answer = post_form(dora, f"{base}/privacy/{pid}/export", page=f"{base}/privacy/{pid}")
        assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/zip"
        assert "gdpr-export-brigitte-81.zip" in answer.headers["Content-Disposition"]
        archive = zipfile.ZipFile(io.BytesIO(answer.content))
        names = archive.namelist()
        assert f"{pid}/data.json" in names and any(re.match(rf"{pid}/photo\.", n) for n in names)
        assert json.loads(archive.read(f"{pid}/data.json"))["portrait"]["surname"] == "Sommer"
    assert [e["action"] for e in ws.store.read().table("audit").all()][-1] == "gdpr.export"


def test_only_admin_sees_or_uses_the_privacy_pages(ws):
    from conftest import approved_portrait

    pid = approved_portrait(ws, "Brigitte", 81, "senior")
    add_users(ws)
    with running(ws) as base:
        for name in ("anna", "ben"):
            session = login(base, name)
            assert session.get(f"{base}/privacy?q=brig").status_code == 403
            assert session.get(f"{base}/privacy/{pid}").status_code == 403
            assert "/privacy" not in session.get(f"{base}/").text  # not in the navigation either
            before = ws.store.path.read_bytes()
            answer = post_form(session, f"{base}/privacy/{pid}/erase", {"first_name": "Brigitte"}, page=f"{base}/")
            assert answer.status_code == 403 and ws.store.path.read_bytes() == before
            assert post_form(session, f"{base}/privacy/{pid}/export", page=f"{base}/").status_code == 403

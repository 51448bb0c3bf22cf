"""Numbers far out of range, typed or found in the store: refused at entry with the range, named by
`doctor`, and never able to break `campaign report` or the ranking for good."""
from __future__ import annotations

import pytest
from conftest import approved_portrait, due_post
from test_inputs import _refused
from test_meta_import import _campaign

from campaign.outputs.renders import publishing_site
from schedules import engagement
from schedules.daemon import run_once

HUGE = ["10000000001", "1" + "0" * 400, "9" * 5000]


def _published_post(ws):
    post_id = due_post(ws, approved_portrait(ws, "Brigitte", 81, "senior"))
    assert run_once(publishing_site(ws))["posts"][0]["status"] == "published"
    return post_id


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("option", ["--likes", "--comments", "--shares", "--reach"])
def test_a_figure_far_out_of_range_is_refused_at_entry_with_the_range(cli, ws, option, value):
    post_id = _published_post(ws)
    figures = {"--likes": "5", "--comments": "1"} | {option: value}
    args = [a for pair in figures.items() for a in pair]
    out = _refused(cli, ws, "engagement", "record", post_id, *args, says="out of range")
    assert "0 to 10 billion" in out and len(out) < 400


@pytest.mark.parametrize("value", HUGE)
def test_an_export_with_a_figure_far_out_of_range_imports_nothing(cli, ws, tmp_path, value):
    _campaign(ws)
    export = tmp_path / "export.csv"
    export.write_text(f"Post ID,Reactions,Comments,Shares\n1001_9001,10,1,0\n9002,{value},1,0\n")
    out = _refused(cli, ws, "engagement", "import", export, says="line 3")
    assert "out of range" in out and len(out) < 600


@pytest.mark.parametrize("value", ["121", "1" + "0" * 400, "9" * 5000])
def test_an_age_far_out_of_range_is_refused_with_the_range(cli, ws, photo, value):
    out = _refused(cli, ws, "portrait", "add", photo, "--first-name", "Anna", "--age", value, "--role", "Pflegerin",
                   "--quote", "Hallo.", says="is not possible")
    assert "from 0 to 120" in out and len(out) < 300


def test_a_figure_far_out_of_range_in_the_store_is_left_out_of_the_report_and_named_by_doctor(cli, ws):
    post_id = _published_post(ws)
    assert cli("engagement", "record", post_id, "--likes", "40", "--comments", "2").exit_code == 0
    with ws.store.transaction() as db:  # as an older version, or a hand edit, left it
        good = db.table("engagement").all()[0]
        db.table("engagement").insert({**good, "likes": 10 ** 400, "at": ws.now().isoformat(timespec="seconds")})
        db.table("portraits").update({"age": 10 ** 5})
    r = cli("report")
    assert r.exit_code == 0, r.output
    page = (ws.root / "exports" / "report" / "index.html").read_text()
    assert "1 engagement count with a figure out of range is left out" in page
    r = cli("engagement", "top", "--json")
    assert r.exit_code == 0 and '"likes": 40' in r.output
    r = cli("doctor")
    assert r.exit_code == 1, r.output
    assert f"An engagement snapshot of {post_id}" in r.output and "likes out of range" in r.output
    assert "has the age 100000, outside 0 to 120" in r.output
    assert [s["likes"] for s in engagement.snapshots(ws.store.read())] == [40]

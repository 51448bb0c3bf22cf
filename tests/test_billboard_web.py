"""Plakat in the browser: pick with the fit said at once, approve (freigabe), export, preflight as a
list, downloads; each action refused for the wrong role."""
from __future__ import annotations

from conftest import approved_portrait
from web_server import add_users, login, post_form, running, wait_for_job

BIG = (1400, 1750)  # fills a 3x3 slot of an 18/1 at 1:10 and 300 dpi
RUN = {"from": "01.06.2026", "to": "10.06.2026"}
CATS = ("senior", "health", "youth", "retail", "transport", "kitchen", "school", "culture", "sport")


def test_pick_approve_export_preflight_and_download_in_the_browser(ws):
    for i, cat in enumerate(CATS):
        approved_portrait(ws, f"Person{chr(65 + i)}", 10 + 9 * i, cat, size=BIG, surname="Geheimname")
    add_users(ws)
    with running(ws) as base:
        anna, ben = login(base, "anna"), login(base, "ben")
        page = f"{base}/billboard"
        assert post_form(ben, f"{base}/billboard/pick", {"slots": "9", **RUN}, page=page).status_code == 403
        answer = post_form(anna, f"{base}/billboard/pick", {"slots": "9", **RUN}, page=page)
        assert answer.status_code == 200 and "Picked 9 portraits" in answer.text and "Geheimname" not in answer.text
        assert post_form(anna, f"{base}/billboard/approve", page=page).status_code == 403
        answer = post_form(ben, f"{base}/billboard/approve", page=page)
        assert "The billboard pick is approved" in answer.text and "Approved by ben" in answer.text
        assert post_form(ben, f"{base}/billboard/export", page=page).status_code == 403
        answer = post_form(anna, f"{base}/billboard/export", page=page)
        assert "Started" in answer.text
        assert "Wrote the print PDF and the preview" in wait_for_job(anna, base, "billboard")
        assert "Print files" in anna.get(page).text
        pdf = anna.get(f"{base}/billboard/files/0.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and "attachment" in \
            pdf.headers["Content-Disposition"]
        png = anna.get(f"{base}/billboard/files/0.png")
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
        assert anna.get(f"{base}/billboard/files/1.pdf").status_code == 404
        assert anna.get(f"{base}/billboard/files/0.txt").status_code == 404
        checked = post_form(anna, f"{base}/billboard/files/0/preflight", page=page)
        assert checked.status_code == 200 and "Trim box and bleed box" in checked.text
        assert "All checks passed." in checked.text or "Some checks failed" in checked.text


def test_a_pick_that_does_not_fit_is_said_at_once_and_cannot_be_approved(ws):
    for i, cat in enumerate(CATS[:3]):
        approved_portrait(ws, f"Person{chr(65 + i)}", 20 + 20 * i, cat, size=BIG)
    add_users(ws)
    with running(ws) as base:
        anna, ben = login(base, "anna"), login(base, "ben")
        page = f"{base}/billboard"
        answer = post_form(anna, f"{base}/billboard/pick", {"slots": "9", **RUN}, page=page)
        assert "only 3 portraits can go on it for 9 slots" in answer.text
        assert "campaign billboard pick --slots 3" in answer.text
        assert "Approve this pick" not in ben.get(page).text
        before = ws.store.path.read_bytes()
        refused = post_form(ben, f"{base}/billboard/approve", page=page)
        assert "does not fit the poster" in refused.text and ws.store.path.read_bytes() == before

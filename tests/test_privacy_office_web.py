"""Datenschutz, the rest: a WhatsApp subscriber erased from the browser through the same function as
`gdpr erase --subscriber` (with a confirmation that lists what goes), and the audit log with filters
(person, user, action, a period typed the German way) a page at a time, never showing a surname.
Both refused for every role but admin, with nothing changed."""
from __future__ import annotations

from conftest import approved_portrait
from web_server import add_users, login, post_form, running

from campaign.outputs import whatsapp_day
from portraits import audit
from schedules import subscribers

NUMBER = "+4917612345678"


def test_a_whatsapp_subscriber_is_erased_after_a_confirmation_that_lists_what_goes(ws):
    whatsapp_day.add_subscriber(ws, NUMBER, "de", "2026-05-01", "Flyer")
    sub_id = whatsapp_day.list_subscribers(ws)[0]["id"]
    add_users(ws)
    with running(ws) as base:
        dora = login(base, "dora")
        shown = post_form(dora, f"{base}/privacy/subscriber", {"who": "0176 12345678"}, page=f"{base}/privacy")
        assert shown.status_code == 200 and sub_id in shown.text
        assert "+49 *********78" in shown.text and "12345678" not in shown.text.replace("*********78", "")
        assert "the subscriber id in 1 audit log entry" in shown.text and "Erase the subscriber for good" in shown.text
        done = post_form(dora, f"{base}/privacy/subscriber/erase", {"who": sub_id}, page=f"{base}/privacy")
        assert done.status_code == 200 and "The subscriber was erased" in done.text
        again = post_form(dora, f"{base}/privacy/subscriber", {"who": NUMBER}, page=f"{base}/privacy")
        assert again.status_code == 400 and "No subscriber and no opt-out with that number" in again.text
    db = ws.store.read()
    assert subscribers.find(db, NUMBER) is None and not db.table(subscribers.OPTOUTS).all()
    assert [e["action"] for e in audit.entries(db)][-1] == "whatsapp.erase"
    assert not any(e.get("subject") == sub_id for e in audit.entries(db))


def test_subscriber_erasure_and_the_audit_log_are_refused_for_every_role_but_admin(ws):
    whatsapp_day.add_subscriber(ws, NUMBER, "de", "2026-05-01", "Flyer")
    sub_id = whatsapp_day.list_subscribers(ws)[0]["id"]
    add_users(ws)
    with running(ws) as base:
        for name in ("anna", "ben"):
            someone = login(base, name)
            before = ws.store.path.read_bytes()
            refused = post_form(someone, f"{base}/privacy/subscriber/erase", {"who": sub_id}, page=f"{base}/")
            assert refused.status_code == 403 and ws.store.path.read_bytes() == before
            assert post_form(someone, f"{base}/privacy/subscriber", {"who": NUMBER}, page=f"{base}/").status_code == 403
            assert someone.get(f"{base}/privacy/audit").status_code == 403


def test_the_audit_log_filters_by_person_user_action_and_a_german_period_and_pages(ws, clock):
    from datetime import timedelta

    amira = approved_portrait(ws, "Amira", 38, "health", surname="Yilmaz")
    clock.shift(timedelta(days=3))
    jonas = approved_portrait(ws, "Jonas", 45, "transport")
    with audit.acting_as("anna"):
        with ws.store.transaction() as db:
            for _ in range(60):
                audit.record(db, "post.retry", "p-x", now=ws.now())
            audit.record(db, "signoff.approved", "so-1", now=ws.now(), note="Frau Yilmaz sagt ja")
    add_users(ws)
    with running(ws) as base:
        dora = login(base, "dora")
        page = dora.get(f"{base}/privacy/audit", params={"person": amira}).text
        assert amira in page and jonas not in page and "Yilmaz" not in page
        page = dora.get(f"{base}/privacy/audit", params={"user": "ANNA", "action": "post.retry"}).text
        assert "61 entries" not in page and "60 entries" in page and "page 1 of 2" in page and "next page" in page
        assert "1 entry" not in dora.get(f"{base}/privacy/audit", params={"action": "post.retry", "page": "2"}).text
        assert "10 entries" not in page
        early = dora.get(f"{base}/privacy/audit", params={"to": ws.now().date().strftime("%d.%m.%Y")}).text
        assert "Yilmaz" not in early and "[…] sagt ja" in early
        first_days = dora.get(f"{base}/privacy/audit", params={"from": "01.01.2026", "to": (
            ws.now() - timedelta(days=2)).strftime("%d.%m.%Y")}).text
        assert amira in first_days and jonas not in first_days
        wrong = dora.get(f"{base}/privacy/audit", params={"from": "31.02.2026"})
        assert wrong.status_code == 400 and "is not a date on the calendar" in wrong.text
        assert "Traceback" not in wrong.text


def test_the_audit_log_says_its_actions_and_details_in_words_in_german(ws):
    """The log stores ids (`consent.grant`, `scopes`); the office reads "Einwilligung erfasst",
    "Zwecke: …" on the page and in the action filter, not ids or JSON."""
    amira = approved_portrait(ws, "Amira", 38, "health", surname="Yilmaz")
    with ws.store.transaction() as db:
        audit.record(db, "some.future_action", amira, now=ws.now(), note="Frau Yilmaz")
    add_users(ws)
    with running(ws, lang="de") as base:
        dora = login(base, "dora")
        page = dora.get(f"{base}/privacy/audit", params={"person": amira}).text
        assert "Einwilligung erfasst" in page and "Porträt hinzugefügt" in page and "Zwecke: " in page
        assert "consent.grant" not in page.replace('value="consent.grant"', "")  # the filter's value only
        table = page[page.index("<tbody>"):page.index("</tbody>")]
        assert '{"' not in table and "scopes" not in table
        assert "some.future_action" in page and "Notiz: Frau […]" in page  # an action not listed yet: its id
        assert '<option value="consent.grant">Einwilligung erfasst</option>' in page
        assert "Yilmaz" not in page

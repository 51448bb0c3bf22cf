"""Sign-off links against a real server: what the person without an account sees (what goes out,
never a surname), one decision, and every way a link stops working: expired, used, revoked, a
changed id or token, an edit after it was made. Roles: only `freigabe` makes and revokes links."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import requests
from conftest import approved_portrait
from web_server import add_users, login, post_form, running


@pytest.fixture
def site(ws):
    add_users(ws)
    approved_portrait(ws, "Brigitte", 81, "senior", surname="Sommer")
    approved_portrait(ws, "Tamara", 32, "adult", surname="Kowalski")
    from campaign.posting import scheduling

    scheduling.add_post(ws, "brigitte-81", "2026-06-23 18:30", "instagram")   # p-1, Tuesday
    scheduling.add_post(ws, "tamara-32", "2026-06-25 18:30", "facebook")      # p-2, Thursday, same week
    scheduling.add_post(ws, "tamara-32", "2026-07-02 18:30", "instagram")     # p-3, next week
    with running(ws) as base:
        yield ws, base


def _make(session, base, **form):
    answer = post_form(session, f"{base}/signoffs", form, page=f"{base}/signoffs")
    assert answer.status_code == 200, answer.text[:400]
    found = re.search(r'id="made-address" readonly value="([^"]+)"', answer.text)
    assert found, answer.text[:2000]
    return found.group(1).replace("&amp;", "&")


def _decide(address, decision="approve", name="Petra Presse", comment="Passt so."):
    outsider = requests.Session()
    page = outsider.get(address)
    link_id = re.search(r"/signoff/(so-[0-9a-f]+)", address).group(1)
    base = address.split("/signoff/")[0]
    return outsider.post(f"{base}/signoff/{link_id}", data={
        "t": address.split("t=")[1], "name": name, "comment": comment, "decision": decision,
        "csrf_token": re.search(r'data-csrf="([^"]+)"', page.text).group(1)})  # a closed page has no form


def test_a_week_link_shows_what_goes_out_and_takes_one_decision(site):
    ws, base = site
    ben = login(base, "ben")
    address = _make(ben, base, kind="week", week="24.06.2026", days="7")
    page = requests.get(address)  # no account, no log-in
    assert page.status_code == 200
    assert "Brigitte (81)" in page.text and "Tamara (32)" in page.text  # the captions as published
    assert "Sommer" not in page.text and "Kowalski" not in page.text
    assert "brigitte-81" not in page.text and "p-3" not in page.text  # no record ids, not next week's post
    images = re.findall(r'<img src="([^"]+)" alt="([^"]+)"', page.text)
    assert len(images) == 2 and all(alt for _src, alt in images)
    picture = requests.get(base + images[0][0].replace("&amp;", "&"))
    assert picture.status_code == 200 and picture.headers["Content-Type"] == "image/jpeg"

    answer = _decide(address, "approve", comment="Gern so veröffentlichen.")
    assert answer.status_code == 200 and "approved" in answer.text
    link = ws.store.read().table("signoffs").all()[0]
    assert link["decision"] == "approved" and link["decided_by"] == "Petra Presse" and link["posts"] == ["p-1", "p-2"]
    audit = [(e["action"], e["who"]) for e in ws.store.read().table("audit").all() if e["action"].startswith("signoff")]
    assert audit == [("signoff.create", "ben"), ("signoff.approved", f"Petra Presse (sign-off link {link['id']})")]
    listing = ben.get(f"{base}/signoffs").text
    assert "approved by Petra Presse" in listing and "Gern so veröffentlichen." in listing

    again = _decide(address, "reject", name="Jemand anders")  # used twice
    assert again.status_code == 410 and "has been used" in again.text
    assert requests.get(address).status_code == 410
    assert ws.store.read().table("signoffs").all()[0]["decided_by"] == "Petra Presse"


def test_the_token_is_kept_only_as_a_hash(site):
    ws, base = site
    address = _make(login(base, "ben"), base, kind="post", post_id="p-1")
    secret = address.split("t=")[1]
    assert len(secret) >= 43  # 256 random bits
    assert secret not in ws.store.path.read_text() and secret not in ws.log_path.read_text()
    assert secret not in login(base, "ben").get(f"{base}/signoffs").text  # the list never shows it again


def test_an_expired_link_no_longer_works(site, clock):
    ws, base = site
    address = _make(login(base, "ben"), base, kind="post", post_id="p-1")
    clock.shift(timedelta(days=6, hours=23))
    assert requests.get(address).status_code == 200
    clock.shift(timedelta(hours=2))
    page = requests.get(address)
    assert page.status_code == 410 and "has expired" in page.text and "Brigitte" not in page.text
    assert _decide(address).status_code == 410
    assert "decision" not in ws.store.read().table("signoffs").all()[0]


def test_a_revoked_link_no_longer_works_and_only_freigabe_may_revoke(site):
    ws, base = site
    ben, anna = login(base, "ben"), login(base, "anna")
    address = _make(ben, base, kind="post", post_id="p-1")
    link_id = re.search(r"/signoff/(so-[0-9a-f]+)", address).group(1)
    refused = post_form(anna, f"{base}/signoffs/{link_id}/revoke", page=f"{base}/signoffs")
    assert refused.status_code == 403 and requests.get(address).status_code == 200
    post_form(ben, f"{base}/signoffs/{link_id}/revoke", page=f"{base}/signoffs")
    page = requests.get(address)
    assert page.status_code == 410 and "withdrawn" in page.text
    assert _decide(address).status_code == 410
    assert [e["action"] for e in ws.store.read().table("audit").all()][-1] == "signoff.revoke"


def test_a_changed_id_or_token_finds_nothing_and_records_nothing(site):
    ws, base = site
    address = _make(login(base, "ben"), base, kind="post", post_id="p-1")
    secret = address.split("t=")[1]
    link_id = re.search(r"/signoff/(so-[0-9a-f]+)", address).group(1)
    other_id = link_id[:-1] + ("0" if link_id[-1] != "0" else "1")
    changed = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    for wrong in (address.replace(link_id, other_id), address.replace(secret, changed), address.split("?")[0]):
        page = requests.get(wrong)
        assert page.status_code == 404 and "not valid" in page.text and "Brigitte" not in page.text
        assert _decide(wrong).status_code == 404 if "t=" in wrong else True
    image = requests.get(f"{base}/signoff/{link_id}/image/p-1/0?t={changed}")
    assert image.status_code == 404
    assert "decision" not in ws.store.read().table("signoffs").all()[0]


def test_an_edit_after_the_link_was_made_voids_it(site):
    ws, base = site
    address = _make(login(base, "ben"), base, kind="post", post_id="p-1")
    anna = login(base, "anna")
    from portraits import records

    version = records.get(ws.store.read(), "brigitte-81")["updated_at"]
    answer = post_form(anna, f"{base}/portraits/brigitte-81", {"quote": "Ein neues Zitat nach dem Link.",
                                                                "version": version})
    assert answer.status_code == 200
    page = requests.get(address)
    assert page.status_code == 410 and "changed after this link was made" in page.text
    assert "Ein neues Zitat" not in page.text
    assert _decide(address).status_code == 410


def test_only_freigabe_makes_links_and_the_name_is_required(site):
    ws, base = site
    anna = login(base, "anna")
    refused = post_form(anna, f"{base}/signoffs", {"kind": "post", "post_id": "p-1"}, page=f"{base}/signoffs")
    assert refused.status_code == 403 and not ws.store.read().table("signoffs").all()
    address = _make(login(base, "ben"), base, kind="post", post_id="p-1")
    answer = _decide(address, name="   ", comment="Ohne Namen")
    assert answer.status_code == 400 and "give your name" in answer.text and "Ohne Namen" in answer.text
    assert requests.get(address).status_code == 200  # still open


def test_a_week_without_posts_and_a_published_post_are_refused_with_a_message(site):
    ws, base = site
    ben = login(base, "ben")
    answer = post_form(ben, f"{base}/signoffs", {"kind": "week", "week": "01.01.2027"}, page=f"{base}/signoffs")
    assert answer.status_code == 200 and "No planned posts in the week of 2026-12-28" in answer.text
    answer = post_form(ben, f"{base}/signoffs", {"kind": "post", "post_id": "p-99"}, page=f"{base}/signoffs")
    assert answer.status_code == 200 and "p-99" in answer.text and "Traceback" not in answer.text
    assert not ws.store.read().table("signoffs").all()

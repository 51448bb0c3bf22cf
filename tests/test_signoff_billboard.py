"""The billboard's sign-off link against a real server: it shows the print preview and the first
names, roles and quotes on the poster (never a surname), takes one decision with a name and a
comment, and stops working when it expires, after its decision, when revoked, with a changed id or
token, and when the pick changes after it was made. Only `freigabe` makes one."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import requests
from conftest import approved_portrait
from test_signoff import _decide, _make
from web_server import add_users, login, post_form, running

from campaign.outputs import billboard
from portraits import audit

BIG = (1400, 1750)
CATS = ("senior", "health", "youth", "retail", "transport", "kitchen", "school", "culture", "sport")


def exported_billboard(ws) -> None:
    """Nine portraits (surname "Geheimname") picked, approved by ben and exported for print."""
    for i, cat in enumerate(CATS):
        approved_portrait(ws, f"Person{chr(65 + i)}", 10 + 9 * i, cat, size=BIG, surname="Geheimname")
    billboard.pick(ws, 9, "2026-06-01", "2026-06-10")
    with audit.acting_as("ben"):
        billboard.approve(ws)
    billboard.export(ws)


@pytest.fixture
def site(ws):
    add_users(ws)
    exported_billboard(ws)
    with running(ws) as base:
        yield ws, base


def test_a_billboard_link_shows_the_preview_and_names_and_takes_one_decision(site):
    ws, base = site
    anna, ben = login(base, "anna"), login(base, "ben")
    before = ws.store.path.read_bytes()
    refused = post_form(anna, f"{base}/signoffs", {"kind": "billboard", "days": "7"}, page=f"{base}/signoffs")
    assert refused.status_code == 403 and ws.store.path.read_bytes() == before
    address = _make(ben, base, kind="billboard", days="7")
    token = address.split("t=")[1]
    assert token not in ws.store.path.read_text()  # only its hash is kept
    page = requests.get(address)
    assert page.status_code == 200 and "PersonA, 10</strong>, Senior" in page.text and "PersonA sagt: wir halten zusammen." in page.text
    assert "Geheimname" not in page.text and "Preview of the billboard as it will be printed" in page.text
    link_id = re.search(r"/signoff/(so-[0-9a-f]+)", address).group(1)
    picture = requests.get(f"{base}/signoff/{link_id}/preview", params={"t": token})
    assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")
    assert requests.get(f"{base}/signoff/{link_id}/preview", params={"t": token + "x"}).status_code == 404
    answer = _decide(address, name="Büro der Oberbürgermeisterin", comment="Gern so drucken.")
    assert answer.status_code == 200 and "Thank you: approved" in answer.text
    again = _decide(address)
    assert again.status_code == 410 and "has been used" in again.text
    assert requests.get(f"{base}/signoff/{link_id}/preview", params={"t": token}).status_code == 404
    listed = ben.get(f"{base}/signoffs").text
    assert "approved by Büro der Oberbürgermeisterin" in listed and "billboard, pick 1" in listed
    decided = [e for e in audit.entries(ws.store.read()) if e["action"] == "signoff.approved"]
    assert decided[-1]["details"]["pick"] == 1 and "sign-off link" in decided[-1]["who"]


def test_a_billboard_link_expires_can_be_revoked_and_a_changed_token_finds_nothing(site, clock):
    ws, base = site
    ben = login(base, "ben")
    revoked, expiring = _make(ben, base, kind="billboard", days="7"), _make(ben, base, kind="billboard", days="1")
    link_id = re.search(r"/signoff/(so-[0-9a-f]+)", revoked).group(1)
    post_form(ben, f"{base}/signoffs/{link_id}/revoke", page=f"{base}/signoffs")
    page = requests.get(revoked)
    assert page.status_code == 410 and "withdrawn" in page.text and "PersonA" not in page.text
    changed = expiring[:-3] + ("AAA" if not expiring.endswith("AAA") else "BBB")
    assert requests.get(changed).status_code == 404 and _decide(changed).status_code == 404
    clock.shift(timedelta(days=2))
    page = requests.get(expiring)
    assert page.status_code == 410 and "has expired" in page.text and _decide(expiring).status_code == 410


def test_a_new_pick_after_the_link_was_made_voids_it(site):
    ws, base = site
    ben = login(base, "ben")
    address = _make(ben, base, kind="billboard", days="7")
    assert requests.get(address).status_code == 200
    billboard.pick(ws, 9, "2026-06-01", "2026-06-10")  # the same people, but a new pick to sign off
    page = requests.get(address)
    assert page.status_code == 410 and "changed after this link was made" in page.text
    assert _decide(address).status_code == 410
    assert "void: the pick or its print file changed since" in ben.get(f"{base}/signoffs").text


def test_a_billboard_link_needs_print_files_first(ws):
    add_users(ws)
    for i, cat in enumerate(CATS):
        approved_portrait(ws, f"Person{chr(65 + i)}", 10 + 9 * i, cat, size=BIG)
    billboard.pick(ws, 9, "2026-06-01", "2026-06-10")
    with running(ws) as base:
        ben = login(base, "ben")
        answer = post_form(ben, f"{base}/signoffs", {"kind": "billboard", "days": "7"}, page=f"{base}/signoffs")
        assert "has no print files yet" in answer.text and not ws.store.read().table("signoffs").all()

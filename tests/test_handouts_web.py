"""Presse, WhatsApp, Galerie pages: make (and make again), what it holds, who was left out and why,
the zip download; the WhatsApp page shows each day's image and message to post by hand; making is
refused for the wrong role."""
from __future__ import annotations

import io
import zipfile

from conftest import approved_portrait
from web_server import add_users, login, post_form, running, wait_for_job


def _people(ws):
    approved_portrait(ws, "Brigitte", 81, "senior", scopes="instagram,press,website,whatsapp", size=(1600, 2000),
                      surname="Sommer")
    approved_portrait(ws, "Tamara", 32, "health", scopes="instagram", size=(1600, 2000))


def test_press_kit_and_gallery_pages_make_list_who_is_left_out_and_download(ws):
    _people(ws)
    add_users(ws)
    with running(ws) as base:
        anna, ben = login(base, "anna"), login(base, "ben")
        for area, zipped in (("press", "press-kit"), ("gallery", "gallery")):
            assert post_form(ben, f"{base}/{area}/make", page=f"{base}/{area}").status_code == 403
            started = post_form(anna, f"{base}/{area}/make", page=f"{base}/{area}")
            assert started.status_code == 200 and "Started" in started.text, started.text[:300]
            assert "Finished" in wait_for_job(anna, base, area)
            answer = anna.get(f"{base}/{area}")
            assert "brigitte-81" in answer.text and "Sommer" not in answer.text
            assert "Tamara (tamara-32)" in answer.text and "no valid" in answer.text  # left out, and why
            pack = anna.get(f"{base}/{area}/download")
            assert pack.status_code == 200 and pack.headers["Content-Type"] == "application/zip"
            names = zipfile.ZipFile(io.BytesIO(pack.content)).namelist()
            assert names and all(n.startswith(f"{zipped}/") for n in names)
            assert "Make it again" in anna.get(f"{base}/{area}").text


def test_the_whatsapp_page_shows_each_days_image_and_message_to_post_by_hand(ws, clock):
    _people(ws)
    from campaign.posting import scheduling

    scheduling.add_post(ws, "brigitte-81", "2026-06-18 18:30", "instagram")
    add_users(ws)
    with running(ws) as base:
        anna = login(base, "anna")
        answer = post_form(anna, f"{base}/whatsapp/make", {"from": "18.06.2026", "to": "18.06.2026"},
                           page=f"{base}/whatsapp")
        assert answer.status_code == 200, answer.text[:500]
        assert "<textarea" in answer.text and "Brigitte" in answer.text and "Sommer" not in answer.text
        image = anna.get(f"{base}/whatsapp/image/2026-06-18/de")
        assert image.status_code == 200 and image.headers["Content-Type"] == "image/jpeg"
        assert anna.get(f"{base}/whatsapp/image/..%2F..%2Fcampaign.json/de").status_code == 404

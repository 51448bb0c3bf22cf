"""The long jobs, the rest of Datenschutz and the billboard's sign-off link in Debian's Chromium,
with axe-core on every page and state: a job running, finished, failed and interrupted; a WhatsApp
subscriber's erasure from the form to the result; the audit log with its filters; the billboard
link opened at phone width by someone without an account."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from conftest import approved_portrait
from test_web_browser import axe_clean, browser_type_launch_args, log_in, site  # noqa: F401 - fixtures

pytestmark = pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian's chromium (make system)")
PHONE = {"width": 390, "height": 844}


def test_rendering_everything_shows_its_progress_and_then_the_result_in_the_browser(site, browser):  # noqa: F811
    ws, base = site
    for i, cat in enumerate(("senior", "health", "youth")):
        approved_portrait(ws, f"Person{chr(65 + i)}", 30 + i, cat, size=(1600, 2000))
    page = browser.new_context(viewport=PHONE).new_page()
    log_in(page, base, "anna")
    page.get_by_role("link", name="Portraits").click()
    page.get_by_role("button", name="Make all images now").click()
    assert "Started" in page.content()
    axe_clean(page)  # running (or already finished on a fast machine)
    page.get_by_text("Made 12 images.").wait_for(timeout=60_000)  # the panel's poll brought it in
    axe_clean(page)
    page.reload()
    assert "Made 12 images." in page.content()
    page.context.close()


def test_a_failed_and_an_interrupted_job_say_so_and_offer_to_start_again(site, browser):  # noqa: F811
    ws, base = site
    approved_portrait(ws, "Amira", 38, "health", scopes="instagram")
    page = browser.new_context(viewport=PHONE).new_page()
    log_in(page, base, "anna")
    page.get_by_role("link", name="Website gallery").click()
    page.get_by_role("button", name="Make it").click()
    page.get_by_text("The job failed:").wait_for(timeout=30_000)
    assert "No portrait can go into the gallery" in page.content()
    axe_clean(page)
    gone = subprocess.Popen(["true"])
    gone.wait()
    (ws.private / "jobs").mkdir(exist_ok=True)
    (ws.private / "jobs" / "press.json").write_text(json.dumps({
        "kind": "press", "state": "running", "done": 3, "total": 10, "started_by": "anna",
        "started_at": ws.now().isoformat(timespec="seconds"), "pid": gone.pid, "instance": "before"}))
    page.get_by_role("link", name="Press kit").click()
    assert "The job was interrupted" in page.content()
    axe_clean(page)
    assert page.get_by_role("button", name="Start it again").is_visible()
    page.context.close()


def test_erasing_a_whatsapp_subscriber_and_reading_the_audit_log_in_the_browser(site, browser):  # noqa: F811
    from campaign.outputs import whatsapp_day

    ws, base = site
    approved_portrait(ws, "Amira", 38, "health", surname="Yilmaz")
    whatsapp_day.add_subscriber(ws, "+4917612345678", "de", "2026-05-01", "Flyer")
    page = browser.new_context(viewport=PHONE).new_page()
    log_in(page, base, "dora")
    page.get_by_role("link", name="Privacy").click()
    page.get_by_label("Phone number or subscriber id").fill("0176 12345678")
    page.get_by_role("button", name="Show what would be erased").click()
    assert "+49 *********78" in page.content()
    axe_clean(page)
    page.get_by_role("button", name="Erase the subscriber for good").click()
    assert "The subscriber was erased" in page.content()
    axe_clean(page)
    page.get_by_role("link", name="Back to privacy requests").click()
    page.get_by_role("link", name="The audit log: who changed what, when").click()
    axe_clean(page)
    page.get_by_label("Person (portrait or subscriber id)").fill("amira-38")
    page.get_by_label("From (e.g. 01.06.2026)").fill("01.01.2026")
    page.get_by_role("button", name="Filter").click()
    assert page.get_by_role("cell", name="Consent recorded").is_visible() and "Yilmaz" not in page.content()
    axe_clean(page)
    page.get_by_label("To (e.g. 30.06.2026)").fill("31.02.2026")
    page.get_by_role("button", name="Filter").click()
    assert "is not a date on the calendar" in page.content()
    axe_clean(page)
    page.context.close()


def test_the_billboard_sign_off_link_in_the_browser_at_phone_width(site, browser):  # noqa: F811
    from test_signoff_billboard import exported_billboard

    ws, base = site
    exported_billboard(ws)
    ben = browser.new_context().new_page()
    log_in(ben, base, "ben")
    ben.goto(base + "/signoffs")
    ben.get_by_role("button", name="Make the billboard link").click()
    address = ben.get_by_label("Link", exact=True).input_value()
    axe_clean(ben)
    outsider = browser.new_context(viewport=PHONE).new_page()
    outsider.goto(address)
    assert "PersonA, 10" in outsider.content() and "Geheimname" not in outsider.content()
    assert outsider.locator("img.preview").evaluate("img => img.naturalWidth") > 0
    axe_clean(outsider)
    outsider.get_by_label("Your name").fill("Petra Presse")
    outsider.get_by_role("button", name="Reject").click()
    assert "Thank you: rejected" in outsider.content()
    axe_clean(outsider)
    for context in (ben.context, outsider.context):
        context.close()

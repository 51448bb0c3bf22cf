"""The office pages in Debian's Chromium, with axe-core on each: a sign-off link made by `freigabe`,
opened by someone without an account at phone width, approved, and then closed."""
from __future__ import annotations

import shutil

import pytest
from conftest import approved_portrait
from test_web_browser import axe_clean, browser_type_launch_args, log_in, site  # noqa: F401 - fixtures

pytestmark = pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian's chromium (make system)")


def test_a_week_sign_off_link_from_making_to_approving_in_the_browser(site, browser):  # noqa: F811
    ws, base = site
    pid = approved_portrait(ws, "Amira", 38, "health", surname="Yilmaz")
    from campaign.posting import scheduling

    scheduling.add_post(ws, pid, "2026-06-23 18:30", "instagram")
    ben = browser.new_context().new_page()
    log_in(ben, base, "ben")
    ben.goto(base + "/signoffs")
    axe_clean(ben)
    ben.get_by_label("For the week of a day (e.g. 22.06.2026)").fill("23.06.2026")
    ben.get_by_role("button", name="Make the link").nth(1).click()
    address = ben.get_by_label("Link", exact=True).input_value()
    assert "/signoff/so-" in address and "?t=" in address
    axe_clean(ben)

    outsider = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    outsider.goto(address)
    assert "Amira (38)" in outsider.content() and "Yilmaz" not in outsider.content()
    axe_clean(outsider)
    outsider.get_by_label("Your name").fill("Petra Presse")
    outsider.get_by_label("Comment (optional)").fill("Freigegeben.")
    outsider.get_by_role("button", name="Approve").click()
    outsider.wait_for_load_state()
    assert "Thank you: approved" in outsider.content()
    axe_clean(outsider)
    outsider.goto(address)
    assert "This link no longer works" in outsider.content()
    axe_clean(outsider)
    ben.goto(base + "/signoffs")
    assert "approved by Petra Presse" in ben.content()
    for context in (ben.context, outsider.context):
        context.close()


def test_the_privacy_pages_work_by_keyboard_labels_and_pass_axe(site, browser):  # noqa: F811
    ws, base = site
    pid = approved_portrait(ws, "Amira", 38, "health", surname="Yilmaz")
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(page, base, "dora")
    page.get_by_role("link", name="Privacy").click()
    page.get_by_label("First name, surname, id or role").fill("Yilmaz")
    page.get_by_role("button", name="Find").click()
    axe_clean(page)
    page.get_by_role("link", name="Amira (38), Health").click()
    assert "Yilmaz" not in page.content()
    axe_clean(page)
    page.get_by_label("To confirm, type the first name again").fill("Amina")
    page.get_by_role("button", name="Erase for good").click()
    assert "does not match" in page.content()
    axe_clean(page)
    page.get_by_label("To confirm, type the first name again").fill("Amira")
    page.get_by_role("button", name="Erase for good").click()
    assert "was erased" in page.content()
    axe_clean(page)
    page.context.close()
    from portraits import records

    assert pid not in {p["id"] for p in records.all_portraits(ws.store.read())}


def test_the_channels_page_and_the_daemon_warning_pass_axe(site, browser, clock):  # noqa: F811
    from datetime import timedelta

    from schedules.daemon import beat

    ws, base = site
    beat(ws, 5.0)
    clock.shift(timedelta(minutes=5))
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(page, base, "dora")
    assert "has not looked for due posts since" in page.content()
    axe_clean(page)
    page.get_by_role("link", name="Channels").click()
    axe_clean(page)
    page.get_by_role("button", name="Check the tokens now").click()
    assert "works" in page.content()
    axe_clean(page)
    page.context.close()


def test_the_billboard_page_picks_with_the_fit_said_and_passes_axe(site, browser):  # noqa: F811
    ws, base = site
    for i, cat in enumerate(("senior", "health", "youth")):
        approved_portrait(ws, f"Person{chr(65 + i)}", 20 + 20 * i, cat, size=(1400, 1750))
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(page, base, "anna")
    page.get_by_role("link", name="Billboard").click()
    axe_clean(page)
    page.get_by_label("Slots").fill("9")
    page.get_by_label("First day of the run").fill("01.06.2026")
    page.get_by_label("Last day of the run").fill("10.06.2026")
    page.get_by_role("button", name="Pick", exact=True).click()
    assert "campaign billboard pick --slots 3" in page.content()
    axe_clean(page)
    page.context.close()


def test_the_press_whatsapp_and_gallery_pages_pass_axe(site, browser):  # noqa: F811
    ws, base = site
    approved_portrait(ws, "Amira", 38, "health", scopes="instagram,press,website,whatsapp", size=(1600, 2000))
    approved_portrait(ws, "Jonas", 45, "transport", scopes="instagram", size=(1600, 2000))
    from campaign.posting import scheduling

    scheduling.add_post(ws, "amira-38", "2026-06-18 18:30", "instagram")
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(page, base, "anna")
    for name in ("Press kit", "WhatsApp", "Website gallery"):
        page.get_by_role("link", name=name, exact=True).click()
        axe_clean(page)
        if name == "WhatsApp":
            page.get_by_label("From (optional)").fill("18.06.2026")
            page.get_by_label("To (optional)").fill("18.06.2026")
        page.get_by_role("button", name="Make it").click()
        if name != "WhatsApp":  # a long job: its panel shows when it is done, with a link to the result
            page.get_by_role("link", name="Show the result").click(timeout=60_000)
        assert "Left out" in page.content() and "Jonas" in page.content()
        axe_clean(page)
    page.context.close()

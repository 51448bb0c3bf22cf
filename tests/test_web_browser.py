"""The web app in a real browser: Debian's Chromium driven by Playwright, against a waitress server
the test starts on a free port. What a person does: log in, add a photo, move the focus, see the fit
warning as they type, record consent, approve, plan, drag a post to another day, approve it with two
people and see it leave Heute. axe-core checks every page: no serious or critical violation."""
from __future__ import annotations

import re
import shutil
from datetime import datetime

import pytest
from conftest import BERLIN, approved_portrait, make_photo, set_config
from playwright.sync_api import expect
from web_server import PASSWORD, add_users, running

from portraits import records
from schedules import posts

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian's chromium (make system)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright cannot download its own browsers here: drive Debian's."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ["--no-sandbox"]}


@pytest.fixture
def site(ws):
    add_users(ws)
    with running(ws) as base:
        yield ws, base


def log_in(page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"^(?!.*login).*$"))


def axe_clean(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in found
               if v["impact"] in ("serious", "critical")]
    assert serious == [], f"{page.url}: {serious}"


def test_a_new_portrait_from_photo_to_consent_with_focus_and_fit_check(site, page, tmp_path):
    ws, base = site
    log_in(page, base, "anna")
    axe_clean(page)  # Heute
    page.get_by_role("link", name="Portraits").click()
    axe_clean(page)
    photo = make_photo(tmp_path / "brigitte.jpg", seed=3)
    page.get_by_label("Photo (JPEG").set_input_files(str(photo))
    page.get_by_label("First name").fill("Brigitte")
    page.get_by_label("Surname").fill("Sommer")
    page.get_by_label("Age", exact=True).fill("81")
    page.get_by_label("Role", exact=True).fill("Rentnerin")
    page.get_by_label("Quote", exact=True).fill("Wir halten zusammen.")
    page.get_by_role("button", name="Add portrait").click()
    page.wait_for_url(f"{base}/portraits/brigitte-81")
    assert page.get_by_text("Added brigitte-81").is_visible()
    assert "Sommer" not in page.content()
    axe_clean(page)

    # Move the focus with a click on the photo (the form beside it does the same for the keyboard).
    page.wait_for_load_state("load")  # the photo is there: its box is the photo's
    box = page.locator("#photo-img").bounding_box()
    page.locator("#photo-img").click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.75})
    page.wait_for_selector("text=Moved the focus")
    focus = records.get(ws.store.read(), "brigitte-81")["photo"]
    assert focus["focus_source"] == "manual"
    assert focus["focus"][0] == pytest.approx(0.25, abs=0.03) and focus["focus"][1] == pytest.approx(0.75, abs=0.03)

    # The fit check as one types, before anything is saved.
    long_quote = " ".join(["Zusammenhalt"] * 40)
    page.locator("#quote").fill(long_quote)
    warning = page.locator("#fit li.bad").first
    warning.wait_for()
    assert "does not fit" in warning.inner_text()
    assert records.get(ws.store.read(), "brigitte-81")["quote"] == "Wir halten zusammen."
    page.locator("#quote").fill("Meine Generation hat viele Krisen überstanden.")
    expect(page.locator("#fit li.bad")).to_have_count(0)
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector("text=Saved brigitte-81")
    assert records.get(ws.store.read(), "brigitte-81")["quote"] == "Meine Generation hat viele Krisen überstanden."

    # Consent: scopes as checkboxes, the date typed the German way.
    page.get_by_role("link", name="Consent", exact=True).click()
    axe_clean(page)
    page.get_by_role("checkbox", name="instagram").first.check()
    page.get_by_role("checkbox", name="facebook").first.check()
    page.get_by_label("Signed on").fill("01.06.2026")
    page.get_by_role("button", name="Record consent").click()
    page.wait_for_selector("text=Consent recorded for brigitte-81: instagram, facebook")
    axe_clean(page)
    audit = [e for e in ws.store.read().table("audit").all() if e["action"] in ("portrait.add", "consent.grant")]
    assert {e["who"] for e in audit} == {"anna"}


def test_plan_drag_to_another_day_and_approve_with_two_people_until_it_leaves_heute(site, browser):
    ws, base = site
    set_config(ws, 'approval = "none"', 'approval = "two"')
    pid = approved_portrait(ws, "Tamara", 32, "health")
    anna = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(anna, base, "anna")
    anna.get_by_role("link", name="Calendar").click()
    axe_clean(anna)
    anna.get_by_label("Portrait").select_option(pid)
    anna.get_by_label("Day (e.g. 24.12.2026)").fill("22.06.2026")
    anna.get_by_label("Time (e.g. 18:30)").last.fill("18:30")
    anna.locator("form[action='/calendar/add'] input[value=instagram]").check()
    anna.get_by_role("button", name="Add post").click()
    anna.wait_for_selector("text=Planned 1 post.")
    post_id = posts.all_posts(ws.store.read())[0]["id"]

    # Drag it from Monday the 22nd to Wednesday the 24th: same time, new day.
    anna.drag_and_drop(f"li[data-post='{post_id}']", "td[data-day='2026-06-24']")
    anna.wait_for_selector(f"td[data-day='2026-06-24'] li[data-post='{post_id}']")
    moved = datetime.fromisoformat(posts.get(ws.store.read(), post_id)["at"]).astimezone(BERLIN)
    assert (moved.date().isoformat(), moved.strftime("%H:%M")) == ("2026-06-24", "18:30")
    anna.goto(f"{base}/posts/{post_id}")
    axe_clean(anna)
    assert anna.get_by_role("button", name="Approve as shown").count() == 0  # redaktion cannot approve

    # Ben approves from Heute (the line answers in place), Cara on the post's page with a comment.
    ben = browser.new_context().new_page()
    log_in(ben, base, "ben")
    ben.locator(f"#waiting-{post_id}").get_by_role("button", name=f"Approve {post_id}").click()
    expect(ben.locator(f"#approved-{post_id}")).to_contain_text("1 of 2 approvals (ben)")
    assert ben.url == base + "/"
    ben.context.close()
    cara = browser.new_context().new_page()
    log_in(cara, base, "cara")
    assert cara.locator(f"#waiting-{post_id}").is_visible()
    cara.goto(f"{base}/posts/{post_id}")
    cara.get_by_label("Comment (optional)").fill("geprüft von cara")
    cara.get_by_role("button", name="Approve as shown").click()
    cara.wait_for_selector(f"text=Approved {post_id}")
    cara.context.close()
    anna.goto(base + "/")
    assert anna.locator(f"#waiting-{post_id}").count() == 0
    assert "approved by ben, cara" in posts.get(ws.store.read(), post_id)["history"][-1]["note"]


def test_every_page_has_no_serious_accessibility_violation_at_phone_width(site, browser):
    ws, base = site
    pid = approved_portrait(ws, "Amira", 38, "health")
    from campaign.posting import scheduling

    post_id = scheduling.add_post(ws, pid, "2026-06-20 18:30", "instagram")[0]["id"]
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(page, base, "dora")
    for path in ("/", "/portraits", f"/portraits/{pid}", f"/portraits/{pid}/consent", "/calendar",
                 "/calendar?view=week", f"/posts/{post_id}", "/portraits/nobody-1"):
        page.goto(base + path)
        axe_clean(page)
    page.context.close()
    page = browser.new_context().new_page()
    page.goto(base + "/login")
    axe_clean(page)


def test_many_photos_dropped_on_the_portraits_page_get_a_row_each_and_are_added_all_or_none(site, page, tmp_path):
    import base64

    ws, base = site
    log_in(page, base, "anna")
    page.goto(f"{base}/portraits")
    photos = [base64.b64encode(make_photo(tmp_path / f"{n}.jpg", seed=30 + n).read_bytes()).decode() for n in range(2)]
    page.evaluate("""(photos) => {
        const data = new DataTransfer();
        photos.forEach((b64, n) => {
          const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
          data.items.add(new File([bytes], `../shoot/${n}.jpg`, {type: "image/jpeg"}));
        });
        document.getElementById("many-drop").dispatchEvent(
          new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
    }""", photos)
    expect(page.get_by_label("First name (row 2)")).to_be_visible()
    for n, (name, age, role) in enumerate([("Amira", "38", "Ärztin"), ("Jonas", "sechzehn", "Schüler")], start=1):
        page.get_by_label(f"First name (row {n})").fill(name)
        page.get_by_label(f"Age (row {n})").fill(age)
        page.get_by_label(f"Role (row {n})").fill(role)
        page.get_by_label(f"Quote (row {n})").fill("Wir halten zusammen.")
    page.get_by_label("Surname, never published (row 1, optional)").fill("Yilmaz")
    page.wait_for_function("[...document.querySelectorAll('.many-row img')].every(i => i.complete && i.naturalWidth)")
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("#many-form").screenshot(path=str(tmp_path / f"many-{width}.png"))
        axe_clean(page)
    page.get_by_role("button", name="Add these portraits").click()
    expect(page.locator("#many-result")).to_contain_text("line 2")
    assert ws.store.read().table("portraits").all() == []
    page.get_by_label("Age (row 2)").fill("16")  # the photos and the rows are still there
    page.get_by_role("button", name="Add these portraits").click()
    expect(page.get_by_text("Added 2 portraits.")).to_be_visible()  # the grid, loaded again
    assert "Yilmaz" not in page.content()
    assert {p["id"] for p in ws.store.read().table("portraits").all()} == {"amira-38", "jonas-16"}
    axe_clean(page)

    # Without a mouse: the plain input takes the photos as well, and a row appears for each.
    page.get_by_label("Photos (drop them here or choose several)").set_input_files(
        [str(make_photo(tmp_path / "c.jpg", seed=40))])
    expect(page.get_by_label("First name (row 1)")).to_be_visible()

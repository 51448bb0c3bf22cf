"""Shared fixtures: a real workspace in a temp folder, real photos made with Pillow, the CLI."""
from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import zlib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
BERLIN = ZoneInfo("Europe/Berlin")

# Every test runs on a fixed day, never on today's date: a Wednesday in June, no holiday near.
DEFAULT_CLOCK = datetime(2026, 6, 17, 10, 0, tzinfo=BERLIN)
# The days where date code breaks. Tests marked `any_day` run once on each of them as well.
ANY_DAY = {
    "after-spring-forward": datetime(2027, 3, 29, 9, 0, tzinfo=BERLIN),   # clocks went 02:00 -> 03:00 on 28 March
    "after-fall-back": datetime(2026, 10, 26, 9, 0, tzinfo=BERLIN),       # clocks went 03:00 -> 02:00 on 25 October
    "leap-day": datetime(2028, 2, 29, 12, 0, tzinfo=BERLIN),
    "new-years-eve": datetime(2026, 12, 31, 23, 59, tzinfo=BERLIN),
    "new-year": datetime(2027, 1, 1, 0, 0, 30, tzinfo=BERLIN),
}


def pytest_addoption(parser):
    parser.addoption("--clock", default=None,
                     help="Run every test with the clock at this instant (ISO 8601 with offset, or one of "
                          + ", ".join(ANY_DAY) + ").")


def pytest_configure(config):
    # The tool's cache (fonts prepared for layout, checked settings, photo hashes) goes to a folder of
    # this test run, removed after it, never the user's ~/.cache/campaign: a run once left 200
    # files and 10,000 remembered hashes there, which every later cold command then parsed.
    cache = tempfile.mkdtemp(prefix="campaign-test-cache-")
    os.environ["XDG_CACHE_HOME"] = cache
    # atexit, registered before any test runs: so after the photo hashes this process remembers are
    # saved at its exit (portraits.files), which would otherwise make the folder again
    atexit.register(shutil.rmtree, cache, ignore_errors=True)
    config.addinivalue_line("markers", "any_day: also run this test on each day of ANY_DAY (DST, 29 Feb, New Year)")
    config.addinivalue_line("markers", "real_clock: the test starts `campaign` subprocesses, which see the real "
                                       "clock; it must not depend on the date")


def pytest_collection_modifyitems(items):
    """A test that starts `campaign` subprocesses (marked real_clock) is slow as well: `pytest -m "not slow"`
    leaves out every subprocess, kill, daemon and browser test for a quick loop while working."""
    for item in items:
        if item.get_closest_marker("real_clock") and not item.get_closest_marker("slow"):
            item.add_marker("slow")


def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker("any_day"):
        metafunc.parametrize("clock", [None, *ANY_DAY.values()], ids=["default", *ANY_DAY], indirect=True)


def _instant(value) -> datetime:
    if isinstance(value, datetime):
        return value
    return ANY_DAY[value] if value in ANY_DAY else datetime.fromisoformat(value)


@pytest.fixture(autouse=True)
def english_interface(monkeypatch):
    """Tests read the interface in English (the msgids) unless they choose German themselves;
    the campaign language of their workspaces stays German."""
    monkeypatch.setenv("CAMPAIGN_UI_LANG", "en")


@pytest.fixture(autouse=True)
def clock(request):
    """The clock every test runs on: a fixed instant that then ticks on in real time (so a real
    scheduler still fires), never the day the suite happens to run."""
    import time_machine

    if request.node.get_closest_marker("real_clock"):
        yield None
        return
    chosen = getattr(request, "param", None) or request.config.getoption("--clock") or DEFAULT_CLOCK
    with time_machine.travel(_instant(chosen), tick=True) as traveller:
        yield traveller


def stable_seed(*parts) -> int:
    """A seed from names that is the same in every run (`hash()` changes per process)."""
    return zlib.crc32(repr(parts).encode()) % 10_000


def make_photo(path: Path, size=(900, 1200), color=(180, 140, 120), fmt: str | None = None,
               seed: int = 0, exif: bool = False) -> Path:
    """A small real JPEG/PNG: a coloured background with a face-like oval, unique per seed."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", size, tuple((c + seed * 37) % 256 for c in color))
    d = ImageDraw.Draw(img)
    w, h = size
    d.ellipse([w * 0.35, h * 0.2, w * 0.65, h * 0.55], fill=(230, 190, 160))
    d.rectangle([0, 0, seed % w, 3], fill=(seed % 256, 0, 0))  # makes each seed's bytes unique
    kwargs = {}
    if exif:
        ex = Image.Exif()
        ex[0x010F] = "CameraMaker"
        ex[0x0110] = "CameraModel"
        kwargs["exif"] = ex
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, format=fmt, **kwargs)
    return path


@pytest.fixture
def ws(tmp_path, monkeypatch):
    """A fresh campaign workspace; the environment does not point anywhere else."""
    from campaign.workspace import init_workspace

    monkeypatch.delenv("CAMPAIGN_WORKSPACE", raising=False)
    monkeypatch.setenv("CAMPAIGN_USER", "tester")
    return init_workspace(tmp_path / "ws", name="Duisburg ist echt solidarisch",
                          hashtag="#duisburgistechtsolidarisch")


@pytest.fixture
def photo(tmp_path):
    return make_photo(tmp_path / "in" / "photo.jpg")


@pytest.fixture
def cli(ws):
    """Invoke the CLI on the workspace: cli("portrait", "list", "--json")."""
    from campaign.cli import main

    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(main, ["-w", str(ws.root), *map(str, args)], input=input,
                             catch_exceptions=False)

    return invoke


def run_campaign(*args, cwd=None, env=None, timeout=120) -> subprocess.CompletedProcess:
    """The real `campaign` command in a subprocess (python -m campaign, this checkout first)."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "campaign", *map(str, args)], cwd=cwd,
                          env=full_env, capture_output=True, text=True, timeout=timeout)


def approved_portrait(ws, first: str, age: int, category: str, scopes="instagram,facebook,billboard",
                      signed_on="2026-01-01", expires=None, seed: int | None = None, size=(600, 750),
                      guardian: str | None = None, surname: str | None = None) -> str:
    """A portrait with a real photo, a consent and approval, made through the library."""
    from datetime import date

    from portraits import consent, records

    seed = seed if seed is not None else stable_seed(first, age, category)
    photo = make_photo(ws.root.parent / "in" / f"{first}-{age}-{seed}.jpg", size=size, seed=seed)
    with ws.store.transaction() as db:
        rec = records.add_portrait(db, ws.photos, photo, first_name=first, age=age, role=category.title(),
                                   role_category=category, quote=f"{first} sagt: wir halten zusammen.",
                                   surname=surname)
        consent.grant(db, rec["id"], scopes, date.fromisoformat(signed_on),
                      expires=date.fromisoformat(expires) if expires else None,
                      guardians=[guardian] if guardian else ([] if age >= 18 else ["Guardian"]),
                      today=date(2100, 1, 1))
        records.approve_portrait(db, rec["id"], True)
    return rec["id"]


def set_config(ws, old: str, new: str) -> None:
    """Edit campaign.toml as a person would (replace a line) and drop the cached config."""
    cfg = ws.root / "campaign.toml"
    text = cfg.read_text()
    assert old in text, old
    cfg.write_text(text.replace(old, new, 1))
    ws.reread_settings()


def configure(ws, section: str, **values) -> None:
    """Set keys of one table of campaign.toml (configure(ws, "channels.facebook", publisher="facebook"))."""
    import tomllib

    import tomli_w

    cfg = ws.root / "campaign.toml"
    data = tomllib.loads(cfg.read_text())
    node = data
    for part in section.split("."):
        node = node.setdefault(part, {})
    node.update(values)
    cfg.write_text(tomli_w.dumps(data))
    ws.reread_settings()


FB_TOKEN = "EAAtesttoken1234567890abcdef"


@pytest.fixture
def graph(ws, monkeypatch):
    """A fake Graph API on 127.0.0.1 and a workspace whose facebook channel publishes to it."""
    from fake_graph import FakeGraph

    monkeypatch.setenv("CAMPAIGN_FACEBOOK_TOKEN", FB_TOKEN)
    with FakeGraph(token=FB_TOKEN) as fake:
        monkeypatch.setenv("CAMPAIGN_GRAPH_URL", fake.url)
        configure(ws, "channels.facebook", publisher="facebook", page_id="1001")
        yield fake


def due_post(ws, pid: str, channel: str = "instagram", fmt: str = "feed", lang: str | None = None,
             seconds_ahead: float = -5) -> str:
    """A post planned through the library, due `seconds_ahead` from now (in the past by default)."""
    from datetime import timedelta

    from schedules import posts

    with ws.store.transaction() as db:
        return posts.create(db, pid, channel, ws.now() + timedelta(seconds=seconds_ahead),
                            ws.now() - timedelta(minutes=1), lang=lang or "de", fmt=fmt)["id"]

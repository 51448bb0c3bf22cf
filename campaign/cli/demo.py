"""`make demo`: a whole campaign, offline, on sample portraits this script draws itself.

Each step runs the real CLI (in this process, through click) on a fresh workspace, so the
demo shows exactly what a user would type. No third-party photos: the portraits are drawn.
"""
from __future__ import annotations

import shutil
import sys
from datetime import datetime
from pathlib import Path

SAMPLES = [
    # first name, surname (kept private), age, role, role category, quote, language
    ("Brigitte", "Sommer", 81, "Rentnerin", "senior",
     "Meine Generation hat viele Krisen überstanden. Toilettenpapier war nie ein Problem.", "de"),
    ("Tamara", "Kowalski", 32, "Intensivkrankenschwester", "health",
     "Wir passen auf euch auf. Passt ihr bitte auch auf uns auf.", "de"),
    ("Mehmet", "Yilmaz", 45, "Busfahrer", "transport",
     "Ich fahre weiter, damit ihr zur Arbeit kommt.", "de"),
    ("Olena", "Shevchenko", 27, "Kassiererin", "retail",
     "Ein Lächeln an der Kasse kostet nichts und hilft allen.", "de"),
    ("Jonas", "Becker", 16, "Schüler", "youth",
     "Ich kaufe für meine Nachbarn ein, das ist doch selbstverständlich.", "de"),
    ("Amira", "Haddad", 38, "Ärztin", "health",
     "Solidarität heißt, füreinander da zu sein.", "de"),
]


def _draw_portrait(path: Path, seed: int) -> None:
    """A simple studio-style portrait: backdrop, shoulders, a shaded face with brows, eyes, nose and
    mouth (enough of a face for the face finder), hair. Each seed moves the face a little.

    Framed as a photographer frames head and shoulders: the head (hair to chin) about a third of the
    photo's height with more than half a head of room above it, the shoulders running out of the
    bottom edge. The face finder's box then leaves every format a crop that holds the whole head,
    the narrow photo area beside the square format's text too (a tighter face did not fit there)."""
    from PIL import Image, ImageDraw, ImageFilter

    w, h = 2400, 3000
    img = Image.new("RGB", (w, h), (90 + seed * 23 % 60, 105 + seed * 41 % 60, 130 + seed * 13 % 60))
    d = ImageDraw.Draw(img)
    skin = [(241, 194, 160), (224, 172, 135), (198, 134, 94), (170, 112, 70)][seed % 4]

    def shade(f: float) -> tuple[int, ...]:
        return tuple(min(255, int(c * f)) for c in skin)

    r = 315  # about the face's half-width
    cx, cy = w // 2 + (seed % 3 - 1) * 160, int(h * 0.36) + (seed % 2) * 90
    d.rounded_rectangle([cx - 3.3 * r, cy + 1.55 * r, cx + 3.3 * r, h + 2 * r], radius=int(1.5 * r),
                        fill=(40 + seed * 30 % 150, 60, 90))  # shoulders
    d.rectangle([cx - 0.42 * r, cy + 0.8 * r, cx + 0.42 * r, cy + 1.75 * r], fill=shade(0.8))
    d.pieslice([cx - 0.9 * r, cy + 1.2 * r, cx + 0.9 * r, cy + 2.1 * r], 0, 180, fill=shade(0.8))  # neckline
    for k in range(30, 0, -1):  # a face lit from the front: darker towards the edges
        f = 0.75 + 0.25 * (1 - k / 30)
        d.ellipse([cx - 0.8 * r * k / 30 - 0.2 * r, cy - r * k / 30 - 0.25 * r,
                   cx + 0.8 * r * k / 30 + 0.2 * r, cy + r * k / 30 + 0.25 * r], fill=shade(f))
    d.chord([cx - 1.05 * r, cy - 1.35 * r, cx + 1.05 * r, cy - 0.2 * r], 180, 360, fill=(60 + seed * 20 % 100, 40, 20))
    for side in (-1, 1):
        d.ellipse([cx + side * 0.42 * r - 0.22 * r, cy + 0.1 * r, cx + side * 0.42 * r + 0.22 * r, cy + 0.4 * r],
                  fill=shade(0.97))  # cheeks: lighter under the eyes, as the face finder expects
        ex, ey = cx + side * 0.38 * r, cy - 0.15 * r
        d.ellipse([ex - 0.3 * r, ey - 0.18 * r, ex + 0.3 * r, ey + 0.15 * r], fill=shade(0.82))  # eye socket
        d.ellipse([ex - 0.22 * r, ey - 0.1 * r, ex + 0.22 * r, ey + 0.1 * r], fill=(120, 80, 60))
        d.ellipse([ex - 0.1 * r, ey - 0.09 * r, ex + 0.1 * r, ey + 0.09 * r], fill=(30, 20, 15))
        d.rectangle([ex - 0.26 * r, ey - 0.32 * r, ex + 0.26 * r, ey - 0.2 * r], fill=(50, 35, 25))
    d.rectangle([cx - 0.08 * r, cy - 0.15 * r, cx + 0.08 * r, cy + 0.25 * r], fill=shade(1.1))
    d.ellipse([cx - 0.18 * r, cy + 0.25 * r, cx + 0.18 * r, cy + 0.38 * r], fill=shade(0.7))
    d.chord([cx - 0.3 * r, cy + 0.42 * r, cx + 0.3 * r, cy + 0.62 * r], 0, 180, fill=(130, 45, 50))
    img = img.filter(ImageFilter.GaussianBlur(3))
    img.save(path, quality=90)


def step_portraits(ws: Path, run) -> None:
    photos = ws.parent / "demo-photos"
    photos.mkdir(exist_ok=True)
    for seed, (first, surname, age, role, category, quote, lang) in enumerate(SAMPLES):
        photo = photos / f"{first.lower()}.jpg"
        _draw_portrait(photo, seed)
        run("portrait", "add", photo, "--first-name", first, "--surname", surname, "--age", age,
            "--role", role, "--role-category", category, "--quote", quote, "--lang", lang,
            "--credit", "Stadt Duisburg / Studio")
    run("portrait", "translate", "brigitte-81", "--lang", "tr", "--quote",
        "Benim neslim birçok krizi atlattı. Tuvalet kağıdı hiç sorun olmadı.", "--role", "emekli")
    run("portrait", "translate", "amira-38", "--lang", "ar", "--quote", "التضامن يعني أن نكون هنا من أجل بعضنا البعض.",
        "--role", "طبيبة")
    run("portrait", "list")


def step_consent(ws: Path, run) -> None:
    evidence = ws.parent / "demo-photos" / "consent-form.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% signed consent form (demo)\n")
    for first, _s, age, *_rest in SAMPLES:
        pid = f"{first.lower()}-{age}"
        args = ["consent", "grant", pid, "--scope", "instagram,facebook,billboard",
                "--signed-on", "2026-11-01", "--evidence", evidence]
        if age < 18:
            args += ["--guardian", "Parent of " + first]
        run(*args)
        run("portrait", "approve", pid)
    run("consent", "status")


def step_render(ws: Path, run) -> None:
    """Branded images in all four formats (and the translations), then a contact sheet to look over."""
    run("render")
    run("render")  # nothing changed: everything comes from the cache
    run("preview")


def step_schedule(ws: Path, run) -> None:
    """Plan two weeks in German with Turkish and Arabic where a portrait has them, export the calendar,
    then let a carousel, a Turkish post and a story fall due and run the daemon once."""
    import json
    import time
    from datetime import timedelta

    from campaign.workspace import Workspace

    today = Workspace(ws).now()
    end = (today + timedelta(days=13)).date().isoformat()
    run("schedule", "plan", "--start", today.date().isoformat(), "--end", end, "--langs", "de,tr,ar")
    run("schedule", "list")
    run("schedule", "ical", ws / "exports" / "calendar.ics")
    soon = (today + timedelta(seconds=3)).isoformat(timespec="seconds")
    run("schedule", "add", "brigitte-81", "--at", soon)
    carousel = json.loads(run("schedule", "add", "amira-38", "--at", soon, "--channel", "instagram",
                              "--format", "carousel", "--json"))[0]["id"]
    run("schedule", "add", "brigitte-81", "--at", soon, "--channel", "facebook", "--lang", "tr")
    run("schedule", "add", "tamara-32", "--at", soon, "--channel", "instagram", "--format", "story")
    run("schedule", "show", carousel, "--html")
    time.sleep(max(0.0, (datetime.fromisoformat(soon) - Workspace(ws).now()).total_seconds()) + 0.5)
    run("run", "--once")
    run("status")


def step_channels(ws: Path, run) -> None:
    """Which accounts the channels reach (the offline outbox here) and nothing left unknown."""
    run("channel", "check")
    run("reconcile")
    run("engagement", "fetch")


def step_billboard(ws: Path, run) -> None:
    """Figures for what went out, the ranking, the billboard pick, its print PDF, and the report."""
    import json

    published = json.loads(run("schedule", "list", "--status", "published", "--json"))
    for i, post in enumerate(published):
        run("engagement", "record", post["id"], "--likes", 1700 - 400 * i, "--comments", 80 - 20 * i,
            "--shares", 25 - 5 * i)
    run("engagement", "top")
    run("billboard", "pick", "--slots", 6)
    run("billboard", "approve")
    run("billboard", "export")
    run("report")


def step_reach(ws: Path, run) -> None:
    """Beyond the feed: press, website and WhatsApp consent for all but Jonas, then the press kit,
    the website gallery, a week of WhatsApp bundles in three languages, and two subscribers."""
    from datetime import timedelta

    from campaign.workspace import Workspace

    config = ws / "campaign.toml"
    text = config.read_text(encoding="utf-8")
    for key, value in (("media_contact", "Presseamt, Anna Muster, 0203 283-0, presse@example.org"),
                       ("copyright_holder", "Stadt Duisburg"),
                       ("billboard_location", "Königstraße, Ecke Düsseldorfer Straße"),
                       ("link", "https://www.example.org/solidarisch")):
        text = text.replace(f'{key} = ""', f'{key} = "{value}"', 1)  # as a person edits the file
    config.write_text(text, encoding="utf-8")
    for first, _s, age, *_rest in SAMPLES:
        if age >= 18:
            run("consent", "grant", f"{first.lower()}-{age}", "--scope", "press,website,whatsapp",
                "--signed-on", "2026-11-01")
    run("press", "kit", "--jobs", 2)
    run("gallery")
    today = Workspace(ws).now().date()
    run("whatsapp", "bundle", "--lang", "de,tr,ar", "--from", today.isoformat(),
        "--to", (today + timedelta(days=6)).isoformat())
    run("whatsapp", "subscribers", "add", "+49 176 12345678", "--lang", "tr", "--opted-in", today.isoformat(),
        "--source", "Infostand (demo)")
    run("whatsapp", "subscribers", "add", "0176 98765432", "--lang", "de", "--opted-in", today.isoformat(),
        "--source", "Infostand (demo)")
    run("whatsapp", "subscribers", "list")


STEPS = [step_portraits, step_consent, step_render, step_schedule, step_channels, step_billboard, step_reach]


GALLERY = [
    # first name, age, role, quote, language, photo ("astronaut", "noface" or a demo drawing seed)
    ("Eileen", 62, "Astronautin", "Zusammen schaffen wir das.", "de", "astronaut"),
    ("Brigitte", 81, "Rentnerin", "Meine Generation hat viele Krisen überstanden. Toilettenpapier war nie ein "
     "Problem, und Zusammenhalt auch nicht: Wir haben immer füreinander eingekauft, angerufen und zugehört.", "de", 0),
    ("Amira", 38, "طبيبة", "التضامن يعني أن نكون هنا من أجل بعضنا البعض.", "ar", 5),
    ("Olena", 27, "Касирка", "Посмішка на касі нічого не коштує, але допомагає всім.", "uk", 3),
    ("Jonas", 16, "Schüler", "Ich kaufe für meine Nachbarn ein, das ist doch selbstverständlich.", "de", 4),
    ("Mehmet", 45, "Busfahrer", "Ich fahre weiter, damit ihr zur Arbeit kommt.", "de", "noface"),
]


def _gallery_photo(path: Path, kind) -> None:
    from PIL import Image, ImageDraw, ImageFilter

    if kind == "astronaut":  # a real face: the photo scikit-image ships (NASA, public domain)
        from skimage import data

        Image.fromarray(data.astronaut()).resize((1600, 1600), Image.Resampling.LANCZOS).save(path, quality=92)
    elif kind == "noface":  # a bus seen from behind: no face for the finder
        img = Image.new("RGB", (2400, 1800), (120, 150, 180))
        d = ImageDraw.Draw(img)
        d.rectangle([0, 1200, 2400, 1800], fill=(90, 90, 95))
        d.rounded_rectangle([700, 500, 1700, 1350], radius=60, fill=(230, 190, 40))
        d.rectangle([780, 580, 1620, 900], fill=(60, 80, 100))
        img.filter(ImageFilter.GaussianBlur(2)).save(path, quality=92)
    else:
        _draw_portrait(path, kind)


def gallery(target: Path) -> Path:
    """`make gallery`: the sample portraits in every format on one HTML page, to look at as a designer would."""
    import html
    from datetime import date

    from campaign.outputs.renders import render
    from campaign.workspace import init_workspace
    from portraits import consent, records
    from portraits.layouts import LAYOUTS

    if target.exists():
        shutil.rmtree(target)
    ws = init_workspace(target / "workspace", name="Duisburg ist echt solidarisch",
                        hashtag="#DuisburgIstEchtSolidarisch")
    photos = target / "photos"
    photos.mkdir(parents=True)
    ids = []
    with ws.store.transaction() as db:
        for first, age, role, quote, lang, kind in GALLERY:
            photo = photos / f"{first.lower()}.jpg"
            _gallery_photo(photo, kind)
            rec = records.add_portrait(db, ws.photos, photo, first_name=first, age=age, role=role, quote=quote,
                                       lang=lang, credit="Stadt Duisburg / Studio Nord")
            consent.grant(db, rec["id"], "instagram,facebook", date(2026, 1, 1),
                          guardians=["Mutter", "Vater"] if age < 18 else [], today=date(2100, 1, 1))
            records.approve_portrait(db, rec["id"], True)
            ids.append((rec, kind))
    result = render(ws, jobs=1)
    notes: dict[str, list[str]] = {}
    for w in result["warnings"]:
        notes.setdefault(w["portrait_id"], []).append(f"{w['format']}: {w['warning']}")
    rows = []
    for rec, _kind in ids:
        cells = "".join(f'<figure><img src="workspace/renders/{rec["id"]}/{fmt}.jpg" alt="{fmt}">'
                        f"<figcaption>{fmt}</figcaption></figure>" for fmt in LAYOUTS)
        about = f"{html.escape(rec['id'])}: {len(rec['quote'])} characters, {rec['lang']}, " + \
            ("face found" if rec["photo"]["focus_source"] == "face" else "no face found")
        warn = "".join(f"<li>{html.escape(n)}</li>" for n in notes.get(rec["id"], []))
        rows.append(f"<section><h2>{about}</h2>{f'<ul>{warn}</ul>' if warn else ''}<div>{cells}</div></section>")
    page = target / "index.html"
    page.write_text("<!doctype html><meta charset=utf-8><title>Render gallery</title><style>"
                    "body{font-family:sans-serif;margin:24px;background:#eee} section{margin-bottom:32px}"
                    "div{display:flex;gap:16px;align-items:flex-start} figure{margin:0}"
                    "img{height:420px;box-shadow:0 1px 4px #0004} li{color:#a33}</style>"
                    "<h1>Render gallery</h1>" + "".join(rows), encoding="utf-8")
    return page


# Demo accounts for the web app: one who edits, two who approve (approval "two" needs two people).
DEMO_USERS = (("redaktion", "redaktion"), ("freigabe", "freigabe"), ("freigabe2", "freigabe"))
DEMO_PASSWORD = "solidarisch-demo"


def main(argv: list[str] | None = None) -> int:
    from click.testing import CliRunner

    from campaign.cli import main as cli

    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--gallery":
        page = gallery(Path(argv[1] if len(argv) > 1 else "gallery").resolve())
        print(f"Gallery: {page}")
        return 0
    target = Path(argv[0] if argv else "demo-workspace").resolve()
    if target.exists():
        shutil.rmtree(target)
    for extra in (target.parent / "demo-photos",):
        if extra.exists():
            shutil.rmtree(extra)
    runner = CliRunner()

    def run(*args) -> str:
        words = ["-w", str(target), *map(str, args)]
        print("$ campaign " + " ".join(str(a) if " " not in str(a) else repr(str(a)) for a in args))
        result = runner.invoke(cli, words, catch_exceptions=False)
        print(result.output.rstrip())
        if result.exit_code != 0:
            raise SystemExit(f"demo step failed: campaign {' '.join(map(str, args))}")
        return result.output

    print(f"$ campaign init {target} --name 'Duisburg ist echt solidarisch'")
    init = runner.invoke(cli, ["init", str(target), "--name", "Duisburg ist echt solidarisch",
                               "--hashtag", "#DuisburgIstEchtSolidarisch"], catch_exceptions=False)
    print(init.output.rstrip())
    for step in STEPS:
        step(target, run)
    for name, role in DEMO_USERS:
        print(f"$ campaign user add {name} --role {role} --password-stdin")
        added = runner.invoke(cli, ["-w", str(target), "user", "add", name, "--role", role, "--password-stdin"],
                              input=DEMO_PASSWORD + "\n", catch_exceptions=False)
        print(added.output.rstrip())
    print(f"\nDemo workspace: {target}")
    print("Open it in the browser:")
    print(f"  .venv/bin/campaign -w {target} serve      (or: . .venv/bin/activate; campaign -w {target} serve)")
    print(f"  then http://127.0.0.1:8080/ and log in as {' or '.join(n for n, _r in DEMO_USERS)}, "
          f"password {DEMO_PASSWORD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

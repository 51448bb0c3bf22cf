"""A whole campaign made through the CLI, and a sweep of every byte of a workspace for one person."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from conftest import make_photo

# (first name, age, surname, role, category, quote): the first is the one who will be erased.
PEOPLE = [
    ("Brigitte", 81, "Sommerfeld", "Rentnerin", "senior",
     "Meine Generation hat viele Krisen ueberstanden. Toilettenpapier war nie ein Problem."),
    ("Tamara", 32, "Kowalczyk", "Intensivkrankenschwester", "health", "Wir halten zusammen, auch nachts."),
    ("Jonas", 45, "Maier", "Busfahrer", "transport", "Ich fahre jeden, wohin er muss."),
]
SHOTS = (1800, 2250)  # fills a billboard slot of three


@dataclass
class Person:
    id: str
    first_name: str
    age: int
    surname: str
    quote: str
    photo_sha: str
    photo_bytes: bytes  # the clean copy kept in photos/
    original: bytes     # the file the office added

    def needles(self) -> dict[str, bytes]:
        """What must not be left anywhere once the person is erased."""
        return {"first name with age": f"{self.first_name}, {self.age}".encode(),
                "first name (age)": f"{self.first_name} ({self.age})".encode(),
                "surname": self.surname.encode(), "quote": self.quote.encode(),
                "quote (part)": self.quote.split(".")[-2].strip().encode(),
                "id": self.id.encode(), "photo SHA-256": self.photo_sha.encode(),
                "photo bytes": self.photo_bytes, "original photo bytes": self.original}


def build(cli, ws, tmp: Path) -> list[Person]:
    """Renders, posts published to the outbox by the runner, engagement, calendar, billboard pick,
    approval and export, report, contact sheet, press kit, website gallery, a WhatsApp bundle, a
    GDPR export inside the workspace, and the log."""
    people = []
    for i, (first, age, surname, role, category, quote) in enumerate(PEOPLE):
        photo = make_photo(tmp / "shoot" / f"{first}.jpg", size=SHOTS, seed=101 + i)
        r = cli("portrait", "add", photo, "--first-name", first, "--age", age, "--surname", surname,
                "--role", role, "--role-category", category, "--quote", quote, "--credit", "Studio Nord", "--json")
        assert r.exit_code == 0, r.output
        record = json.loads(r.output)
        form = tmp / "forms" / f"{first}.pdf"
        form.parent.mkdir(parents=True, exist_ok=True)
        form.write_bytes(f"%PDF-1.4 consent form signed by {first} {surname}".encode())
        assert cli("consent", "grant", record["id"], "--scope", "all", "--signed-on", "2026-01-01",
                   "--evidence", form).exit_code == 0
        assert cli("portrait", "approve", record["id"]).exit_code == 0
        people.append(Person(record["id"], first, age, surname, quote, record["photo"]["sha256"],
                             (ws.root / record["photo"]["file"]).read_bytes(), photo.read_bytes()))
    r = cli("render", "--format", "instagram-feed,story", "--jobs", "1")
    assert r.exit_code == 0, r.output
    at = (ws.now() + timedelta(days=2)).strftime("%Y-%m-%d 10:00")
    for p in people:
        assert cli("schedule", "add", p.id, "--at", at, "--channel", "instagram").exit_code == 0
    for post in json.loads(cli("schedule", "list", "--json").output):
        r = cli("publish", post["id"])  # the runner's publish, into the outbox
        assert r.exit_code == 0, r.output
    first_post = json.loads(cli("schedule", "list", "--json").output)[0]
    assert cli("engagement", "record", first_post["id"], "--likes", 1700, "--comments", 80, "--shares", 25).exit_code == 0
    assert cli("schedule", "ical", ws.exports / "calendar.ics").exit_code == 0
    r = cli("billboard", "pick", "--slots", 3)
    assert r.exit_code == 0, r.output
    assert cli("billboard", "approve").exit_code == 0
    r = cli("billboard", "export", "--format", "100x70cm", "--dpi", 30)
    assert r.exit_code == 0, r.output
    assert cli("report").exit_code == 0
    assert cli("preview").exit_code == 0
    for command in (("press", "kit", "--jobs", "1"), ("gallery",),
                    ("whatsapp", "bundle", "--from", at[:10], "--to", at[:10])):  # the day of their posts
        r = cli(*command)
        assert r.exit_code == 0, r.output
    assert cli("gdpr", "export", people[0].id, "--out", ws.root / "requests").exit_code == 0
    assert cli("render", people[0].id, "--lang", "tr").exit_code == 1  # an error line in the log naming them
    return people


def sweep(root: Path, person: Person) -> list[str]:
    """Every file under root (hidden ones too) that still holds something of the person."""
    found = []
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            data = path.read_bytes()
            found += [f"{path.relative_to(root)}: {what}" for what, needle in person.needles().items() if needle in data]
    return found


def present(root: Path, person: Person) -> list[str]:
    """The places where the person is before the erase: the sweep must be able to find them."""
    return sorted({hit.split(":")[0].split("/")[0] for hit in sweep(root, person)})

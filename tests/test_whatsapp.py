"""WhatsApp: bundles per language, subscribers (numbers never shown), broadcast against a fake Cloud API."""
from __future__ import annotations

import json
import logging
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from conftest import approved_portrait, configure
from fake_whatsapp import FakeWhatsApp

from portraits import consent, records
from schedules import posts, subscribers

TOKEN = "EAAwhatsapptoken1234567890xyz"
AYSE = "+4917612345678"      # reads Turkish
BERND = "0176 98765432"      # reads German, typed the German way
KARIM = "+49 1512 3456789"   # reads Arabic: no Arabic translation exists
DIGITS = ("17612345678", "17698765432", "15123456789")


def _today_post(ws, pid: str, day: date | None = None) -> None:
    day = day or ws.now().date()
    with ws.store.transaction() as db:
        posts.create(db, pid, "instagram", datetime.combine(day, time(18, 30), ws.tz), ws.now())


@pytest.fixture
def campaign(ws):
    """Brigitte (whatsapp consent, a Turkish translation) is today's portrait; tomorrow's is Jonas
    (instagram only); the day after, Tamara (whatsapp consent, German only)."""
    configure(ws, "whatsapp", link="https://www.duisburg.de/solidarisch",
              lines={"de": "Duisburg ist echt solidarisch.", "tr": "Duisburg gerçekten dayanışma içinde."})
    brigitte = approved_portrait(ws, "Brigitte", 81, "senior", scopes="instagram,whatsapp", surname="Geheim")
    with ws.store.transaction() as db:
        records.translate_portrait(db, brigitte, "tr", "Birlikte güçlüyüz.", role="emekli")
    jonas = approved_portrait(ws, "Jonas", 45, "transport", scopes="instagram")
    tamara = approved_portrait(ws, "Tamara", 32, "health", scopes="instagram,whatsapp")
    today = ws.now().date()
    _today_post(ws, brigitte, today)
    _today_post(ws, jonas, today + timedelta(days=1))
    _today_post(ws, tamara, today + timedelta(days=2))
    return {"brigitte": brigitte, "jonas": jonas, "tamara": tamara, "today": today}


def test_a_bundle_has_a_folder_per_language_with_image_and_message_and_a_page(cli, ws, campaign):
    r = cli("whatsapp", "bundle", "--json")
    assert r.exit_code == 0, r.output
    result = json.loads(r.output)
    folder = Path(result["folder"])
    day = campaign["today"].isoformat()
    assert folder == ws.exports / "whatsapp" and result["languages"] == ["de", "tr"]
    de = (folder / day / "de" / "message.txt").read_text()
    tr = (folder / day / "tr" / "message.txt").read_text()
    assert de.startswith("„Brigitte sagt: wir halten zusammen.“\n– Brigitte, 81, Senior")
    assert "Duisburg ist echt solidarisch.\n#duisburgistechtsolidarisch\nhttps://www.duisburg.de/solidarisch" in de
    assert tr.startswith("“Birlikte güçlüyüz.”\n– Brigitte, 81, emekli")
    assert "Duisburg gerçekten dayanışma içinde." in tr
    assert (folder / day / "tr" / "image.jpg").read_bytes() == (ws.renders / campaign["brigitte"] /
                                                                "instagram-square-tr.jpg").read_bytes()
    page = (folder / "index.html").read_text()
    assert f'{day}/tr/image.jpg' in page and "Birlikte güçlüyüz." in page and 'lang="tr"' in page


def test_a_portrait_without_whatsapp_consent_never_appears_in_a_bundle(cli, ws, campaign):
    r = cli("whatsapp", "bundle", "--from", campaign["today"].isoformat(),
            "--to", (campaign["today"] + timedelta(days=2)).isoformat(), "--lang", "de", "--json")
    assert r.exit_code == 0, r.output
    result = json.loads(r.output)
    assert result["portraits"] == sorted([campaign["brigitte"], campaign["tamara"]])
    skipped = {s["day"]: s["reason"] for s in result["skipped"]}
    assert skipped == {(campaign["today"] + timedelta(days=1)).isoformat(): "no portrait of that day has whatsapp consent"}
    everything = b"".join(f.read_bytes() for f in Path(result["folder"]).rglob("*") if f.is_file())
    assert b"Jonas" not in everything and b"Geheim" not in everything


def test_a_language_the_portrait_lacks_is_left_out_with_what_to_do(cli, ws, campaign):
    r = cli("whatsapp", "bundle", "--lang", "de,ar")
    assert r.exit_code == 0
    assert "no Arabic translation (campaign portrait translate brigitte-81 --lang ar" in r.output
    assert not (ws.exports / "whatsapp" / campaign["today"].isoformat() / "ar").exists()


def test_subscribers_are_listed_with_masked_numbers_only(cli, ws):
    r = cli("whatsapp", "subscribers", "add", AYSE, "--lang", "tr", "--opted-in", "01.05.2026",
            "--source", "Infostand Markt")
    assert r.exit_code == 0, r.output
    assert "+49 *********78" in r.output and "17612345678" not in r.output
    listing = cli("whatsapp", "subscribers", "list")
    assert "+49 *********78" in listing.output and "Infostand Markt" in listing.output
    assert not any(d in listing.output for d in DIGITS)
    rows = json.loads(cli("whatsapp", "subscribers", "list", "--json").output)
    assert rows[0]["number"] == "+49 *********78" and rows[0]["lang"] == "tr" and rows[0]["opted_in"] == "2026-05-01"
    again = cli("whatsapp", "subscribers", "add", "0176 12345678", "--lang", "de", "--opted-in", "2026-05-02",
                "--source", "Form")
    assert again.exit_code == 1 and "already subscribed" in again.output  # the same number typed the German way


def test_the_german_subscriber_list_writes_the_opt_in_day_the_german_way_and_english_keeps_iso(cli, ws):
    from click.testing import CliRunner

    from campaign.cli import main

    cli("whatsapp", "subscribers", "add", AYSE, "--lang", "tr", "--opted-in", "2026-05-01", "--source", "Form")
    german = CliRunner().invoke(main, ["--ui-lang", "de", "-w", str(ws.root), "whatsapp", "subscribers", "list"])
    assert german.exit_code == 0 and "01.05.2026" in german.output and "2026-05-01" not in german.output
    english = CliRunner().invoke(main, ["--ui-lang", "en", "-w", str(ws.root), "whatsapp", "subscribers", "list"])
    assert english.exit_code == 0 and "2026-05-01" in english.output


def test_an_import_is_all_or_nothing_and_names_lines_never_numbers(cli, ws, tmp_path):
    bad = tmp_path / "optins.csv"
    bad.write_text(f"number;lang;opted_in;source\n{AYSE};tr;2026-05-01;Form\n12345;de;2026-05-01;Form\n"
                   f"{BERND};deutsch;2026-05-01;Form\n")
    before = (ws.root / "campaign.json").read_bytes()
    r = cli("whatsapp", "subscribers", "import", bad)
    assert r.exit_code == 1 and "line 3: That is not a valid phone number" in r.output and "line 4:" in r.output
    assert "12345" not in r.output and not any(d in r.output for d in DIGITS)
    assert (ws.root / "campaign.json").read_bytes() == before
    good = tmp_path / "good.csv"
    good.write_text(f"number,lang,opted_in\n{AYSE},tr,2026-05-01\n{BERND},de,01.05.2026\n")
    r = cli("whatsapp", "subscribers", "import", good, "--source", "Stadtfest", "--json")
    assert r.exit_code == 0 and json.loads(r.output) == {"added": 2, "already_subscribed": 0, "sent_stop": 0}


def test_stop_takes_effect_at_once_and_an_old_list_cannot_bring_the_number_back(cli, ws, tmp_path):
    cli("whatsapp", "subscribers", "add", AYSE, "--lang", "tr", "--opted-in", "2026-05-01", "--source", "Form")
    r = cli("whatsapp", "subscribers", "remove", AYSE)
    assert r.exit_code == 0 and "no more messages" in r.output
    assert json.loads(cli("whatsapp", "subscribers", "list", "--json").output) == []
    old = tmp_path / "old.csv"
    old.write_text(f"number,lang,opted_in,source\n{AYSE},tr,2026-05-01,Form\n")
    r = cli("whatsapp", "subscribers", "import", old, "--json")
    assert json.loads(r.output) == {"added": 0, "already_subscribed": 0, "sent_stop": 1}
    r = cli("whatsapp", "subscribers", "add", AYSE, "--lang", "tr", "--opted-in", "2026-05-01", "--source", "Form")
    assert r.exit_code == 1 and "sent STOP" in r.output
    fresh = cli("whatsapp", "subscribers", "add", AYSE, "--lang", "tr", "--opted-in", ws.now().date().isoformat(),
                "--source", "new form")
    assert fresh.exit_code == 0, fresh.output  # a new opt-in, given after the STOP


@pytest.fixture
def cloud(ws, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_WHATSAPP_TOKEN", TOKEN)
    with FakeWhatsApp(token=TOKEN) as fake:
        monkeypatch.setenv("CAMPAIGN_GRAPH_URL", fake.url)
        configure(ws, "channels.whatsapp", publisher="whatsapp-cloud", phone_number_id=fake.phone_id,
                  template="portrait_des_tages")
        yield fake


def _subscribe(cli):
    for number, lang in ((AYSE, "tr"), (BERND, "de"), (KARIM, "ar")):
        r = cli("whatsapp", "subscribers", "add", number, "--lang", lang, "--opted-in", "2026-05-01", "--source", "Form")
        assert r.exit_code == 0, r.output


def test_each_subscriber_gets_the_template_in_their_language_with_the_image(cli, ws, campaign, cloud):
    _subscribe(cli)
    r = cli("whatsapp", "send", "--json")
    assert r.exit_code == 0, r.output
    result = json.loads(r.output)
    assert result["sent"] == 3 and result["languages_missing"] == {"ar": 1}
    by_number = {m["to"]: m for m in cloud.messages}
    assert set(by_number) == {"+4917612345678", "+4917698765432", "+4915123456789"}
    tr, de, ar = by_number["+4917612345678"], by_number["+4917698765432"], by_number["+4915123456789"]
    assert tr["template"] == "portrait_des_tages" and tr["lang"] == "tr"
    assert tr["texts"] == ["“Birlikte güçlüyüz.”", "Brigitte, 81, emekli",
                           "Duisburg gerçekten dayanışma içinde. #duisburgistechtsolidarisch https://www.duisburg.de/solidarisch"]
    assert de["lang"] == "de" and de["texts"][0] == "„Brigitte sagt: wir halten zusammen.“"
    assert ar["lang"] == "de"  # no Arabic translation: the quote's own language, and the command says so
    uploads = [r for r in cloud.requests if r["parts"][-1:] == ["media"]]
    assert len(uploads) == 2 and tr["image"] != de["image"]  # one image per language, uploaded once
    assert cloud.media[tr["image"]] == (ws.renders / campaign["brigitte"] / "instagram-square-tr.jpg").read_bytes()


def test_nobody_gets_the_days_message_twice_and_a_stop_between_two_sends_is_honoured(cli, ws, campaign, cloud):
    _subscribe(cli)
    assert json.loads(cli("whatsapp", "send", "--json").output)["sent"] == 3
    again = json.loads(cli("whatsapp", "send", "--json").output)
    assert again["sent"] == 0 and again["already"] == 3 and len(cloud.messages) == 3
    assert cli("whatsapp", "subscribers", "remove", BERND).exit_code == 0
    later = (campaign["today"] + timedelta(days=2)).isoformat()  # Tamara's day
    result = json.loads(cli("whatsapp", "send", "--day", later, "--json").output)
    assert result["portrait_id"] == campaign["tamara"] and result["sent"] == 2
    assert {m["to"] for m in cloud.messages[3:]} == {"+4917612345678", "+4915123456789"}


def test_a_withdrawal_stops_the_broadcast_before_anyone_else_gets_it(cli, ws, campaign, cloud):
    _subscribe(cli)
    with ws.store.transaction() as db:
        consent.withdraw(db, campaign["brigitte"], "whatsapp", received=ws.now().date(), via="email")
    r = cli("whatsapp", "send")
    assert r.exit_code == 1 and "whatsapp consent" in r.output and cloud.messages == []


def test_a_message_that_may_have_gone_out_is_never_sent_again(cli, ws, campaign, cloud):
    _subscribe(cli)
    db = ws.store.read()
    ayse = subscribers.find(db, AYSE)
    with ws.store.transaction() as db:  # what a crash during the call leaves behind
        db.table(subscribers.SENDS).insert({"subscriber_id": ayse["id"], "day": campaign["today"].isoformat(),
                                            "portrait_id": campaign["brigitte"], "lang": "tr", "status": "sending",
                                            "message_id": None, "error": None, "retry": False, "at": "x"})
    result = json.loads(cli("whatsapp", "send", "--json").output)
    assert result["already"] == 1 and result["sent"] == 2
    assert "+4917612345678" not in {m["to"] for m in cloud.messages}


def test_no_number_appears_in_any_log_output_or_error(cli, ws, campaign, cloud, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, libraries included, at its most talkative
    _subscribe(cli)
    cloud.fail_next.append((400, {"message": "(#131030) Recipient phone number +4917612345678 not in allowed list",
                                  "type": "OAuthException", "code": 131030,
                                  "error_data": {"details": "Recipient 4917612345678 is not a valid WhatsApp user"}}))
    outputs = [cli("whatsapp", "send").output, cli("whatsapp", "subscribers", "list").output,
               cli("status").output, cli("channel", "check", "whatsapp").output]
    texts = outputs + [caplog.text, (ws.root / "campaign.log").read_text()]
    db = ws.store.read()
    texts += [json.dumps([dict(e) for e in db.table(name).all()])
              for name in ("audit", subscribers.SENDS, subscribers.OPTOUTS)]
    for text in texts:
        assert not any(d in text for d in DIGITS), text[:500]
    assert "[number]" in outputs[0] and "131030" in outputs[0]  # the error is shown, the number is not
    assert "WhatsApp (whatsapp-cloud): ok - WhatsApp Stadt Duisburg" in outputs[3]
    assert TOKEN not in "".join(texts)


def test_gdpr_export_is_the_one_output_with_the_number_and_erase_removes_it_everywhere(cli, ws, campaign, cloud,
                                                                                        tmp_path):
    _subscribe(cli)
    cli("whatsapp", "send")
    r = cli("gdpr", "export", "--subscriber", AYSE, "--out", tmp_path / "request", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(Path(json.loads(r.output)["folder"], "data.json").read_text())
    assert data["subscriber"]["number"] == "+4917612345678" and data["messages"][0]["status"] == "sent"
    assert "17612345678" not in r.output
    r = cli("gdpr", "erase", "--subscriber", AYSE, "--yes")
    assert r.exit_code == 0, r.output
    store = (ws.root / "campaign.json").read_text()
    assert "17612345678" not in store and not list((ws.root / ".backups").glob("*"))
    assert len(json.loads(cli("whatsapp", "subscribers", "list", "--json").output)) == 2
    assert cli("gdpr", "erase", "--yes").exit_code == 2  # neither a portrait nor a subscriber: a usage error


def test_broadcasting_needs_the_cloud_publisher(cli, ws, campaign):
    r = cli("whatsapp", "send")
    assert r.exit_code == 1 and 'publisher = "whatsapp-cloud"' in r.output


def test_whatsapp_cannot_be_planned_post_by_post(cli, ws, campaign):
    r = cli("schedule", "plan", "--start", "2026-07-01", "--end", "2026-07-03", "--channels", "whatsapp")
    assert r.exit_code == 1 and "campaign whatsapp bundle" in r.output
    r = cli("schedule", "plan", "--start", "2026-07-01", "--end", "2026-07-03", "--json")
    assert r.exit_code == 0 and {p["channel"] for p in json.loads(r.output)["created"]} <= {"instagram", "facebook"}


def test_erasing_a_portrait_removes_its_bundles_and_its_send_records(cli, ws, campaign, cloud):
    _subscribe(cli)
    assert cli("whatsapp", "send").exit_code == 0
    bundle = json.loads(cli("whatsapp", "bundle", "--json").output)
    r = cli("gdpr", "erase", campaign["brigitte"], "--yes", "--json")
    assert r.exit_code == 0, r.output
    result = json.loads(r.output)
    assert any("WhatsApp bundle was removed" in note and "campaign whatsapp bundle" in note for note in result["redo"])
    assert not Path(bundle["folder"]).exists()
    db = ws.store.read()
    assert db.table(subscribers.SENDS).all() == [] and len(subscribers.all_subscribers(db)) == 3


PROXY_PAGE = "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>"
UNREADABLE = [(502, PROXY_PAGE), (500, '{"error": {"message": "Service temporarily unavailable"}}'),
              (503, '{"error": "upstream connect error"}'), (504, ""), (400, '{"error": {"code": "x", "message": 1}}')]


@pytest.mark.parametrize("status, body", UNREADABLE)
def test_an_answer_the_cloud_api_cannot_have_given_means_unavailable_try_later(cli, ws, campaign, cloud, status,
                                                                                body):
    _subscribe(cli)
    cloud.fail_next.append((status, body))  # the first call: the image upload
    cloud.fail_messages.append((status, body))  # and the first message
    r = cli("whatsapp", "send", "--json")
    assert "Traceback" not in r.output and "KeyError" not in r.output
    result = json.loads(r.output)
    assert result["sent"] == 1 and result["retry_later"] == 2, result
    db = ws.store.read()
    errors = [s["error"] for s in db.table(subscribers.SENDS).all() if s["status"] == "failed"]
    assert len(errors) == 2 and all("WhatsApp is unavailable at the moment" in e for e in errors), errors
    assert all("nginx" not in e and "<html" not in e for e in errors)
    again = json.loads(cli("whatsapp", "send", "--json").output)  # later: the two get it, nobody twice
    assert again["sent"] == 2 and len(cloud.messages) == 3 and len({m["to"] for m in cloud.messages}) == 3
    cloud.fail_next.append((status, body))
    check = cli("channel", "check", "whatsapp")
    assert "WhatsApp (whatsapp-cloud)" in check.output and "WhatsApp is unavailable at the moment" in check.output
    assert "Traceback" not in check.output


def test_an_unreadable_answer_to_a_message_may_mean_it_went_out_so_it_is_not_sent_again(cli, ws, campaign, cloud):
    _subscribe(cli)
    cloud.fail_messages.append((200, '{"messaging_product": "whatsapp"}'))  # no message id: did it go out?
    result = json.loads(cli("whatsapp", "send", "--json").output)
    assert result["sent"] == 2 and result.get("unknown") == 1, result
    again = json.loads(cli("whatsapp", "send", "--json").output)
    assert again["sent"] == 0 and again["already"] == 3


def test_a_stop_typed_while_a_message_is_on_its_way_is_recorded_at_once_and_that_person_gets_nothing(
        cli, ws, campaign, cloud):
    from campaign.outputs.whatsapp_day import remove_subscriber
    from campaign.workspace import Workspace

    _subscribe(cli)
    office = Workspace(ws.root)  # a second person at the office, typing STOP during the broadcast
    office.store.lock.timeout = 10  # not the 60 s a command waits: the STOP must not have to wait at all
    stops: list = []

    def stop_karim(to: str) -> None:
        if not stops:  # while the first message (to Ayse: a broadcast goes in signup order) is on its way
            try:
                stops.append(remove_subscriber(office, KARIM))
            except Exception as e:  # noqa: BLE001 - the test reports what the person would have seen
                stops.append(e)
    cloud.on_message = stop_karim
    result = json.loads(cli("whatsapp", "send", "--json").output)
    assert not isinstance(stops[0], Exception), stops[0]  # recorded at once, not "the store is locked"
    assert result["sent"] == 2 and result["stopped"] == 1
    assert "+4915123456789" not in {m["to"] for m in cloud.messages}


def test_the_bundles_working_page_speaks_the_campaigns_german_with_language_names_and_german_dates(cli, ws, campaign):
    r = cli("whatsapp", "bundle", "--json")
    assert r.exit_code == 0, r.output
    page = (Path(json.loads(r.output)["folder"]) / "index.html").read_text()
    day = campaign["today"].strftime("%d.%m.%Y")
    assert "Für jeden Tag und jede Sprache: Bild speichern" in page and "For each day" not in page
    assert f"{day} · Türkisch · Brigitte" in page and f"{day} · Deutsch · Brigitte" in page
    assert f"<h2>{campaign['today'].isoformat()}" not in page

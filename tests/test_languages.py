"""Posts in every language of the reach: templates and alt text for each, refusals at planning time,
how a plan spreads languages, and a photo credit that is never the campaign name."""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime

import pytest
from conftest import approved_portrait, configure, due_post

from campaign.outputs.renders import publishing_site
from campaign.workspace.config import DEFAULT_CAPTIONS
from schedules import captions, posts
from schedules.daemon import run_once

REACH = ("de", "en", "tr", "ar", "uk", "ru", "pl", "ro", "bg", "it", "el", "fa", "ku", "sq")
TR_QUOTE = "Birlikte güçlüyüz, birbirimize göz kulak oluyoruz."
AR_QUOTE = "التضامن يعني أن نكون هنا من أجل بعضنا البعض."


def _translate(cli, pid, lang, quote, role):
    r = cli("portrait", "translate", pid, "--lang", lang, "--quote", quote, "--role", role)
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("lang", REACH)
def test_every_language_of_the_reach_has_a_caption_and_alt_text_in_its_own_words(ws, lang):
    portrait = {"id": "anna-40", "first_name": "Anna", "age": 40, "role": "R-" + lang, "quote": "Q-" + lang,
                "lang": lang, "credit": "Studio Nord", "translations": {}}
    text = captions.caption(portrait, lang, ws.config)
    lines = text.split("\n")
    assert "Anna (40)" in lines[0] and "Q-" + lang in text and "#duisburgistechtsolidarisch" in text
    assert "Studio Nord" in lines[-1] and ws.config.name not in text
    alt = captions.alt_text(portrait, lang, ws.config)
    assert alt.startswith(captions.ALT[lang].split("{")[0]) and "Anna" in alt and "Q-" + lang in alt
    assert lang == "en" or captions.ALT[lang] != captions.ALT["en"]
    assert captions.language_name(lang) != lang
    if lang in ("ar", "fa"):  # right to left: every line starts with a right-to-left mark
        assert captions.is_rtl(lang) and all(line.startswith(captions.RLM) for line in lines if line)
    else:
        assert not captions.is_rtl(lang) and captions.RLM not in text


def test_campaign_toml_lists_every_default_template_and_a_file_without_them_keeps_the_defaults(cli, ws):
    text = (ws.root / "campaign.toml").read_text()
    assert all(f"\n{lang} = " in text for lang in REACH) and set(REACH) <= set(DEFAULT_CAPTIONS)
    configure(ws, "captions", de="{first_name}: {quote} {hashtag}")
    assert ws.config.captions["de"] == "{first_name}: {quote} {hashtag}"
    assert ws.config.captions["tr"] == DEFAULT_CAPTIONS["tr"]


def test_a_turkish_post_goes_out_in_turkish_through_the_outbox(cli, ws):
    pid = approved_portrait(ws, "Mehmet", 45, "transport", surname="Yilmaz")
    _translate(cli, pid, "tr", TR_QUOTE, "Otobüs şoförü")
    r = cli("schedule", "add", pid, "--at", "2030-05-04 18:30", "--channel", "instagram", "--lang", "tr", "--json")
    assert r.exit_code == 0, r.output
    (post,) = json.loads(r.output)
    assert (post["lang"], post["format"]) == ("tr", "feed")
    with ws.store.transaction() as db:  # it falls due
        posts.update(db, post["id"], ws.now(), at=ws.now().isoformat(timespec="seconds"))
    assert run_once(publishing_site(ws))["posts"][0]["status"] == "published"
    (folder,) = ws.outbox.iterdir()
    assert (folder / "image.jpg").read_bytes() == (ws.renders / pid / "instagram-feed-tr.jpg").read_bytes()
    assert (folder / "caption.txt").read_text() == (
        "Mehmet (45), Otobüs şoförü:\n“" + TR_QUOTE + "”\n\n#duisburgistechtsolidarisch\n")
    assert (folder / "alt.txt").read_text() == f"Fotoğraf: Mehmet, 45, Otobüs şoförü. Alıntı: “{TR_QUOTE}”\n"
    assert "Yilmaz" not in "".join(p.read_text() for p in folder.glob("*.txt"))


def test_a_language_the_portrait_has_no_quote_in_is_refused_when_planned(cli, ws):
    pid = approved_portrait(ws, "Anna", 40, "health")
    before = ws.store.path.read_bytes()
    r = cli("schedule", "add", pid, "--at", "2030-05-04 18:30", "--lang", "uk")
    assert r.exit_code == 1
    assert f"{pid} has no quote in uk" in r.output and f"campaign portrait translate {pid} --lang uk" in r.output
    assert ws.store.path.read_bytes() == before


def test_a_language_without_a_caption_template_is_refused_when_planned_not_on_the_day(cli, ws):
    pid = approved_portrait(ws, "Anna", 40, "health")
    _translate(cli, pid, "fr", "Ensemble, nous sommes forts.", "médecin")
    before = ws.store.path.read_bytes()
    for args in (["schedule", "add", pid, "--at", "2030-05-04 18:30", "--lang", "fr"],
                 ["schedule", "plan", "--start", "2030-05-06", "--end", "2030-05-11", "--langs", "de,fr"]):
        r = cli(*args)
        assert r.exit_code == 1, r.output
        assert "There is no caption template for French" in r.output and "`fr = \"...\"`" in r.output
        assert "[captions]" in r.output
        assert len(r.output.strip().splitlines()) <= 2 and "Traceback" not in r.output
    assert ws.store.path.read_bytes() == before
    configure(ws, "captions", fr="{first_name} ({age}), {role} : « {quote} » {hashtag}")
    assert cli("schedule", "add", pid, "--at", "2030-05-04 18:30", "--lang", "fr").exit_code == 0


def test_a_plan_in_three_languages_posts_the_first_every_day_and_the_others_where_the_portrait_has_them(cli, ws):
    both = approved_portrait(ws, "Amira", 38, "health")
    turkish = approved_portrait(ws, "Mehmet", 45, "transport")
    german = approved_portrait(ws, "Brigitte", 81, "senior")
    _translate(cli, both, "tr", TR_QUOTE, "Doktor")
    _translate(cli, both, "ar", AR_QUOTE, "طبيبة")
    _translate(cli, turkish, "tr", TR_QUOTE, "Otobüs şoförü")
    r = cli("schedule", "plan", "--start", "2030-05-06", "--end", "2030-05-11", "--channels", "instagram",
            "--langs", "de,tr,ar", "--json")
    assert r.exit_code == 0, r.output
    created = json.loads(r.output)["created"]
    by_day = defaultdict(list)
    for p in created:
        by_day[datetime.fromisoformat(p["at"]).date()].append(p)
    assert sorted(by_day) == [date(2030, 5, d) for d in range(6, 12)]  # mon-sat, every day
    for day_posts in by_day.values():
        day_posts.sort(key=lambda p: p["at"])
        assert day_posts[0]["lang"] == "de" and day_posts[0]["at"].endswith("18:30:00+02:00")
        assert len({p["portrait_id"] for p in day_posts}) == 1  # the translations are the day's portrait
        expected = {both: ["de", "tr", "ar"], turkish: ["de", "tr"], german: ["de"]}[day_posts[0]["portrait_id"]]
        assert [p["lang"] for p in day_posts] == expected
        assert [p["at"][11:16] for p in day_posts] == ["18:30", "18:40", "18:50"][:len(expected)]
    # The first language decides who can be planned: only portraits with a Turkish quote.
    r = cli("schedule", "plan", "--start", "2030-06-03", "--end", "2030-06-08", "--channels", "facebook",
            "--langs", "tr", "--json")
    assert {p["portrait_id"] for p in json.loads(r.output)["created"]} == {both, turkish}
    assert {p["lang"] for p in json.loads(r.output)["created"]} == {"tr"}


def test_a_portrait_without_a_credit_has_no_credit_line_and_brand_credit_is_the_default(cli, ws):
    from campaign.outputs.renders import texts_for
    from portraits import records

    pid = approved_portrait(ws, "Anna", 40, "health")
    portrait = records.get(ws.store.read(), pid)
    text = captions.caption(portrait, "de", ws.config)
    assert text == "Anna (40), Health:\n„Anna sagt: wir halten zusammen.“\n\n#duisburgistechtsolidarisch"
    assert ws.config.name not in text and texts_for(ws, portrait, "de").credit == ""
    configure(ws, "brand", credit="Stadt Duisburg / Studio")
    assert captions.caption(portrait, "de", ws.config).endswith("\nFoto: Stadt Duisburg / Studio")
    assert texts_for(ws, portrait, "de").credit == "Foto: Stadt Duisburg / Studio"
    assert cli("portrait", "edit", pid, "--credit", "Studio Nord").exit_code == 0
    own = records.get(ws.store.read(), pid)
    assert captions.caption(own, "de", ws.config).endswith("\nFoto: Studio Nord")
    post_id = due_post(ws, pid)
    run_once(publishing_site(ws))
    assert posts.get(ws.store.read(), post_id)["caption"].endswith("Foto: Studio Nord")

from __future__ import annotations

import itertools
import pickle
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import namenorm
from namenorm import Entity, Gazetteer, Mention, Resolver

from conftest import ROOT, read_tsv

GOLD = read_tsv("scan_gold.tsv")
LINKED = read_tsv("scan_linked.tsv")
UNLINKED = read_tsv("scan_unlinked.tsv")
GARBLED = "001_31d5c00c388186c4.txt"


def _seed(name: str) -> str:
    return (ROOT / "seeds" / name).read_bytes().decode("utf-8")


def _gold() -> dict[str, set[tuple[int, int, str]]]:
    gold: dict[str, set[tuple[int, int, str]]] = defaultdict(set)
    for file, start, end, text, entity_id in GOLD:
        assert _seed(file)[int(start) : int(end)] == text, f"{file}:{start}: the gold span is not {text!r}"
        gold[file].add((int(start), int(end), entity_id))
    return gold


def test_gold_covers_every_seed() -> None:
    assert set(_gold()) == {p.name for p in (ROOT / "seeds").glob("*.txt")}


def test_precision_and_recall_on_the_seeds() -> None:
    found, right, wanted = 0, 0, 0
    errors: list[str] = []
    for file, gold in sorted(_gold().items()):
        got = {(m.start, m.end, m.match.entity.id) for m in namenorm.scan(_seed(file))}
        found, right, wanted = found + len(got), right + len(got & gold), wanted + len(gold)
        errors += [f"false link {file} {m}" for m in sorted(got - gold)]
        errors += [f"missed {file} {m}" for m in sorted(gold - got)]
    precision, recall = right / found, right / wanted
    assert precision >= 0.95 and recall >= 0.95, f"precision {precision:.3f}, recall {recall:.3f}:\n" + "\n".join(
        errors
    )


@pytest.mark.parametrize(
    ("written", "entity_id"),
    [
        ("Qadr", "place:hadrut"),
        ("Kinrut", "place:hadrut"),
        ("Hintagarh", "place:hin-tager"),
        ("Ksabart", "place:khtsaberd"),
        ("Nicole Bashinian", "person:nikol-pashinyan"),
    ],
    ids=str,
)
def test_every_garbled_mention_of_article_001(written: str, entity_id: str) -> None:
    text = _seed(GARBLED)
    mentions = {(m.text, m.match.entity.id) for m in namenorm.scan(text)}
    assert written in text and (written, entity_id) in mentions


def _moved(name: str, entity_id: str) -> tuple[str, list[tuple[int, int]]] | None:
    """The first seed article that mentions `entity_id`, with every such
    mention replaced by `name`, and the spans of the replacements."""
    for file, gold in sorted(_gold().items()):
        spans = sorted((start, end) for start, end, owner in gold if owner == entity_id)
        if spans:
            text, placed = _seed(file), []
            for start, end in reversed(spans):
                text = text[:start] + name + text[end:]
            shift = 0
            for start, end in spans:
                placed.append((start + shift, start + shift + len(name)))
                shift += len(name) - (end - start)
            return text, placed
    return None


def test_variants_moved_into_the_seeds_are_found() -> None:
    # The spellings of seed_variants.tsv, written alone, in the place of their
    # entity's mentions: as a garbling translation would write them.
    missed, tried = [], 0
    for name, entity_id, *_ in read_tsv("seed_variants.tsv"):
        moved = _moved(name, entity_id) if "," not in name else None
        if moved is None:
            continue
        text, spans = moved
        mentions = namenorm.scan(text)
        for start, end in spans:
            tried += 1
            if {m.match.entity.id for m in mentions if m.start < end and start < m.end} != {entity_id}:
                missed.append(name)
    assert tried > 100 and len(missed) <= 0.05 * tried, missed


def test_names_not_in_the_gazetteer_moved_into_the_seeds_stay_unlinked() -> None:
    # Each in the place of the entity it is likeliest to be taken for.
    linked, tried = [], 0
    for name, *_ in read_tsv("not_in_gazetteer.tsv"):
        likeliest = namenorm.candidates(name, limit=1)
        moved = _moved(name, likeliest[0].entity.id) if likeliest else None
        if moved is None:
            continue
        text, spans = moved
        for start, end in spans:
            tried += 1
            over = [m for m in namenorm.scan(text) if m.start < end and start < m.end]
            # An entity's own name inside another name ("OSCE" of "OSCE
            # Parliamentary Assembly") is a mention, as the gold counts them.
            if any(m.match.method not in ("exact", "normalized") or m.text == name for m in over):
                linked.append(name)
    assert tried > 100 and len(linked) <= 0.05 * tried, linked


@pytest.mark.parametrize(("text", "written", "entity_id"), LINKED, ids=str)
def test_mention_found(text: str, written: str, entity_id: str) -> None:
    mentions = namenorm.scan(text)
    assert (written, entity_id) in {(m.text, m.match.entity.id) for m in mentions}, mentions


@pytest.mark.parametrize(("text", "words", "why"), UNLINKED, ids=str)
def test_no_false_link(text: str, words: str, why: str) -> None:
    for word in words.split("|"):
        start = text.index(word)
        linked = [m for m in namenorm.scan(text) if m.start < start + len(word) and start < m.end]
        assert not linked, f"{word!r} ({why}) linked: {linked}"


def test_enough_false_link_cases() -> None:
    assert len(UNLINKED) >= 25


def test_every_alias_of_the_builtin_gazetteer_is_found_in_a_sentence() -> None:
    missed = []
    for entity in Gazetteer.builtin():
        for name in entity.names:
            text = f"Officials in {name} spoke on Monday."
            if (name, entity.id) not in {(m.text, m.match.entity.id) for m in namenorm.scan(text)}:
                missed.append((name, entity.id))
    assert not missed


def test_context_cue_and_related_entity() -> None:
    # "Qadr" resolves to Hadrut at 0.67: too little for running text alone.
    # A cue word ("region") and a related entity in the text (Hadrut lies in
    # Nagorno-Karabakh) are both needed.
    karabakh = "Fighting in Nagorno-Karabakh went on. "
    assert [m.text for m in namenorm.scan("Fighting near the Qadr region stopped.")] == []
    assert [m.text for m in namenorm.scan(karabakh + "Fighting near Qadr stopped.")] == ["Nagorno-Karabakh"]
    found = namenorm.scan(karabakh + "Fighting near the Qadr region stopped.")
    assert [(m.text, m.match.entity.id) for m in found] == [
        ("Nagorno-Karabakh", "place:nagorno-karabakh"),
        ("Qadr", "place:hadrut"),
    ]
    evidence = dict(found[1].match.evidence)
    assert evidence["cue: place"] > 0 and any(what.startswith("in context: related to") for what in evidence)


def test_a_cue_of_another_kind_counts_against() -> None:
    # "Hintagarh" is Hin Tager, a place; a title before it says a person,
    # and rules a place out ("President Zelensky" is no town); a place cue
    # before an organisation's name counts against it.
    place = namenorm.scan("They reached the village of Hintagarh.")
    assert [m.match.entity.id for m in place] == ["place:hin-tager"]
    assert dict(place[0].match.evidence)["cue: place"] > 0
    assert namenorm.scan("They met President Hintagarh.") == []
    org = namenorm.scan("They reached the village of Minsk Groop.")
    assert [m.match.entity.id for m in org] == ["org:osce-minsk-group"]
    assert dict(org[0].match.evidence)["cue: place"] < 0


def test_cues_are_read_in_the_sentence_and_across_and_or_a_comma() -> None:
    def cue(text: str) -> dict[str, float]:
        return {w: v for w, v in namenorm.scan(text)[-1].match.evidence if w.startswith("cue")}

    assert cue("He visited Hintagarh. Group leaders met.") == {}
    assert cue("He visited Hintagarh. Region leaders met.") == {}
    assert cue("the villages of Hintagarh and Ksabart") == {"cue: place": 0.05}
    assert cue("the villages of Hintagarh, Ksabart") == {"cue: place": 0.05}


def test_context_does_not_depend_on_the_order_of_the_text() -> None:
    # Ksabart (Khtsaberd) lies in Hadrut: it supports "Qadr" before or after it.
    first = "The village of Ksabart was shelled. Fighting near the Qadr region stopped."
    second = "Fighting near the Qadr region stopped. The village of Ksabart was shelled."
    for text in (first, second):
        assert {m.text: m.match.entity.id for m in namenorm.scan(text)} == {
            "Ksabart": "place:khtsaberd",
            "Qadr": "place:hadrut",
        }
    # A chain: each name is supported by the next one only.
    sentences = ["Troops shelled Hintagar.", "Troops left the Qadr region.", "Shells hit the Ksabart outskirts."]
    forward = namenorm.scan(" ".join(sentences))
    backward = namenorm.scan(" ".join(reversed(sentences)))
    assert {m.text for m in forward} == {m.text for m in backward} == {"Hintagar", "Qadr", "Ksabart"}


def test_scripts_without_capitals_and_without_spaces() -> None:
    assert namenorm.normalize_text("اشتباكات في هادروت") == "اشتباكات في Hadrut"
    entities = [
        Entity(id="place:beijing", name="Beijing", kind="place", aliases=("北京",)),
        Entity(id="org:g7", name="G7", kind="org", aliases=("Group of Seven",)),
        Entity(id="org:pg", name="Procter & Gamble", kind="org"),
        Entity(id="place:shahabad", name="Shahabad", kind="place", aliases=("شاه\u200cآباد",)),
    ]
    found = Resolver(Gazetteer(entities)).scan("我住在北京。 The G7 met Procter & Gamble in شاه\u200cآباد.")
    assert [(m.text, m.match.entity.id) for m in found] == [
        ("北京", "place:beijing"),
        ("G7", "org:g7"),
        ("Procter & Gamble", "org:pg"),
        ("شاه\u200cآباد", "place:shahabad"),
    ]


def test_many_at_signs_are_read_in_linear_time() -> None:
    # An address pattern that backtracked took minutes on this.
    assert len(namenorm.scan("Hadrut@" * 3000)) == 3000  # no full stop: no address
    assert [m.text for m in namenorm.scan("Write to press@example.com about Hadrut.")] == ["Hadrut"]
    assert namenorm.scan("x" * 40000 + "@") == []
    # An address ends where Chinese text goes on.
    text = "我住在北京，邮箱是foo@bar.cn，谢谢。"
    entities = [Entity(id="place:beijing", name="Beijing", kind="place", aliases=("北京",))]
    assert [m.text for m in Resolver(Gazetteer(entities)).scan(text)] == ["北京"]


def test_a_word_of_millions_of_letters_is_skipped_not_read() -> None:
    # A word this long made the word pattern give up (MemoryError near
    # 400 MB); no name has one, so it is passed over and the text around it read.
    assert namenorm.scan("a" * 4_500_000) == []
    before, after = "Fighting near the Qadr region of Nagorno-Karabakh. ", " Nicole Bashinian spoke in 北京."
    found = [(m.text, m.match.entity.id) for m in namenorm.scan(before + "x" * 4_500_000 + after)]
    assert found == [(m.text, m.match.entity.id) for m in namenorm.scan(before + after)]
    assert [text for text, _ in found] == ["Qadr", "Nagorno-Karabakh", "Nicole Bashinian"]


def test_score_cutoff() -> None:
    text = "Fighting near the Qadr region of Nagorno-Karabakh."
    assert [m.text for m in namenorm.scan(text)] == ["Qadr", "Nagorno-Karabakh"]
    assert [m.text for m in namenorm.scan(text, score_cutoff=0.9)] == ["Nagorno-Karabakh"]
    with pytest.raises(ValueError, match="score_cutoff"):
        namenorm.scan(text, score_cutoff=2)


def test_mention_fields_and_normalize_text() -> None:
    text = "Prime Minister Nicole Bashinian met Aliyev in the Qadr region of Nagorno-Karabakh."
    mentions = namenorm.scan(text)
    assert [(m.start, m.end, m.text) for m in mentions] == [
        (15, 31, "Nicole Bashinian"),
        (36, 42, "Aliyev"),
        (50, 54, "Qadr"),
        (65, 81, "Nagorno-Karabakh"),
    ]
    assert all(isinstance(m, Mention) and text[m.start : m.end] == m.text for m in mentions)
    assert mentions[0].match.method == "phonetic" and mentions[1].match.method == "surname"
    assert namenorm.normalize_text(text) == (
        "Prime Minister Nikol Pashinyan met Ilham Aliyev in the Hadrut region of Nagorno-Karabakh."
    )


def test_kinds() -> None:
    text = "Ilham Aliyev met Nikol Pashinyan in Moscow, the OSCE said."
    assert [m.text for m in namenorm.scan(text, kinds="person")] == ["Ilham Aliyev", "Nikol Pashinyan"]
    assert [m.text for m in namenorm.scan(text, kinds=["place", "org"])] == ["Moscow", "OSCE"]
    with pytest.raises(ValueError, match="unknown kind"):
        namenorm.scan(text, kinds="city")
    with pytest.raises(ValueError, match="kinds is empty"):
        namenorm.scan(text, kinds=[])
    assert namenorm.normalize_text("Пашинян in Москва", kinds="place") == "Пашинян in Moscow"


def test_bad_input() -> None:
    with pytest.raises(TypeError, match="must be a str"):
        namenorm.scan(b"Hadrut")  # type: ignore[arg-type]
    assert namenorm.scan("") == [] and namenorm.normalize_text("") == ""
    assert namenorm.scan("\x00\ud800 Hadrut") != []


def test_web_addresses_are_not_read() -> None:
    text = "Source: https://example.com/azerbaijan-armenia-talks-in-baku.html and Baku."
    assert [(m.start, m.text) for m in namenorm.scan(text)] == [(text.rindex("Baku"), "Baku")]


def test_a_long_text_in_capitals_is_read_for_aliases_only() -> None:
    words = ["THE", "MEETING", "OF", "ILHAM", "ALIYEV", "AND", "THE", "QADR", "REGION", "OFFICIALS"] * 10
    found = namenorm.scan(" ".join(words))
    assert {m.text for m in found} == {"ILHAM ALIYEV"}


def test_own_gazetteer_with_relations() -> None:
    entities = [
        Entity(id="place:shusha", name="Shusha", kind="place", aliases=("Shushi",), attrs={"located_in": ["place:k"]}),
        Entity(id="place:k", name="Karabakh", kind="place"),
    ]
    resolver = Resolver(Gazetteer(entities))
    found = resolver.scan("In Karabakh, the town of Shushy was quiet.")
    assert [(m.text, m.match.entity.id) for m in found] == [("Karabakh", "place:k"), ("Shushy", "place:shusha")]
    assert resolver.normalize_text("Shushi and Karabakh") == "Shusha and Karabakh"


# Any characters, and pieces of names and of what joins them, so that
# mentions are found too.
_TEXT = st.lists(
    st.text(st.characters(codec="utf-8"), max_size=6)
    | st.sampled_from(["Hadrut", "Qadr", "Nagorno-Karabakh", " region", " ", "-", "’s", "U.S.", "Aliyev", ". "]),
    max_size=20,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_scan_never_fails_and_mentions_point_into_the_text(text: str) -> None:
    mentions = namenorm.scan(text)
    for before, after in itertools.pairwise(mentions):
        assert before.end <= after.start
    assert all(text[m.start : m.end] == m.text and m.start < m.end for m in mentions)


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_normalize_text_changes_only_the_mentions(text: str) -> None:
    mentions = namenorm.scan(text)
    rewritten = namenorm.normalize_text(text)
    at, out = 0, 0
    for m in mentions:
        kept = text[at : m.start]
        assert rewritten[out : out + len(kept)] == kept
        out += len(kept)
        assert rewritten[out : out + len(m.match.entity.name)] == m.match.entity.name
        out += len(m.match.entity.name)
        at = m.end
    assert rewritten[out:] == text[at:]


def test_seeds_are_the_shared_originals() -> None:
    shared = ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not here (a clone elsewhere)")
    for path in (ROOT / "seeds").glob("*.txt"):
        assert path.read_bytes() == (shared / path.name).read_bytes()


def test_scanner_is_built_once_per_resolver() -> None:
    resolver = Resolver(Gazetteer.builtin())
    resolver.scan("Hadrut")
    held = resolver._scanner
    resolver.scan("Qadr")
    assert resolver._scanner is held


def test_a_shared_name_is_settled_by_context() -> None:
    entities = [
        Entity(id="place:alexandria-eg", name="Alexandria", kind="place", prior=5_200_000),
        Entity(
            id="place:alexandria-va", name="Alexandria", kind="place", prior=155_000, attrs={"located_in": ["place:va"]}
        ),
        Entity(id="place:va", name="Virginia", kind="place"),
    ]
    resolver = Resolver(Gazetteer(entities))
    # Alone, the name is its most prominent bearer (33 times the people).
    alone = resolver.scan("Alexandria is old.")[0].match
    assert (alone.entity.id, alone.ambiguous) == ("place:alexandria-eg", False)
    near = resolver.scan("In Virginia, Alexandria is old.")[1].match
    assert (near.entity.id, near.ambiguous) == ("place:alexandria-va", False)


def test_threads_share_a_resolver_and_a_pickled_one_scans_alike() -> None:
    texts = [_seed(file) for file in sorted(_gold())] * 3

    def spans(mentions: list[Mention]) -> list[tuple[int, int, str, float]]:
        return [(m.start, m.end, m.match.entity.id, m.match.score) for m in mentions]

    resolver = Resolver(Gazetteer.builtin())
    with ThreadPoolExecutor(4) as pool:
        shared = [spans(found) for found in pool.map(resolver.scan, texts)]
    assert shared == [spans(Resolver(Gazetteer.builtin()).scan(text)) for text in texts]
    assert spans(pickle.loads(pickle.dumps(resolver)).scan(texts[1])) == shared[1]


def test_a_gazetteer_of_towns_does_not_take_common_words_demonyms_or_parts_of_names() -> None:
    # Real towns (GeoNames) named like a month, an acronym, a country whose
    # demonym the gazetteer does not list, and the first word of a name.
    towns = [
        Entity(id="geonames:2643186", name="March", kind="place"),
        Entity(id="geonames:1254249", name="Un", kind="place"),
        Entity(id="geonames:3689560", name="Armenia", kind="place"),
        Entity(id="geonames:522942", name="Nagornyy", kind="place"),
    ]
    resolver = Resolver(Gazetteer(towns))
    text = "In March, UN officials and Armenian troops left Nagorno-Karabakh for Armenia."
    assert [(m.text, m.match.entity.id) for m in resolver.scan(text)] == [("Armenia", "geonames:3689560")]

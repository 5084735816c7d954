from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given
from hypothesis import strategies as st

import namenorm
from namenorm import Entity, Gazetteer, Resolver

from conftest import read_tsv

VARIANTS = read_tsv("seed_variants.tsv")
NOT_IN_GAZETTEER = read_tsv("not_in_gazetteer.tsv")


@pytest.mark.parametrize(("variant", "entity_id"), VARIANTS, ids=str)
def test_seed_variant_resolves_to_its_entity(variant: str, entity_id: str) -> None:
    match = namenorm.resolve(variant)
    assert match is not None, f"{variant!r} did not resolve"
    assert match.entity.id == entity_id
    assert not match.ambiguous


def _negative_params() -> list[object]:
    params: list[object] = []
    for row in NOT_IN_GAZETTEER:
        name, known = row[0], row[2] if len(row) > 2 else None
        marks = []
        if known:
            reason = f"known false match to {known}: the cutoff that admits Qadr and Kinrut admits it too"
            marks.append(pytest.mark.xfail(reason=reason, strict=True))
        params.append(pytest.param(name, marks=marks, id=name))
    return params


def test_enough_not_in_gazetteer_names() -> None:
    assert len([r for r in NOT_IN_GAZETTEER if len(r) < 3]) >= 40


@pytest.mark.parametrize("name", _negative_params())
def test_name_not_in_gazetteer_resolves_to_none(name: str) -> None:
    match = namenorm.resolve(name)
    assert match is None, f"{name!r} wrongly resolved to {match.entity.id if match else None}"


def test_match_fields() -> None:
    m = namenorm.resolve("Nicole Bashinian")
    assert m is not None
    assert (m.entity.id, m.entity.name, m.entity.kind) == ("person:nikol-pashinyan", "Nikol Pashinyan", "person")
    assert 0.0 < m.score < 1.0
    assert m.alias in m.entity.names
    assert m.method == "phonetic"
    assert m.query == "Nicole Bashinian"
    assert m.runner_up is not None and m.runner_up_score is not None and m.runner_up_score < m.score
    assert "Nikol Pashinyan" in m.explain() and "runner-up" in m.explain()


def test_methods() -> None:
    def method(name: str) -> str:
        m = namenorm.resolve(name)
        assert m is not None
        return m.method

    assert method("Hadrut") == "exact"
    assert method("HADRUT") == "normalized"
    assert method("Gadrut") == "transliterated"
    assert method("Ksabart") == "phonetic"
    assert method("Aliyev") == "surname"
    assert method("N. Pashinyan") == "initials"


def test_candidates_are_ranked_and_limited() -> None:
    found = namenorm.candidates("Karabagh", limit=3)
    assert len(found) == 3
    assert found[0].entity.id == "place:nagorno-karabakh"
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    assert found[0].runner_up == found[1].entity
    assert all(m.entity.kind == "place" for m in namenorm.candidates("Karabagh", kind="place", limit=5))
    assert namenorm.candidates("Karabagh", score_cutoff=0.99) == []


def test_kind_filter() -> None:
    assert namenorm.resolve("Qadr", kind="place") is not None
    assert namenorm.resolve("Qadr", kind="person") is None
    with pytest.raises(ValueError, match="unknown kind"):
        namenorm.resolve("Qadr", kind="plaec")


@pytest.mark.parametrize("bad", [None, 3, b"Hadrut", ["Hadrut"]], ids=repr)
def test_non_str_name_raises_type_error(bad: object) -> None:
    with pytest.raises(TypeError):
        namenorm.resolve(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("blank", ["", " ", "\t\n", "...", "—"], ids=repr)
def test_blank_name_is_none(blank: str) -> None:
    assert namenorm.resolve(blank) is None
    assert namenorm.candidates(blank) == []


def test_a_limit_beyond_any_gazetteer_lists_every_candidate() -> None:
    every = namenorm.candidates("Gadrut", limit=10_000)
    assert namenorm.candidates("Gadrut", limit=2**64) == every
    with pytest.raises(ValueError, match="limit must be"):
        namenorm.candidates("Gadrut", limit=0)


def test_very_long_name_is_none_not_slow() -> None:
    assert namenorm.resolve("Hadrut " * 10_000) is None


@given(st.text())
def test_resolve_never_raises(text: str) -> None:
    match = namenorm.resolve(text)
    assert match is None or 0.0 <= match.score <= 1.0
    if not text.strip():
        assert match is None


def test_rival_places_are_not_fuzzy_matched() -> None:
    g = Gazetteer([Entity(id="x:parukh", name="Parukh", kind="place")])
    assert Resolver(g).resolve("Paris") is None
    lowered = Resolver(g).candidates("Paris")[0]
    plain = Resolver(g, rival_places=False).candidates("Paris")[0]
    assert ("spelled like another place (GeoNames)", 0.6) in lowered.evidence
    assert lowered.similarity is not None and plain.similarity is not None
    assert lowered.similarity < plain.similarity and lowered.score < plain.score


def test_prior_breaks_near_ties_only() -> None:
    # Hadrat and Hadrit are equally far from Hadrut: the bigger place wins, either way round.
    for priors in ((10, 1_000_000), (1_000_000, 10)):
        a = Entity(id="place:a", name="Hadrat", kind="place", prior=priors[0])
        b = Entity(id="place:b", name="Hadrit", kind="place", prior=priors[1])
        tie = Resolver(Gazetteer([a, b])).candidates("Hadrut", limit=2)[0]
        assert tie.ambiguous and tie.entity.prior == 1_000_000
    big = Entity(id="place:b", name="Gadrut", kind="place", prior=1_000_000)
    # A clear string match ranks first over any prior; a rival a hundred
    # thousand times bigger, one letter off, lowers its score (calibrate's
    # prior_lead), one a hundred times bigger leaves it settled.
    for prior, settled in ((10, False), (10_000, True)):
        r = Resolver(Gazetteer([Entity(id="place:a", name="Hadrut", kind="place", prior=prior), big]))
        assert r.candidates("Hadrut")[0].entity.id == "place:a"
        assert (r.resolve("Hadrut") is not None) is settled


def test_place_named_with_more_than_its_name_ranks_but_does_not_resolve() -> None:
    r = Resolver(Gazetteer([Entity(id="place:k", name="Kansanshi", kind="place")]))
    found = r.candidates("Kansanshi Mine")
    assert [(m.entity.id, m.method) for m in found] == [("place:k", "partial")]
    assert r.resolve("Kansanshi Mine") is None


def test_place_named_by_part_of_its_name_ranks_above_a_near_spelling_but_does_not_resolve() -> None:
    # "Texmelucan" is San Martín Texmelucan more likely than Teoloyucan,
    # spelled otherwise; but a part alone never settles it: "Union" is not the
    # Soviet Union.
    r = Resolver(
        Gazetteer(
            [
                Entity(id="place:s", name="San Martin Texmelucan", kind="place"),
                Entity(id="place:t", name="Teoloyucan", kind="place"),
            ]
        )
    )
    found = r.candidates("Texmelucan")
    assert [(m.entity.id, m.method) for m in found] == [("place:s", "partial"), ("place:t", "fuzzy")]
    assert found[0].score > found[1].score + 0.2
    assert r.resolve("Texmelucan") is None


def test_syllables_are_joined() -> None:
    r = Resolver(Gazetteer([Entity(id="place:p", name="Pabianice", kind="place")]), score_cutoff=0.5)
    match = r.resolve("pa bi ya ni cai")
    assert match is not None and match.evidence[0][0] == "pabiyanicai~pabianice"


def test_syllables_are_joined_without_a_word_for_a_kind_of_place() -> None:
    # zhen (town) is a word of its own: "long shui zhen" is Longshui town.
    r = Resolver(Gazetteer([Entity(id="place:l", name="Longshui", kind="place")]))
    match = r.resolve("long shui zhen")
    assert match is not None and match.score >= 0.95
    assert ("longshui~longshui", 1.0) in match.evidence


@pytest.mark.parametrize(
    ("name", "query", "evidence"),
    [
        # GeoNames spells Qorveh, Iran, "qrwh": قروه with each letter romanized.
        ("Qorveh", "qrwh", ("read as Arabic letters: قروه", 1.0)),
        ("Qingpu", "Ch'ing-p'u-hsien", ("read as Wade-Giles: qing pu xian", 1.0)),
        ("London", "Londonas", ("Lithuanian ending set aside: -as", 0.95)),
    ],
    ids=str,
)
def test_a_query_is_read_otherwise(name: str, query: str, evidence: tuple[str, float]) -> None:
    r = Resolver(Gazetteer([Entity(id="place:x", name=name, kind="place")]))
    match = r.resolve(query)
    assert match is not None and match.entity.id == "place:x"
    assert evidence in match.evidence


def test_words_that_translate_each_other_agree() -> None:
    r = Resolver(Gazetteer([Entity(id="place:s", name="St. Catharines", kind="place")]))
    for query in ("Saint Catharines", "Sankt Catharines"):
        match = r.resolve(query)
        assert match is not None and match.method == "translated" and match.similarity == 0.95


@pytest.mark.parametrize("query", ["Kanye Ouest", "Канье Западный"])
def test_a_surname_is_not_translated(query: str) -> None:
    r = Resolver(Gazetteer([Entity(id="person:k", name="Kanye West", kind="person")]))
    assert r.resolve(query) is None


@pytest.mark.parametrize("query", ["ъ kuang qu", "ъ xian zhen", "long zhen"])
def test_syllables_with_only_optional_words_left_do_not_break(query: str) -> None:
    r = Resolver(Gazetteer([Entity(id="place:l", name="Longshui", kind="place")]))
    r.candidates(query)  # no IndexError
    evidence = [what for m in r.candidates("long zhen") for what, _ in m.evidence]
    assert evidence.count("syllables joined") <= 1


def test_a_name_as_written_is_not_read_otherwise() -> None:
    # "Dallas" is Dallas: read without a Lithuanian ending it would be Dall too.
    dallas = Entity(id="place:a", name="Dallas", kind="place")
    dall = Entity(id="place:b", name="Dall", kind="place")
    match = Resolver(Gazetteer([dallas, dall])).resolve("Dallas")
    assert match is not None and match.entity.id == "place:a" and match.similarity == 1.0


def test_capitals_keep_a_name_from_being_read_as_arabic_letters() -> None:
    # Its syllables joined, "Kwm Syty" must still not read as كومسيتي.
    r = Resolver(Gazetteer([Entity(id="place:c", name="Commerce City", kind="place")]), score_cutoff=0.0)
    evidence = [what for m in r.candidates("Kwm Syty") for what, _ in m.evidence]
    assert not any("Arabic letters" in what for what in evidence)
    assert any("Arabic letters" in what for m in r.candidates("kwm syty") for what, _ in m.evidence)


def test_ties_break_by_id() -> None:
    a = Entity(id="place:a", name="Georgia", kind="place")
    b = Entity(id="place:b", name="Georgia", kind="place")
    for entities in ([a, b], [b, a]):
        r = Resolver(Gazetteer(entities))
        m = r.candidates("Georgia")[0]
        assert m.entity.id == "place:a" and m.ambiguous and m.score < 0.5
        assert r.resolve("Georgia") is None  # a coin toss is not an answer


def test_resolver_is_picklable_and_thread_safe() -> None:
    r = Resolver(Gazetteer.builtin())
    copy = pickle.loads(pickle.dumps(r))
    names = [v for v, _ in VARIANTS] * 4
    expected = [m.entity.id if m else None for m in r.resolve_many(names)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda n: m.entity.id if (m := copy.resolve(n)) else None, names))
    assert got == expected


def test_resolver_validates_settings() -> None:
    with pytest.raises(ValueError):
        Resolver(Gazetteer.builtin(), score_cutoff=1.5)
    with pytest.raises(TypeError):
        Resolver([])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        namenorm.candidates("Hadrut", limit=0)


def test_surname_that_is_also_a_place_still_resolves() -> None:
    # "Kirby" and "Makron" are real place names too; a surname spelled as
    # written is not a fuzzy match, so the rival-place rule leaves it alone.
    for name, entity_id in [("Kirby", "person:john-kirby"), ("Макрон", "person:emmanuel-macron")]:
        match = namenorm.resolve(name, kind="person")
        assert match is not None and match.entity.id == entity_id


def test_initial_does_not_stand_for_a_surname() -> None:
    assert namenorm.resolve("Vladimir P.") is None
    assert namenorm.resolve("V. Putin") is not None


def test_only_near_candidates_are_ambiguous() -> None:
    found = namenorm.candidates("Karabagh", limit=3)
    assert not any(m.ambiguous for m in found)


def test_exact_alias_wins_a_tie_of_names() -> None:
    match = namenorm.resolve("The Associated Press")
    assert match is not None and match.method == "exact" and match.alias == "The Associated Press"


def test_long_repetitive_input_returns_quickly() -> None:
    assert namenorm.resolve("the " * 80_000 + "x") is None
    assert namenorm.resolve("x" + " district" * 80_000) is None


def test_resolver_is_immutable_and_checks_cutoff() -> None:
    r = Resolver(Gazetteer.builtin())
    with pytest.raises(AttributeError):
        r.score_cutoff = 0.1  # type: ignore[misc]
    with pytest.raises(ValueError):
        r.resolve("Nowhereville", score_cutoff=-1)


def test_a_syllabic_transcription_is_found_by_its_consonants() -> None:
    # Japanese katakana adds a vowel after each consonant: few sound-key grams
    # of "sutokkuhorumu" are Stockholm's, its consonants are.
    names = ["Stockholm", *(f"Sutto{i}" for i in range(600))]  # more near names than are scored
    r = Resolver(Gazetteer([Entity(id=f"place:{i}", name=n, kind="place") for i, n in enumerate(names)]))
    assert [m.entity.name for m in r.candidates("sutokkuhorumu", limit=1)] == ["Stockholm"]


@pytest.mark.parametrize("processes", [1, 2])
def test_resolve_many_answers_in_input_order(processes: int) -> None:
    r = Resolver(Gazetteer.builtin())
    names = ["Nicole Bashinian", "Qadr", "Paris", "Gadrut", "", "Пашинян"] * 30
    answers = list(r.resolve_many(iter(names), processes=processes, chunksize=7))
    assert answers == [r.resolve(name) for name in names]


def test_resolve_many_checks_its_arguments_before_it_starts() -> None:
    r = Resolver(Gazetteer.builtin())
    for bad in ({"processes": 0}, {"chunksize": 0}, {"kind": "planet"}):
        with pytest.raises(ValueError):
            r.resolve_many(["Qadr"], **bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        list(r.resolve_many(["Qadr", 42], processes=2))  # type: ignore[list-item]


def test_resolve_many_shows_progress_on_stderr_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    r = Resolver(Gazetteer.builtin())
    assert list(r.resolve_many(["Qadr", "Paris"], processes=1, progress=True))[1] is None
    assert "2/2" in capsys.readouterr().err
    list(r.resolve_many(["Qadr"], processes=1))  # stderr is not a terminal here: no bar
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "text",
    [
        "\ud800",  # a lone surrogate, which UTF-8 cannot hold
        "Had\udc80rut",
        "Hadrut\x00",
        "\x00",
        "Гадрут" * 50_000,  # 300,000 characters
        "x" * 1_000_000,  # 1 MB
        "".join(chr(c) for c in range(0x20, 0x3000, 7)),  # a little of every script below CJK
        "\U0001f600 \U000e0001 \ufeff",
    ],
    ids=["surrogate", "surrogate inside", "NUL", "only NUL", "300k Cyrillic", "1 MB", "scripts", "astral"],
)
def test_any_str_gives_a_match_or_none(text: str) -> None:
    match = namenorm.resolve(text)
    assert match is None or 0.0 <= match.score <= 1.0
    assert isinstance(namenorm.candidates(text), list)
    assert isinstance(namenorm.normalize(text), str)


@given(st.text(alphabet=st.characters(codec=None, categories=None)))
def test_the_core_takes_any_str(text: str) -> None:
    # Hypothesis's characters include lone surrogates, which the core reads as
    # U+FFFD (no letter), as normalize reads them as separators.
    match = namenorm.resolve(text)
    assert match is None or 0.0 <= match.score <= 1.0
    assert namenorm.normalize(text) == namenorm.normalize(namenorm.normalize(text))


def test_threads_on_one_resolver_answer_as_one_thread() -> None:
    # The core releases the GIL: 8 threads resolving at once on one resolver,
    # and resolve_many on its own pool of threads, give what one thread gives.
    r = Resolver(Gazetteer.builtin())
    names = [row[0] for row in VARIANTS + NOT_IN_GAZETTEER] * 5
    alone = [r.resolve(n) for n in names]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(r.resolve, names))
    assert together == alone
    assert list(r.resolve_many(names, processes=4, chunksize=3)) == alone
    assert list(r.resolve_many(names, processes=1)) == alone


def test_a_match_says_which_kind_of_name_matched_and_a_weak_alias_counts_for_less() -> None:
    bank = Entity(
        id="org:bm",
        name="Bank Melli Iran",
        kind="org",
        aliases=("Melli Bank",),
        previous_names=("Bank Melli",),
        weak_aliases=("BMI",),
    )
    same = Entity(id="org:x", name="Other Bank", kind="org", aliases=("BMI",))
    r = Resolver(Gazetteer([bank]))
    assert bank.names == ("Bank Melli Iran", "Melli Bank", "Bank Melli", "BMI")
    kinds = {name: r.candidates(name)[0].alias_kind for name in bank.names}
    assert kinds == {"Bank Melli Iran": "name", "Melli Bank": "alias", "Bank Melli": "previous_name", "BMI": "weak_alias"}
    weak = r.candidates("BMI")[0]
    strong = Resolver(Gazetteer([same])).candidates("BMI")[0]
    assert weak.score < strong.score and "weak alias" in weak.explain()


@pytest.mark.parametrize("query", ["Dr.", "al-", "LLC", "OOO", "ООО", "Mr", "bin", "S.A.", "Sp. z o.o.", "Dr. al-", "GmbH"])
def test_titles_particles_and_legal_forms_alone_match_nothing(query: str) -> None:
    g = Gazetteer(
        [
            Entity(id="person:s", name="Dr. Abdul Latif AL-SALEH", kind="person"),
            Entity(id="person:o", name="Than OO", kind="person"),
            Entity(id="person:b", name="Khodr Taher BIN ALI", kind="person"),
            Entity(id="org:g", name="Gazprom Neft OOO", kind="org", aliases=("ООО Газпром нефть",)),
            Entity(id="org:m", name="Mriya Resort LLC", kind="org"),
            Entity(id="org:s", name="SBT S.A.", kind="org"),
        ]
    )
    r = Resolver(g)
    for kind in (None, "person", "org"):
        assert r.resolve(query, kind=kind) is None
        assert r.candidates(query, kind=kind) == []


def test_a_name_spelled_as_a_title_is_still_found() -> None:
    # "Count" is a title, and the name of this place.
    r = Resolver(Gazetteer([Entity(id="place:c", name="Count", kind="place"), Entity(id="person:c", name="Count Basie", kind="person")]))
    assert [m.entity.id for m in r.candidates("Count", limit=1)] == ["place:c"]


def _namesakes() -> Resolver:
    return Resolver(
        Gazetteer(
            [
                Entity(id="person:ir", name="Ali Hassan Rezaei", kind="person", attrs={"country": ["IR"]}),
                Entity(id="person:iq", name="Ali Hassan Rezai", kind="person", attrs={"country": ["IQ", "SY"]}),
                Entity(id="person:none", name="Ali Hasan Rezaie", kind="person"),
                Entity(id="place:qom", name="Qom", kind="place", attrs={"country": "IR"}),
            ]
        )
    )


def test_where_keeps_only_the_entities_with_those_attributes() -> None:
    r = _namesakes()
    everyone = {m.entity.id for m in r.candidates("Ali Hassan Rezaei", limit=5)}
    assert {"person:ir", "person:iq", "person:none"} <= everyone
    assert [m.entity.id for m in r.candidates("Ali Hassan Rezaei", where={"country": "sy"})] == ["person:iq"]
    found = {m.entity.id for m in r.candidates("Ali Hassan Rezaei", where={"country": ["ir", "iq"]})}
    assert found == {"person:ir", "person:iq"}
    assert r.candidates("Ali Hassan Rezaei", where={"country": "fr"}) == []
    assert r.candidates("Ali Hassan Rezaei", where={"birthDate": "1961"}) == []
    # Decided among them alone: the namesake elsewhere is no rival.
    m = r.resolve("Ali Hassan Rezai", where={"country": "IQ"})
    assert m is not None and m.entity.id == "person:iq" and not m.ambiguous
    assert r.resolve("Ali Hassan Rezai", where={"country": "fr"}) is None
    m = r.resolve("Qom", where={"country": "ir"}, kind="place")
    assert m is not None and m.entity.id == "place:qom"


@pytest.mark.parametrize("where", [["country"], {"country": 1}, {"country": [1]}, {1: "ir"}, {"country": b"ir"}])
def test_a_malformed_where_is_refused(where: object) -> None:
    with pytest.raises(TypeError, match="where"):
        _namesakes().resolve("Qom", where=where)  # type: ignore[arg-type]

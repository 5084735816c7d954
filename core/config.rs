//! Thresholds and weights of the matcher, in one place; the Python package
//! reads them from here (`namenorm._config`), and a `Resolver` can override
//! those its arguments name.

/// A multi-word name whose words are all letters and this short is also read
/// as one word written syllable by syllable ("ao ka la" for Ocala,
/// "Hau-gang"); the longest pinyin syllables have six letters (zhuang).
pub const SYLLABLE_MAX_LETTERS: usize = 6;

/// Similarity of two words that translate each other in names ("Восточный"
/// and "East"), and factor on a query read with such words in English.
pub const EQUIVALENT_WORD_SIMILARITY: f64 = 0.95;

/// Factor on a match of the part of a query before its comma ("Tacoma" of
/// "Tacoma, Washington"): the qualifier is set aside, not checked.
pub const QUALIFIER_FACTOR: f64 = 0.97;

/// Factor on a match of a query read without its Lithuanian nominative
/// ending ("Dilizanas" as Dilizan): letters were set aside, so it is not full
/// evidence.
pub const CASE_ENDING_FACTOR: f64 = 0.95;

/// Score of two tokens that differ only by script or diacritics.
pub const TRANSLITERATED_SIMILARITY: f64 = 0.98;

/// Phonetic edit costs (see `similarity::phonetic_distance`). Inserting or
/// deleting a consonant, or swapping it for one of another class, costs 1.
/// Swapping a letter for another of its sound class (b/p, k/kh/h/g,
/// s/ts/sh), or a vowel for another vowel:
pub const SAME_CLASS_COST: f64 = 0.4;
/// Inserting or deleting a vowel, which scripts without short vowels drop:
pub const VOWEL_INDEL_COST: f64 = 0.4;

/// Cost of deleting a vowel of a query transcribed through a syllabic script
/// (Japanese "bureisuburijji" for Bracebridge, Korean, Chinese "ao si lu"
/// for Oslo), which adds vowels a name lacks; in such a query r and l swap at
/// `ALTERNATIVE_COST`, as those scripts have one of them only.
pub const EPENTHETIC_VOWEL_COST: f64 = 0.15;

/// Cost of swapping a letter's romanization for another common one (the
/// `[alternatives]` of the transliteration tables: kh / h / ch / x for х).
pub const ALTERNATIVE_COST: f64 = 0.2;

/// In a name without short vowels, cost of reading waw (w) as o or u, or ya
/// (i) as e, and of reading them as any other vowel.
pub const NEAR_VOWEL_COST: f64 = 0.1;
pub const FAR_VOWEL_COST: f64 = 0.6;

/// Cost of inserting or deleting a vowel when either name is written in a
/// script that leaves short vowels out (Arabic, Hebrew): their absence is the
/// rule there, not a difference.
pub const ABJAD_VOWEL_INDEL_COST: f64 = 0.25;

/// Factor for each optional word (an article, "city of", "district") that
/// one name has and the other has not: "Kota Kinabalu" is closer to itself
/// than to "Kinabalu".
pub const OPTIONAL_WORD_FACTOR: f64 = 0.97;

/// An optional word is paired with a word of the other name only if they
/// agree at least this well; otherwise it is left unmatched.
pub const OPTIONAL_MATCH_MIN: f64 = 0.8;

/// Score of an organisation's name against its acronym ("BNC", Banco
/// Nacional de Cuba): the initials of many names.
pub const ACRONYM_SIMILARITY: f64 = 0.9;

/// Score of a one-letter initial against a given name that starts with it.
pub const INITIAL_SIMILARITY: f64 = 0.9;

/// Factor on a person matched by part of the name (surname alone, no middle name).
pub const PARTIAL_NAME_FACTOR: f64 = 0.9;

/// Factor on an entity other than a person named by part of its name
/// ("Mantes" for "Mantes-la-Jolie"): it ranks with places spelled nearly as
/// the query, but `resolve` never returns such a match by itself ("Union" is
/// not the Soviet Union).
pub const PARTIAL_PLACE_FACTOR: f64 = 0.8;

/// Factor on an entity other than a person named with words its name lacks
/// ("Kansanshi Mine", "Deerfield Beach" for Deerfield): those words may name
/// another place, so the match ranks far below a full one, under the cutoff.
pub const EXTRA_WORDS_FACTOR: f64 = 0.6;

/// Factor on a name whose words came in another order ("Pashinyan, Nikol").
pub const REORDER_FACTOR: f64 = 0.98;

/// A person's surname must agree at least this well: given names vary
/// (Nikol, Nicole, Nikola) but another surname is another person.
pub const SURNAME_CUTOFF: f64 = 0.8;

/// Factor on a person's name for each part of the query that has no
/// counterpart in it (a middle name, a patronymic, a second surname the
/// listed name lacks), and for each part of it the query lacks.
pub const EXTRA_PART_FACTOR: f64 = 0.9;
pub const MISSING_PART_FACTOR: f64 = 0.9;

/// Factor on a person's name whose surname has no counterpart in the
/// query (given names alone name no one in particular), and whose given
/// name (its first part but the surname) has none in a query of more than
/// a surname ("Heydar Aliyev" against Ilham Heydar oglu Aliyev).
pub const SURNAME_MISSING_FACTOR: f64 = 0.6;

/// Factor on a person's name whose surname agrees with the query's less
/// than `SURNAME_CUTOFF`: another surname is another person, though a
/// spelling far off ranks ("QANSAWH" / "QANSU").
pub const SURNAME_DISAGREES_FACTOR: f64 = 0.7;
pub const GIVEN_MISSING_FACTOR: f64 = 0.7;

/// How alike a person's parts are: this share of the least alike pair's
/// similarity, the rest the mean of all pairs'.
pub const PERSON_WEAKEST_WEIGHT: f64 = 0.5;

/// The same for a particle ("al", "bin", "van") and an initial, which say less.
pub const PARTICLE_PART_FACTOR: f64 = 0.99;
pub const INITIAL_PART_FACTOR: f64 = 0.97;

/// A word of a person's name is compared with runs of this many words at
/// most of the other name, joined ("Abdulaziz" / "Abd al Aziz"), if it has
/// at least this many letters.
pub const PERSON_JOINED_MAX_PARTS: usize = 3;
pub const PERSON_JOINED_MIN_LETTERS: usize = 4;

/// Such a run of two parts or more that say who it is (not particles)
/// counts only at this similarity or more ("Abdulaziz" / "Abd al Aziz", not
/// "Johnkerry" / "John Kirby"); with one, at `SPLIT_MIN_SIMILARITY`.
pub const PERSON_JOINED_MIN_SIMILARITY: f64 = 0.88;

/// Factor on a match of an entity's weak alias (a nickname, a short name:
/// FollowTheMoney's `weakAlias`, OFAC's weak a.k.a.), which alone says less
/// than its other names.
pub const WEAK_ALIAS_FACTOR: f64 = 0.9;

/// A query in several words matches a one-word name joined ("Kuchuk
/// Chekmejeh" / "Küçükçekmece") only at this similarity or more.
pub const SPLIT_MIN_SIMILARITY: f64 = 0.8;

/// A candidate must score at least this to be returned by `resolve`: its
/// score is the probability that it is the entity meant (`calibrate`).
/// (clearly more likely right than wrong: two namesakes, a coin toss
/// each, are not).
pub const SCORE_CUTOFF: f64 = 0.55;

/// And be at least this alike (its similarity, two thirds of the letters or
/// sounds agreeing): the calibration is fitted
/// on 34,000 cities, where a match this far off never leads by much, and
/// is not to be trusted where one does because little else is there (a
/// gazetteer of 45 entities: "John Kerry" is not Ankara).
pub const MIN_SIMILARITY: f64 = 0.65;

/// And a name that is not in the gazetteer must score as high at most this
/// share of the time (its false-match rate, `false_match`).
pub const MAX_FALSE_MATCH: f64 = 0.05;

/// The same, for people: they are screened (sanctions, due diligence),
/// where a wrong match costs more than a name left for review, and the
/// names a gazetteer lacks are the likes of its own (namesakes). On
/// `bench/people.py`'s tune sample of the OFAC list, where the rate is
/// measured on the list's own people, 0.03 answered 2.7% of the open set
/// (0.04: 3.4%, 0.05: 4.9%); organisations, at 0.05, 1.7%.
pub const MAX_FALSE_MATCH_PERSON: f64 = 0.03;

/// A match is `ambiguous` when another entity scores within this margin of it.
pub const AMBIGUITY_MARGIN: f64 = 0.03;

/// Of namesakes (entities of one kind whose best names are spelled the
/// same once romanized), the
/// best is not ambiguous for another whose prior it holds this many times:
/// "Paris" is Paris, France (2.1 million people), not Paris, Texas (25,000),
/// while Springfield, Missouri, Massachusetts and Illinois stay ambiguous.
pub const NAMESAKE_LEAD: f64 = 10.0;

/// Factor on a fuzzy match of a query spelled exactly like a real place that
/// is not in the gazetteer ("Paris" against Parukh): below the cutoff, so it
/// may rank candidates but never resolves the name by itself.
pub const RIVAL_FACTOR: f64 = 0.6;

/// A name is scored only if it shares at least this share of the query's
/// sound-key bigrams (the candidate index's cheap rejection).
pub const CANDIDATE_MIN_SHARED: f64 = 0.5;

/// At most this many names are scored for a query (the expensive scores):
/// those most alike by the cheap ones below.
pub const CANDIDATE_LIMIT: usize = 150;

/// When more names qualify than `CANDIDATE_LIMIT`, they are cut by this
/// weight times their gram Dice coefficient (at most 0.5), plus four
/// similarities (each at most 1): Jaro-Winkler and Levenshtein of the
/// romanized spelling, Levenshtein of the sound key, and the token set ratio
/// of the romanized words.
pub const CANDIDATE_GRAMS_WEIGHT: f64 = 2.0;

/// The cheap similarities are computed for at most this many names, those
/// sharing the most grams: a short query can admit a tenth of a gazetteer.
pub const CANDIDATE_PRESELECT: usize = 5000;

/// Names longer than this (normalized characters) are not matched at all:
/// no name is this long, and edit distances grow with the square of length.
pub const MAX_NAME_LENGTH: usize = 200;

/// A name of more characters than this (before normalization, which never
/// shrinks a name tenfold) is no name: a query this long is not looked up,
/// and the similarity functions compare a name on this many at most.
pub const MAX_QUERY_CHARS: usize = 10 * MAX_NAME_LENGTH;

/// A name is scored for a span of running text only if it shares this share
/// of the span's sound-key bigrams (`CANDIDATE_MIN_SHARED` for a name by itself).
pub const TEXT_MIN_SHARED: f64 = 0.5;

/// At most this many names of the index are scored for a span of running
/// text (`CANDIDATE_LIMIT` for a name looked up by itself): the cheap cut
/// puts the few that could clear the text's cutoff first.
pub const TEXT_CANDIDATE_NAMES: usize = 12;

/// And they are chosen among at most this many (`CANDIDATE_PRESELECT` for a
/// name by itself).
pub const TEXT_PRESELECT: usize = 500;

/// And only names at least this alike by the cheap similarities (the sum
/// that `CANDIDATE_GRAMS_WEIGHT` describes, at most 5) are scored: most
/// capitalized words of a text are not names of the gazetteer, and this
/// rejects them before the expensive scores.
pub const TEXT_MIN_ALIKE: f64 = 2.75;

/// Nor names less alike than the most alike by more than this: a span needs
/// its best few. Of the queries of bench/accuracy.py that `resolve` gets
/// right at 0.65 or more (what running text could accept with context), this
/// cut and the four above keep 96.6% on the tune sample (96.1% on dev).
pub const TEXT_ALIKE_WITHIN: f64 = 1.0;

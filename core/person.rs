//! Stage 5b: score a query against a person's name, part against part.
//!
//! People are named in many ways: with or without middle names,
//! patronymics or a second surname, surname first or last, given names as
//! initials, parts joined or hyphenated ("Abdulaziz", "Abd al-Aziz"),
//! titles and particles or not. So a person's name is compared part against
//! part, in any order: each part of the query is paired with the part (or
//! run of joined parts) of the name it is most like, one to one, and
//!
//! - the name's surname must agree (the words marked as the surname by how
//!   the name is written, `names::SURNAME`; else any but its first word):
//!   another surname is another person;
//! - and, when the query has more than a surname, the given name too (the
//!   name's first part that is not its surname), or its initial: "Heydar
//!   Aliyev" is not Ilham Heydar oglu Aliyev, Ilham son of Heydar;
//! - a part of either that has no counterpart (a middle name, a patronymic,
//!   a second surname) lowers the score by a factor, as does a particle or
//!   an initial, by less; two parts that disagree ("Heydar" against
//!   "Ilham") pull the score down to how little they agree;
//! - titles and suffixes ("Colonel", "Jr") are set aside.

use smallvec::SmallVec;

use crate::config;
use crate::name_score::{Evidence, Info, NameScore, Parts};
use crate::names::{PARTICLE, SUFFIX, SURNAME, TITLE};
use crate::packed::{Name, Word};
use crate::similarity::{forms_similarity, word_similarity, Method, Reading, Weights, WordForms};

/// A part of a name: the position of its word, and what it is.
#[derive(Clone, Copy, Debug)]
struct Part {
    at: usize,
    particle: bool,
    initial: bool,
    surname: bool,
}

/// The parts of a name: its words but titles and suffixes (all of them if
/// nothing else is left).
fn parts(name: &Name<'_>) -> SmallVec<[Part; 8]> {
    let part = |at: usize, w: &Word<'_>, particle: bool| Part {
        at,
        particle,
        initial: w.romanized.len() == 1,
        surname: w.role & SURNAME != 0,
    };
    let mut kept: SmallVec<[Part; 8]> = name
        .words
        .iter()
        .enumerate()
        .filter(|(_, w)| w.role & (TITLE | SUFFIX) == 0)
        .map(|(at, w)| part(at, w, w.optional || w.role & PARTICLE != 0))
        .collect();
    if kept.is_empty() {
        kept = name
            .words
            .iter()
            .enumerate()
            .map(|(at, w)| part(at, w, false))
            .collect();
    }
    // The first of two words is a name, not a particle: "Al Gore", "Van Morrison".
    if kept.len() < 3 {
        kept[0].particle = false;
    }
    if kept.iter().all(|p| p.particle) {
        kept.iter_mut().for_each(|p| p.particle = false);
    }
    kept
}

/// A pairing of query parts with name parts: one part with one, or one with
/// a run of joined parts of the other.
#[derive(Clone, Copy, Debug)]
struct Pairing {
    /// Positions in `parts` of the query: `query.0..query.1`.
    query: (usize, usize),
    name: (usize, usize),
    similarity: f64,
    method: Method,
}

fn forms<'a>(w: &Word<'a>) -> WordForms<'a> {
    WordForms {
        normalized: w.normalized,
        romanized: w.romanized,
        units: w.units,
    }
}

/// The romanized form and units of a run of words, joined.
fn joined(words: &[Word<'_>]) -> (String, Vec<u8>) {
    let romanized = words.iter().map(|w| w.romanized).collect();
    let units = words.iter().flat_map(|w| w.units.iter().copied()).collect();
    (romanized, units)
}

/// Every pairing worth considering, best first.
fn pairings(
    (query, qp): (&Name<'_>, &[Part]),
    (name, np): (&Name<'_>, &[Part]),
    weights: &Weights,
    reading: Reading,
) -> Vec<Pairing> {
    let mut found = Vec::new();
    for (i, q) in qp.iter().enumerate() {
        for (j, n) in np.iter().enumerate() {
            let (qw, nw) = (&query.words[q.at], &name.words[n.at]);
            let (similarity, method) = if q.initial || n.initial {
                if qw.romanized.as_bytes().first() != nw.romanized.as_bytes().first() {
                    continue;
                }
                (weights.initial_similarity, Method::Initials)
            } else {
                word_similarity(&forms(qw), &forms(nw), weights, reading, false)
            };
            if (q.particle || n.particle) && similarity < config::OPTIONAL_MATCH_MIN {
                continue; // a particle is left out rather than matched badly
            }
            found.push(Pairing {
                query: (i, i + 1),
                name: (j, j + 1),
                similarity,
                method,
            });
        }
    }
    // A word against a run of words of the other, joined ("Abdulaziz" /
    // "Abd al Aziz", "Binladin" / "bin Ladin").
    let runs = |one: &Name<'_>, op: &[Part], many: &Name<'_>, mp: &[Part], query_one: bool| {
        let mut found = Vec::new();
        for (i, o) in op.iter().enumerate() {
            let word = &one.words[o.at];
            if o.initial || word.romanized.len() < config::PERSON_JOINED_MIN_LETTERS {
                continue;
            }
            for start in 0..mp.len() {
                for end in start + 2..=(start + config::PERSON_JOINED_MAX_PARTS).min(mp.len()) {
                    // Only words that stand next to each other in the name.
                    if mp[end - 1].at - mp[start].at != end - 1 - start {
                        break;
                    }
                    let run: SmallVec<[Word<'_>; 4]> =
                        mp[start..end].iter().map(|p| many.words[p.at]).collect();
                    let (romanized, units) = joined(&run);
                    let (similarity, method) = forms_similarity(
                        word.romanized,
                        word.units,
                        &romanized,
                        &units,
                        weights,
                        reading,
                    );
                    // Two parts or more that say who it is, run together, are
                    // one only if spelled nearly alike ("Abdulaziz", not
                    // "Johnkerry" for John Kirby).
                    let solid = mp[start..end].iter().filter(|p| !p.particle).count();
                    let least = if solid > 1 {
                        config::PERSON_JOINED_MIN_SIMILARITY
                    } else {
                        config::SPLIT_MIN_SIMILARITY
                    };
                    if similarity < least {
                        continue;
                    }
                    let (one_span, many_span) = ((i, i + 1), (start, end));
                    found.push(if query_one {
                        Pairing {
                            query: one_span,
                            name: many_span,
                            similarity,
                            method,
                        }
                    } else {
                        Pairing {
                            query: many_span,
                            name: one_span,
                            similarity,
                            method,
                        }
                    });
                }
            }
        }
        found
    };
    found.extend(runs(query, qp, name, np, true));
    found.extend(runs(name, np, query, qp, false));
    // Parts that say who it is are paired first, particles after them (an
    // "al" is not to break up "Abd al Aziz" matched as "Abdulaziz").
    let solid = |p: &Pairing| {
        qp[p.query.0..p.query.1].iter().any(|x| !x.particle)
            && np[p.name.0..p.name.1].iter().any(|x| !x.particle)
    };
    found.sort_by(|a, b| {
        solid(b)
            .cmp(&solid(a))
            .then(b.similarity.total_cmp(&a.similarity))
            .then(
                (a.query.1 - a.query.0 + a.name.1 - a.name.0)
                    .cmp(&(b.query.1 - b.query.0 + b.name.1 - b.name.0)),
            )
            .then(a.query.cmp(&b.query))
            .then(a.name.cmp(&b.name))
    });
    found
}

/// Score `query` against a person's `name` (see the module's description).
/// None when the name's surname, or a second part of a query of several,
/// has no counterpart.
pub fn score_person(
    query: &Name<'_>,
    name: &Name<'_>,
    (weights, info): (&Weights, Info<'_>),
    reading: Reading,
) -> Option<NameScore> {
    let (qp, np) = (parts(query), parts(name));
    if qp.is_empty() || np.is_empty() {
        return None;
    }
    // One to one, the best pairings first.
    let mut query_taken: SmallVec<[bool; 8]> = SmallVec::from_elem(false, qp.len());
    let mut name_taken: SmallVec<[bool; 8]> = SmallVec::from_elem(false, np.len());
    let mut chosen: SmallVec<[Pairing; 8]> = SmallVec::new();
    for p in pairings((query, &qp), (name, &np), weights, reading) {
        let free = |taken: &[bool], (a, b): (usize, usize)| taken[a..b].iter().all(|t| !t);
        if free(&query_taken, p.query) && free(&name_taken, p.name) {
            query_taken[p.query.0..p.query.1].fill(true);
            name_taken[p.name.0..p.name.1].fill(true);
            chosen.push(p);
        }
    }
    let solid_in =
        |side: &[Part], (a, b): (usize, usize)| side[a..b].iter().any(|part| !part.particle);
    // The pairings of parts that say who it is (not particles alone).
    let telling: SmallVec<[Pairing; 8]> = chosen
        .iter()
        .copied()
        .filter(|p| solid_in(&qp, p.query) && solid_in(&np, p.name))
        .collect();
    if telling.is_empty() || telling.iter().all(|p| p.method == Method::Initials) {
        return None;
    }
    // The name's surname: its marked words; else, for a query of one part,
    // its last part, and for a query of more, any but its first (a second
    // surname may be left out: "Nicolas Maduro" for Nicolas Maduro Moros).
    let query_solid = qp.iter().filter(|p| !p.particle).count();
    let marked = np.iter().any(|p| p.surname && !p.particle);
    let solid: SmallVec<[usize; 8]> = (0..np.len()).filter(|&j| !np[j].particle).collect();
    let (first, last) = (solid[0], solid[solid.len() - 1]);
    let is_surname = |j: usize| {
        if marked {
            np[j].surname
        } else if query_solid == 1 {
            j == last
        } else {
            solid.len() < 2 || j != first
        }
    };
    let on_surname = |p: &Pairing| {
        p.method != Method::Initials
            && (p.name.0..p.name.1).any(|j| !np[j].particle && is_surname(j))
    };
    let mut factor = 1.0;
    // The surname must have a counterpart (given names alone name no one in
    // particular) that agrees: another surname is another person ("John
    // Kerry" is not John Kirby), though a spelling far off still ranks.
    let surname = telling
        .iter()
        .filter(|p| on_surname(p))
        .map(|p| p.similarity)
        .fold(None, |best: Option<f64>, s| {
            Some(best.map_or(s, |b| b.max(s)))
        });
    match surname {
        None => factor *= config::SURNAME_MISSING_FACTOR,
        Some(s) if s < weights.surname_cutoff => factor *= config::SURNAME_DISAGREES_FACTOR,
        Some(_) => {}
    }
    // A query of more than a surname names the given name too (the first
    // part that is not the surname), or its initial: "Heydar Aliyev" is
    // not "Ilham Heydar oglu Aliyev", Ilham son of Heydar.
    let given = solid.iter().copied().find(|&j| !(marked && np[j].surname));
    let only_surname = telling.len() == 1 && telling[0].name.1 - telling[0].name.0 == 1;
    let given_missing = query_solid > 1 && solid.len() > 1 && given.is_some_and(|j| !name_taken[j]);
    // What has no counterpart lowers the score.
    let mut parts = Parts::default();
    for (taken, side, own) in [
        (&query_taken, &qp, config::EXTRA_PART_FACTOR),
        (&name_taken, &np, config::MISSING_PART_FACTOR),
    ] {
        for (at, (part, &t)) in side.iter().zip(taken.iter()).enumerate() {
            if t {
                continue;
            }
            factor *= if part.particle {
                config::PARTICLE_PART_FACTOR
            } else if part.initial {
                config::INITIAL_PART_FACTOR
            } else {
                let word = if std::ptr::eq(side, &np) {
                    &name.words[part.at]
                } else {
                    &query.words[part.at]
                };
                parts.left_out = parts.left_out.saturating_add(1);
                parts.info_left_out += info(word.romanized);
                if given_missing && std::ptr::eq(side, &np) && Some(at) == given {
                    config::GIVEN_MISSING_FACTOR
                } else {
                    own
                }
            };
        }
    }
    // Words in another order, unless the way the query is written says so
    // ("VAZIRI, Hossein"): surnames last on both sides, then by position.
    let mut order: SmallVec<[(bool, usize, bool, usize); 8]> = telling
        .iter()
        .map(|p| {
            (
                qp[p.query.0].surname,
                p.query.0,
                np[p.name.0].surname,
                p.name.0,
            )
        })
        .collect();
    order.sort_unstable();
    if order
        .windows(2)
        .any(|w| (w[0].2, w[0].3) > (w[1].2, w[1].3))
    {
        factor *= weights.reorder_factor;
    }
    let weakest = telling
        .iter()
        .min_by(|a, b| {
            a.similarity
                .total_cmp(&b.similarity)
                .then(a.method.name().cmp(b.method.name()))
                .then(a.name.cmp(&b.name))
        })
        .expect("telling pairings are not empty");
    // How alike the parts are: between the weakest pair and the mean of
    // all, each weighed by the letters of its name's part (a long name
    // part says more than a short one).
    let letters = |p: &Pairing| -> f64 {
        (p.name.0..p.name.1)
            .map(|j| name.words[np[j].at].romanized.len() as f64)
            .sum::<f64>()
            .max(1.0)
    };
    let total: f64 = telling.iter().map(letters).sum();
    let mean = telling
        .iter()
        .map(|p| p.similarity * letters(p))
        .sum::<f64>()
        / total;
    let alike = config::PERSON_WEAKEST_WEIGHT * weakest.similarity
        + (1.0 - config::PERSON_WEAKEST_WEIGHT) * mean;
    let mut method = weakest.method;
    if telling.iter().any(|p| p.method == Method::Initials) {
        method = Method::Initials;
    }
    if only_surname && solid.len() > 1 && query_solid == 1 {
        factor *= weights.partial_name_factor;
        method = Method::Surname;
    } else if parts.left_out > 0 {
        method = Method::Partial;
    }
    parts.info = telling
        .iter()
        .filter(|p| p.method != Method::Initials)
        .flat_map(|p| np[p.name.0..p.name.1].iter())
        .filter(|part| !part.particle && !part.initial)
        .map(|part| info(name.words[part.at].romanized))
        .sum();
    let mut evidence = SmallVec::new();
    for p in &chosen {
        evidence.push(Evidence::Pair {
            query: qp[p.query.0].at as u8,
            name: np[p.name.0].at as u8,
            similarity: p.similarity,
        });
    }
    Some(NameScore {
        score: alike * factor,
        method,
        evidence,
        fuzzy: chosen
            .iter()
            .any(|p| matches!(p.method, Method::Phonetic | Method::Fuzzy)),
        parts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::name_keys;
    use crate::packed::Packed;

    fn score(query: &str, name: &str) -> Option<(f64, &'static str)> {
        let (q, n) = (Packed::of(&name_keys(query)), Packed::of(&name_keys(name)));
        let (q, n) = (q.name(), n.name());
        let reading = Reading {
            a_abjad: q.abjad,
            b_abjad: n.abjad,
            a_syllabic: q.syllabic,
        };
        score_person(&q, &n, (&Weights::default(), &|_: &str| 1.0), reading)
            .map(|s| ((s.score * 1000.0).round() / 1000.0, s.method.name()))
    }

    #[test]
    fn more_or_fewer_parts_lower_the_score_not_to_zero() {
        let (s, m) = score("Aleksandr Gelyevich DUGIN", "Aleksandr DUGIN").unwrap();
        assert!(s >= 0.85 && m == "partial", "{s} {m}");
        let (s, m) = score("Nicolas MADURO", "Nicolas MADURO MOROS").unwrap();
        assert!(s >= 0.85 && m == "partial", "{s} {m}");
        let (s, _) = score("Saddam Hussein", "Saddam HUSSEIN AL-TIKRITI").unwrap();
        assert!(s >= 0.85, "{s}");
    }

    #[test]
    fn another_surname_or_given_name_is_another_person() {
        // Each ranks, far below a match, and under what resolves a name
        // by itself (`config::MIN_SIMILARITY`).
        for (query, name) in [
            ("Hossein Nosratollah", "Hossein Nosratollah VAZIRI"),
            ("Heydar Aliyev", "Ilham Aliyev"),
            ("Ilham Pashinyan", "Ilham Aliyev"),
            ("Heydar Aliyev", "Ilham Heydar oglu Aliyev"),
            ("Ilham", "Ilham Aliyev"),
        ] {
            let (s, _) = score(query, name).unwrap();
            assert!(s < config::MIN_SIMILARITY, "{query} / {name}: {s}");
        }
    }

    #[test]
    fn order_initials_and_joined_parts() {
        assert_eq!(
            score("VAZIRI, Hossein Nosratollah", "Hossein Nosratollah VAZIRI"),
            Some((1.0, "normalized"))
        );
        assert_eq!(
            score("Pashinyan Nikol", "Nikol Pashinyan"),
            Some((0.98, "normalized"))
        );
        let (s, m) = score("N. Pashinyan", "Nikol Pashinyan").unwrap();
        assert!(s >= 0.85 && m == "initials", "{s} {m}");
        let (s, _) = score("Abdulaziz al-Saud", "Abd al Aziz al Saud").unwrap();
        assert!(s >= 0.85, "{s}");
        assert_eq!(
            score("Aliyev", "Ilham Aliyev").map(|s| s.1),
            Some("surname")
        );
    }
}

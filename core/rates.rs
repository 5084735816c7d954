//! False-match rates: what a background of names a gazetteer lacks scored
//! against it (`false_match` measures it), as curves of best scores, and
//! the rate of a score read off them. A compiled image carries them as
//! words (`FalseMatches::words`), read back and checked by `from_words`.

use crate::score::Kind;

/// What one part of the background scored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Curve {
    /// The best score of each name that scored above 0, highest first.
    scores: Vec<f64>,
    /// How many names were resolved (those the gazetteer lacks).
    names: usize,
}

impl Curve {
    /// From the best scores of `names` names (any order; only those above
    /// 0 need be given).
    pub fn new(mut scores: Vec<f64>, names: usize) -> Curve {
        scores.retain(|s| *s > 0.0);
        scores.sort_by(|a, b| b.total_cmp(a));
        Curve { scores, names }
    }

    /// The share of the names that score `score` or more (0 when none was
    /// measured).
    ///
    /// ```
    /// use namenorm_core::rates::Curve;
    /// let c = Curve::new(vec![0.9, 0.5, 0.7], 10);
    /// assert_eq!((c.rate(0.7), c.rate(0.71), c.rate(0.95)), (0.2, 0.1, 0.0));
    /// ```
    pub fn rate(&self, score: f64) -> f64 {
        if self.names == 0 {
            return 0.0;
        }
        self.scores.partition_point(|&s| s >= score) as f64 / self.names as f64
    }

    /// The lowest score whose rate is at most `rate`.
    pub fn score_at(&self, rate: f64) -> f64 {
        let allowed = (rate * self.names as f64 + 1e-9).floor() as usize;
        match self.scores.get(allowed) {
            // Above the first score not allowed (and any tied with it).
            Some(&s) => f64::from_bits(s.to_bits() + 1).min(1.0),
            None => 0.0,
        }
    }

    /// The best scores, highest first.
    pub fn scores(&self) -> &[f64] {
        &self.scores
    }

    /// How many names were measured.
    pub fn names(&self) -> usize {
        self.names
    }
}

/// Where a background name comes from: the shipped background's places or
/// people, or the gazetteer's own people or organisations, each asked
/// without its entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Places = 0,
    People = 1,
    OwnPeople = 2,
    OwnOrgs = 3,
}

pub const SOURCES: [Source; 4] = [
    Source::Places,
    Source::People,
    Source::OwnPeople,
    Source::OwnOrgs,
];

/// What a gazetteer's background scored: a curve for each part, places,
/// people, its own people and its own organisations, each in Latin letters
/// and in other scripts (`FalseMatches::part`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FalseMatches {
    pub curves: [Curve; 8],
}

impl FalseMatches {
    /// Which curve holds a name of this source, in other scripts than
    /// Latin or not.
    pub fn part(source: Source, other_script: bool) -> usize {
        2 * source as usize + usize::from(other_script)
    }

    /// The sources that bear on a match of an entity of `kind` (any, if
    /// None): the shipped background, and the gazetteer's own names of that
    /// kind (a list's people are falsely matched as its people are, not as
    /// its companies).
    fn sources(kind: Option<Kind>) -> impl Iterator<Item = Source> {
        SOURCES.into_iter().filter(move |&source| match source {
            Source::Places | Source::People => true,
            Source::OwnPeople => matches!(kind, None | Some(Kind::Person | Kind::Other)),
            Source::OwnOrgs => matches!(kind, None | Some(Kind::Org | Kind::Other)),
        })
    }

    /// The false-match rate of `score` for a query of that script, matched
    /// to an entity of `kind` (any, if None): the highest of its sources'
    /// rates.
    pub fn rate(&self, score: f64, other_script: bool, kind: Option<Kind>) -> f64 {
        Self::sources(kind)
            .map(|source| self.curves[Self::part(source, other_script)].rate(score))
            .fold(0.0, f64::max)
    }

    /// The lowest score whose rate (`rate`) is at most `rate`.
    pub fn score_at(&self, rate: f64, other_script: bool, kind: Option<Kind>) -> f64 {
        Self::sources(kind)
            .map(|source| self.curves[Self::part(source, other_script)].score_at(rate))
            .fold(0.0, f64::max)
    }
}

impl FalseMatches {
    /// As an image carries them, after the `fingerprint` of the settings
    /// they were measured with: for each curve, the names measured, the
    /// count of scores, then the scores (their bits).
    pub fn words(&self, fingerprint: u64) -> Vec<u64> {
        let mut words = vec![fingerprint];
        for curve in &self.curves {
            words.extend([curve.names() as u64, curve.scores().len() as u64]);
            words.extend(curve.scores().iter().map(|s| s.to_bits()));
        }
        words
    }

    /// Read back from `words`: the fingerprint and the curves; None if
    /// there are no words (nothing measured); an error if they are
    /// truncated, out of order or out of range.
    pub fn from_words(words: &[u64]) -> Result<Option<(u64, FalseMatches)>, &'static str> {
        let Some((&fingerprint, mut rest)) = words.split_first() else {
            return Ok(None);
        };
        let bad = "a false-match measurement truncated, out of order or out of range";
        let mut measured = FalseMatches::default();
        for curve in &mut measured.curves {
            let [names, count, tail @ ..] = rest else {
                return Err(bad);
            };
            let count = usize::try_from(*count).map_err(|_| bad)?;
            if count as u64 > *names || tail.len() < count {
                return Err(bad);
            }
            let scores: Vec<f64> = tail[..count].iter().map(|&b| f64::from_bits(b)).collect();
            if !scores.windows(2).all(|w| w[0] >= w[1])
                || !scores.iter().all(|s| *s > 0.0 && *s <= 1.0)
            {
                return Err(bad);
            }
            *curve = Curve::new(scores, *names as usize);
            rest = &tail[count..];
        }
        if !rest.is_empty() {
            return Err(bad);
        }
        Ok(Some((fingerprint, measured)))
    }
}

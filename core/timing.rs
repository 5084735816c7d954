//! Where a query's time goes, stage by stage, when it is asked for
//! (`measured`): the benchmarks' breakdown of one query. Off, a stage costs
//! one look at a flag.

use std::cell::Cell;
use std::time::Instant;

/// Seconds spent in each stage of one query (its readings' included).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timings {
    /// Normalizing, transliterating and keying the query.
    pub keying: f64,
    /// Reading it otherwise, and keying the readings.
    pub readings: f64,
    /// Admitting the names that share its grams (the candidate index).
    pub admission: f64,
    /// The cheap cut of those names to the few scored.
    pub cut: f64,
    /// Scoring them.
    pub scoring: f64,
    /// Ranking the entities and deciding.
    pub ranking: f64,
    /// Saying the candidates' evidence in words.
    pub evidence: f64,
}

/// The names of the stages, in the order of `Timings`' fields.
pub const STAGES: [&str; 7] = [
    "keying",
    "readings",
    "admission",
    "cut",
    "scoring",
    "ranking",
    "evidence",
];

impl Timings {
    /// The seconds of each stage, in the order of `STAGES`.
    pub fn seconds(&self) -> [f64; 7] {
        [
            self.keying,
            self.readings,
            self.admission,
            self.cut,
            self.scoring,
            self.ranking,
            self.evidence,
        ]
    }
}

thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
    static SPENT: Cell<Timings> = Cell::new(Timings::default());
}

/// Run `f`, and say how long each stage it went through took.
pub fn measured<T>(f: impl FnOnce() -> T) -> (T, Timings) {
    SPENT.with(|s| s.set(Timings::default()));
    ON.with(|on| on.set(true));
    let found = f();
    ON.with(|on| on.set(false));
    (found, SPENT.with(Cell::get))
}

/// Run `f` as part of the stage that `field` picks, counting its time there
/// if `measured` asked for it.
pub fn stage<T>(field: fn(&mut Timings) -> &mut f64, f: impl FnOnce() -> T) -> T {
    if !ON.with(Cell::get) {
        return f();
    }
    let start = Instant::now();
    let found = f();
    let spent = start.elapsed().as_secs_f64();
    SPENT.with(|s| {
        let mut t = s.get();
        *field(&mut t) += spent;
        s.set(t);
    });
    found
}

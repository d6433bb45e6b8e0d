//! NTA (2012), *The impact of drug treatment on reconviction*: convictions in the
//! 2 years before vs the 2 years after a treatment start in 2006-07, by outcome.
//!
//! Cohort: people in a drug group (opiates/crack or other drugs: NDTMS covered drug
//! treatment only in 2006-07) whose first treatment start within 2006-04-01 ..=
//! 2007-03-31 follows at least one counted conviction in the 730 days before it.
//!
//! Counted convictions: the study was limited to trigger offences. Convictions do
//! not carry a trigger flag, so a conviction counts when its offence day (conviction
//! day minus the recorded lag) is the day of one of the person's trigger arrests.
//! They are dated by conviction day, as on the Police National Computer: before =
//! `[start - 730, start)`, after = `[start, start + 730)`.
//!
//! Groups, by the starting episode (the first `TreatmentEnd` after the start):
//! - retained: no end before `start + 730`;
//! - completed 6m+: completed before `start + 730`, at least 183 days after the start;
//! - dropout: dropped out before `start + 730`;
//! - completed, no return: completed before `start + 730` and no new start before it.
//!
//! Reduction = `1 - sum(after) / sum(before)` over the group, in percent: the
//! aggregate change, as "average reduction in convictions" reads for a cohort.

use super::{observed_until, push, reduction, Study, Value, Window, SIX_MONTHS, TWO_YEARS};
use crate::history::Observer;
use crate::history::{EventKind, Histories, TreatmentExit};

/// Group indices.
pub const ALL: usize = 0;
pub const RETAINED: usize = 1;
pub const COMPLETED_6M: usize = 2;
pub const DROPOUT: usize = 3;
pub const COMPLETED_NO_RETURN: usize = 4;
pub const N_GROUPS: usize = 5;

#[derive(Clone, Debug)]
pub struct Nta {
    /// Start window: 2006-04-01 ..= 2007-03-31.
    pub window: Window,
    /// People in each group.
    pub people: [u64; N_GROUPS],
    /// Counted convictions before and after the start, by group.
    pub before: [u64; N_GROUPS],
    pub after: [u64; N_GROUPS],
    /// Every drug user with a first start in the window and at least one
    /// conviction of any kind in the 730 days before it, followed for two years
    /// or not, person by person: what the causal comparison joins across its
    /// paired runs.
    pub members: Vec<Member>,
    /// Trigger-arrest days of the person being read (reused buffer).
    scratch: Vec<i32>,
}

/// One person of the cohort, read from their history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    /// The person's id (the key of their random streams).
    pub id: u64,
    /// Day of the index start.
    pub start: i32,
    /// The outcome groups of the starting episode: bit `g` for group index `g`.
    pub groups: u8,
    /// Trigger convictions before and after the start (the study's definition).
    pub before: u32,
    pub after: u32,
    /// Convictions of any offence before and after (the wider definition).
    pub before_any: u32,
    pub after_any: u32,
    /// Observed for the whole 730 days after the start (the study's condition;
    /// the paired run may differ here, as it may after the start in anything).
    pub followed: bool,
}

impl Member {
    pub fn in_group(&self, g: usize) -> bool {
        self.groups & (1 << g) != 0
    }
}

impl Default for Nta {
    fn default() -> Self {
        Nta {
            window: Window::financial_year(2006),
            people: [0; N_GROUPS],
            before: [0; N_GROUPS],
            after: [0; N_GROUPS],
            members: Vec::new(),
            scratch: Vec::new(),
        }
    }
}

impl Observer for Nta {
    fn observe(&mut self, h: &Histories) {
        for (p, events) in h.iter() {
            if !p.substance.uses_drugs() {
                continue;
            }
            let Some(i) = events
                .iter()
                .position(|e| e.kind == EventKind::TreatmentStart && self.window.contains(e.day))
            else {
                continue;
            };
            let s = events[i].day;
            let followed = observed_until(p, events) >= s + TWO_YEARS - 1;
            self.scratch.clear();
            self.scratch.extend(
                events
                    .iter()
                    .filter(|e| e.kind == EventKind::Arrest && e.detail == 1)
                    .map(|e| e.day),
            );
            let (mut before, mut after) = (0u64, 0u64);
            let (mut before_any, mut after_any) = (0u32, 0u32);
            for e in events {
                if e.kind != EventKind::Conviction
                    || e.day < s - TWO_YEARS
                    || e.day >= s + TWO_YEARS
                {
                    continue;
                }
                let trigger = self
                    .scratch
                    .binary_search(&(e.day - e.extra as i32))
                    .is_ok();
                match (e.day < s, trigger) {
                    (true, true) => {
                        before += 1;
                        before_any += 1;
                    }
                    (true, false) => before_any += 1,
                    (false, true) => {
                        after += 1;
                        after_any += 1;
                    }
                    (false, false) => after_any += 1,
                }
            }
            if before_any == 0 {
                continue;
            }
            let end = events[i + 1..]
                .iter()
                .enumerate()
                .find(|(_, e)| e.kind == EventKind::TreatmentEnd)
                .map(|(k, e)| (i + 1 + k, e.day, TreatmentExit::from_u16(e.extra)))
                .filter(|&(_, d, _)| d < s + TWO_YEARS);
            let mut groups = vec![ALL];
            match end {
                None => groups.push(RETAINED),
                Some((j, d, TreatmentExit::Completed)) => {
                    if d - s >= SIX_MONTHS {
                        groups.push(COMPLETED_6M);
                    }
                    let returned = events[j + 1..]
                        .iter()
                        .any(|e| e.kind == EventKind::TreatmentStart && e.day < s + TWO_YEARS);
                    if !returned {
                        groups.push(COMPLETED_NO_RETURN);
                    }
                }
                Some((_, _, TreatmentExit::Dropout)) => groups.push(DROPOUT),
                Some(_) => {}
            }
            self.members.push(Member {
                id: p.id,
                start: s,
                groups: groups.iter().fold(0, |b, &g| b | (1 << g)),
                before: before as u32,
                after: after as u32,
                before_any,
                after_any,
                followed,
            });
            if before == 0 || !followed {
                continue;
            }
            for g in groups {
                self.people[g] += 1;
                self.before[g] += before;
                self.after[g] += after;
            }
        }
    }

    fn merge(&mut self, mut other: Self) {
        for g in 0..N_GROUPS {
            self.people[g] += other.people[g];
            self.before[g] += other.before[g];
            self.after[g] += other.after[g];
        }
        self.members.append(&mut other.members);
    }
}

impl Nta {
    fn reduction(&self, g: usize) -> Option<f64> {
        reduction(self.before[g], self.after[g])
    }
}

impl Study for Nta {
    const NAME: &'static str = "nta";
    const TARGETS: &'static [&'static str] = &[
        "nta_retained_2y_n",
        "nta_retained_2y_reduction",
        "nta_completed_6m_reduction",
        "nta_dropout_reduction",
        "nta_completed_no_return_reduction",
        "nta_retained_vs_dropout_ratio",
    ];

    fn values(&self, scale: f64) -> Vec<Value> {
        let mut out = Vec::new();
        let retained = self.reduction(RETAINED);
        let dropout = self.reduction(DROPOUT);
        if self.people[ALL] > 0 {
            out.push(("nta_retained_2y_n", self.people[RETAINED] as f64 * scale));
        }
        push(&mut out, "nta_retained_2y_reduction", retained);
        push(
            &mut out,
            "nta_completed_6m_reduction",
            self.reduction(COMPLETED_6M),
        );
        push(&mut out, "nta_dropout_reduction", dropout);
        push(
            &mut out,
            "nta_completed_no_return_reduction",
            self.reduction(COMPLETED_NO_RETURN),
        );
        let ratio = retained
            .zip(dropout)
            .and_then(|(r, d)| (d != 0.0).then(|| r / d));
        push(&mut out, "nta_retained_vs_dropout_ratio", ratio);
        // diagnostics
        out.push(("nta_cohort_n", self.people[ALL] as f64 * scale));
        push(&mut out, "nta_all_reduction", self.reduction(ALL));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Event, Histories, Route, Substance};
    use crate::studies::testkit::*;

    /// A person starting treatment on `s` with one trigger conviction a year before
    /// (offence 30 days earlier), plus `extra` events.
    fn starter(s: i32, extra: Vec<Event>) -> Vec<Event> {
        let mut ev = vec![
            arrest(s - 395, true),
            conviction(s - 365, 30),
            start(s, Route::Voluntary),
        ];
        ev.extend(extra);
        sorted(ev)
    }

    fn observe(people: Vec<(Substance, Vec<Event>)>) -> Nta {
        let mut h = Histories::default();
        for (s, ev) in people {
            h.push(person(s), &ev);
        }
        let mut n = Nta::default();
        n.observe(&h);
        n
    }

    fn value(n: &Nta, id: &str) -> Option<f64> {
        n.values(10.0).into_iter().find(|v| v.0 == id).map(|v| v.1)
    }

    #[test]
    fn start_window_edges() {
        let n = observe(vec![
            (Substance::OpiatesCrack, starter(day(2006, 3, 31), vec![])),
            (Substance::OpiatesCrack, starter(day(2006, 4, 1), vec![])),
            (Substance::OpiatesCrack, starter(day(2007, 3, 31), vec![])),
            (Substance::OpiatesCrack, starter(day(2007, 4, 1), vec![])),
        ]);
        assert_eq!(n.people[ALL], 2);
        assert_eq!(n.people[RETAINED], 2);
        assert_eq!(value(&n, "nta_retained_2y_n"), Some(20.0));
    }

    #[test]
    fn cohort_needs_a_prior_trigger_conviction_in_two_years() {
        let s = day(2006, 6, 1);
        let no_conviction = vec![start(s, Route::Voluntary)];
        // conviction 731 days before: outside the window
        let too_old = sorted(vec![
            arrest(s - 760, true),
            conviction(s - 731, 29),
            start(s, Route::Voluntary),
        ]);
        // conviction for a non-trigger arrest
        let non_trigger = sorted(vec![
            arrest(s - 100, false),
            conviction(s - 50, 50),
            start(s, Route::Voluntary),
        ]);
        // exactly 730 days before: inside
        let edge = sorted(vec![
            arrest(s - 760, true),
            conviction(s - 730, 30),
            start(s, Route::Voluntary),
        ]);
        let alcohol = starter(s, vec![]);
        let n = observe(vec![
            (Substance::OpiatesCrack, no_conviction),
            (Substance::OpiatesCrack, too_old),
            (Substance::OpiatesCrack, non_trigger),
            (Substance::OtherDrugs, edge),
            (Substance::Alcohol, alcohol),
        ]);
        assert_eq!(n.people[ALL], 1);
        assert_eq!(n.before[ALL], 1);
    }

    #[test]
    fn groups_and_reductions() {
        let s = day(2006, 6, 1);
        // retained, 4 before and 2 after (one after conviction is for a pre-start
        // trigger offence: it still counts, by conviction day)
        let mut ev = vec![start(s, Route::Dip)];
        for k in 1..=4 {
            ev.push(arrest(s - 100 * k, true));
            ev.push(conviction(s - 100 * k + 20, 20));
        }
        ev.push(arrest(s - 10, true));
        ev.push(conviction(s + 40, 50));
        ev.push(arrest(s + 300, true));
        ev.push(conviction(s + 729, 429));
        ev.push(arrest(s + 700, true));
        ev.push(conviction(s + 730, 30)); // day 730: outside
        let retained = sorted(ev);
        // dropout after 50 days, 2 before and 2 after
        let dropout = starter(
            s,
            vec![
                arrest(s - 200, true),
                conviction(s - 150, 50),
                end(s + 50, Route::Voluntary, TreatmentExit::Dropout),
                arrest(s + 60, true),
                conviction(s + 90, 30),
                arrest(s + 100, true),
                conviction(s + 130, 30),
            ],
        );
        // completed after 200 days, no return: 1 before, 0 after
        let completed = starter(
            s,
            vec![end(s + 200, Route::Voluntary, TreatmentExit::Completed)],
        );
        // completed after 100 days, then returned: not 6m+, not no-return
        let returned = starter(
            s,
            vec![
                end(s + 100, Route::Voluntary, TreatmentExit::Completed),
                start(s + 400, Route::Voluntary),
            ],
        );
        let n = observe(vec![
            (Substance::OpiatesCrack, retained),
            (Substance::OpiatesCrack, dropout),
            (Substance::OpiatesCrack, completed),
            (Substance::OpiatesCrack, returned),
        ]);
        assert_eq!(n.people, [4, 1, 1, 1, 1]);
        assert_eq!((n.before[RETAINED], n.after[RETAINED]), (4, 2));
        assert_eq!((n.before[DROPOUT], n.after[DROPOUT]), (2, 2));
        assert_eq!(value(&n, "nta_retained_2y_reduction"), Some(50.0));
        assert_eq!(value(&n, "nta_dropout_reduction"), Some(0.0));
        assert_eq!(value(&n, "nta_completed_6m_reduction"), Some(100.0));
        assert_eq!(value(&n, "nta_completed_no_return_reduction"), Some(100.0));
        // dropout reduction is 0: no ratio
        assert_eq!(value(&n, "nta_retained_vs_dropout_ratio"), None);
    }

    #[test]
    fn horizon_inside_follow_up_excludes() {
        let s = day(2006, 6, 1);
        let mut h = Histories::default();
        let mut p = person(Substance::OpiatesCrack);
        p.exit_day = s + 700;
        h.push(p, &starter(s, vec![]));
        let mut n = Nta::default();
        n.observe(&h);
        assert_eq!(n.people[ALL], 0);
    }
}

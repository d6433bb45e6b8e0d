//! Best et al. (2010), police/treatment partnership for high-rate offenders (HCCU):
//! arrests in the 12 months before vs after engagement, for people with at least 3
//! positive custody tests in the previous year.
//!
//! The intensive HCCU arm is a policy the model does not have yet, so the virtual
//! study follows treatment as usual and checks the direction the paper reports
//! within it: greater retention, larger reduction.
//!
//! Cohort: a person's first treatment start (any route: the paper's comparison
//! group was everyone engaged by the community DIP team) within 2006-04-01 ..=
//! 2008-03-31 (the paper's fieldwork years; its window is not in the abstract),
//! with at least 3 positive tests on days in `[start - 365, start)`. Arrests are
//! counted in `[start - 365, start)` vs `[start, start + 365)`. Retained: the
//! starting episode has no end before `start + 365`.

use super::{observed_until, push, reduction, Study, Value, Window, ONE_YEAR};
use crate::calendar::Date;
use crate::engine::Observer;
use crate::history::{EventKind, Histories};

/// Positive tests in the previous year that qualify (the paper's entry criterion).
pub const MIN_POSITIVE_TESTS: usize = 3;

const RETAINED: usize = 0;
const NOT_RETAINED: usize = 1;

#[derive(Clone, Debug)]
pub struct Best {
    pub window: Window,
    /// People, arrests before and arrests after, by [retained, not retained].
    pub people: [u64; 2],
    pub before: [u64; 2],
    pub after: [u64; 2],
}

impl Default for Best {
    fn default() -> Self {
        Best {
            window: Window::new(Date::ymd(2006, 4, 1), Date::ymd(2008, 3, 31)),
            people: [0; 2],
            before: [0; 2],
            after: [0; 2],
        }
    }
}

impl Observer for Best {
    fn observe(&mut self, h: &Histories) {
        for (p, events) in h.iter() {
            let Some(i) = events
                .iter()
                .position(|e| e.kind == EventKind::TreatmentStart && self.window.contains(e.day))
            else {
                continue;
            };
            let s = events[i].day;
            let in_prior_year = |d: i32| s - ONE_YEAR <= d && d < s;
            let positives = events
                .iter()
                .filter(|e| e.kind == EventKind::Test && e.detail == 1 && in_prior_year(e.day))
                .count();
            if positives < MIN_POSITIVE_TESTS || observed_until(p, events) < s + ONE_YEAR - 1 {
                continue;
            }
            let (mut before, mut after) = (0, 0);
            for e in events.iter().filter(|e| e.kind == EventKind::Arrest) {
                if in_prior_year(e.day) {
                    before += 1;
                } else if s <= e.day && e.day < s + ONE_YEAR {
                    after += 1;
                }
            }
            let retained = events[i + 1..]
                .iter()
                .find(|e| e.kind == EventKind::TreatmentEnd)
                .is_none_or(|e| e.day >= s + ONE_YEAR);
            let g = if retained { RETAINED } else { NOT_RETAINED };
            self.people[g] += 1;
            self.before[g] += before;
            self.after[g] += after;
        }
    }

    fn merge(&mut self, o: Self) {
        for g in 0..2 {
            self.people[g] += o.people[g];
            self.before[g] += o.before[g];
            self.after[g] += o.after[g];
        }
    }
}

impl Study for Best {
    const NAME: &'static str = "best";
    const TARGETS: &'static [&'static str] = &["best_hccu_effect"];

    fn values(&self, scale: f64) -> Vec<Value> {
        let mut out = Vec::new();
        let r = reduction(self.before[RETAINED], self.after[RETAINED]);
        let n = reduction(self.before[NOT_RETAINED], self.after[NOT_RETAINED]);
        push(&mut out, "best_hccu_effect", r.zip(n).map(|(r, n)| r - n));
        // diagnostics: treatment-as-usual change (negative = fewer arrests after)
        let change = |b: u64, a: u64| reduction(b, a).map(|x| -x);
        push(
            &mut out,
            "best_tau_arrest_change",
            change(self.before.iter().sum(), self.after.iter().sum()),
        );
        push(&mut out, "best_retained_arrest_change", r.map(|x| -x));
        push(&mut out, "best_not_retained_arrest_change", n.map(|x| -x));
        out.push((
            "best_cohort_n",
            (self.people[0] + self.people[1]) as f64 * scale,
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Event, Route, Substance, TreatmentExit};
    use crate::studies::testkit::*;

    fn observe(people: Vec<Vec<Event>>) -> Best {
        let mut h = Histories::default();
        for ev in people {
            h.push(person(Substance::OpiatesCrack), &sorted(ev));
        }
        let mut b = Best::default();
        b.observe(&h);
        b
    }

    /// Three positive tests (and arrests) in the year before `s`, then a start.
    fn high_rate(s: i32, extra: Vec<Event>) -> Vec<Event> {
        let mut ev = Vec::new();
        for d in [s - 365, s - 200, s - 1] {
            ev.push(arrest(d, true));
            ev.push(test(d, true));
        }
        ev.push(start(s, Route::Dip));
        ev.extend(extra);
        ev
    }

    #[test]
    fn window_edges_and_entry_criterion() {
        let s = day(2007, 1, 1);
        let mut two_positives = high_rate(s, vec![]);
        two_positives.retain(|e| !(e.kind == EventKind::Test && e.day == s - 365));
        let mut one_too_old = high_rate(s, vec![]);
        for e in one_too_old.iter_mut().filter(|e| e.day == s - 365) {
            e.day = s - 366;
        }
        let b = observe(vec![
            high_rate(day(2006, 3, 31), vec![]),
            high_rate(day(2006, 4, 1), vec![]),
            high_rate(day(2008, 3, 31), vec![]),
            high_rate(day(2008, 4, 1), vec![]),
            two_positives,
            one_too_old,
        ]);
        assert_eq!(b.people, [2, 0]);
        assert_eq!(b.before, [6, 0]);
    }

    #[test]
    fn retention_direction() {
        let s = day(2007, 1, 1);
        // retained a full year, one arrest after: reduction 2/3
        let retained = high_rate(
            s,
            vec![
                arrest(s + 100, true),
                end(s + 365, Route::Dip, TreatmentExit::Completed),
            ],
        );
        // dropped out, three arrests after (the one on s + 365 is outside): no change
        let dropped = high_rate(
            s,
            vec![
                end(s + 30, Route::Dip, TreatmentExit::Dropout),
                arrest(s, false),
                arrest(s + 40, false),
                arrest(s + 364, false),
                arrest(s + 365, false),
            ],
        );
        let b = observe(vec![retained, dropped]);
        assert_eq!(b.people, [1, 1]);
        assert_eq!((b.before, b.after), ([3, 3], [1, 3]));
        let v = b.values(1.0);
        let get = |id: &str| v.iter().find(|x| x.0 == id).unwrap().1;
        assert!((get("best_hccu_effect") - 200.0 / 3.0).abs() < 1e-9);
        assert!((get("best_tau_arrest_change") + 100.0 / 3.0).abs() < 1e-9);
    }
}

//! Best et al. (2010), police/treatment partnership for high-rate offenders (HCCU):
//! arrests in the 12 months before vs after engagement, for people with at least 3
//! positive custody tests in the previous year.
//!
//! Two arms, as in the paper: the intensive arm (the scenario lever
//! `interventions.intensive_partnership`) and treatment as usual. A cohort member
//! is in the intensive arm when an [`EventKind::Intervention`] of
//! [`Scheme::IntensivePartnership`] falls in the [`INTENSIVE_LEAD_DAYS`] days up to
//! their cohort-defining start (`[start - 120, start]`, recorded before it: the
//! engagement that referred them); everyone else is treatment as usual. Within
//! treatment as usual the study checks the direction the paper reports: greater
//! retention, larger reduction. The partnership is off in the baseline (and dated
//! 2026 when switched on), so the intensive arm is empty unless a scenario runs it
//! in the fieldwork years; an empty arm reports no values at all (absent, not 0).
//! Its diagnostics: `best_intensive_cohort_n` (x scale), `best_intensive_arrest_change`
//! (negative = fewer arrests after), `best_intensive_vs_tau_reduction` (intensive
//! minus treatment-as-usual reduction, points), `best_intensive_retained_share`
//! beside `best_tau_retained_share`. Treatment-as-usual values leave the intensive
//! arm out.
//!
//! Cohort: a person's first treatment start (any route: the paper's comparison
//! group was everyone engaged by the community DIP team) within 2006-04-01 ..=
//! 2008-03-31 (the paper's fieldwork years; its window is not in the abstract),
//! with at least 3 positive tests on days in `[start - 365, start)`. Arrests are
//! counted in `[start - 365, start)` vs `[start, start + 365)`. Retained: the
//! starting episode has no end before `start + 365`.

use super::{observed_until, percent, push, reduction, Study, Value, Window, ONE_YEAR};
use crate::calendar::Date;
use crate::history::Observer;
use crate::history::{EventKind, Histories};
use crate::interventions::Scheme;

/// Positive tests in the previous year that qualify (the paper's entry criterion).
pub const MIN_POSITIVE_TESTS: usize = 3;

/// How long before the cohort-defining start an intensive-partnership engagement
/// puts a person in the intensive arm (the referral delay is a few days on
/// average; 120 days allows for a waiting list).
pub const INTENSIVE_LEAD_DAYS: i32 = 120;

const RETAINED: usize = 0;
const NOT_RETAINED: usize = 1;

#[derive(Clone, Debug)]
pub struct Best {
    pub window: Window,
    /// Treatment as usual: people, arrests before and arrests after, by
    /// [retained, not retained].
    pub people: [u64; 2],
    pub before: [u64; 2],
    pub after: [u64; 2],
    /// The intensive arm, likewise.
    pub intensive_people: [u64; 2],
    pub intensive_before: [u64; 2],
    pub intensive_after: [u64; 2],
}

impl Default for Best {
    fn default() -> Self {
        Best {
            window: Window::new(Date::ymd(2006, 4, 1), Date::ymd(2008, 3, 31)),
            people: [0; 2],
            before: [0; 2],
            after: [0; 2],
            intensive_people: [0; 2],
            intensive_before: [0; 2],
            intensive_after: [0; 2],
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
            let intensive = events[..i].iter().any(|e| {
                e.kind == EventKind::Intervention
                    && e.detail == Scheme::IntensivePartnership as u8
                    && s - INTENSIVE_LEAD_DAYS <= e.day
            });
            let (people, b, a) = if intensive {
                (
                    &mut self.intensive_people,
                    &mut self.intensive_before,
                    &mut self.intensive_after,
                )
            } else {
                (&mut self.people, &mut self.before, &mut self.after)
            };
            people[g] += 1;
            b[g] += before;
            a[g] += after;
        }
    }

    fn merge(&mut self, o: Self) {
        for g in 0..2 {
            self.people[g] += o.people[g];
            self.before[g] += o.before[g];
            self.after[g] += o.after[g];
            self.intensive_people[g] += o.intensive_people[g];
            self.intensive_before[g] += o.intensive_before[g];
            self.intensive_after[g] += o.intensive_after[g];
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
        // the intensive arm, only if anyone is in it
        let n_intensive: u64 = self.intensive_people.iter().sum();
        if n_intensive > 0 {
            let ib: u64 = self.intensive_before.iter().sum();
            let ia: u64 = self.intensive_after.iter().sum();
            push(&mut out, "best_intensive_arrest_change", change(ib, ia));
            // intensive minus treatment-as-usual reduction (positive: the
            // intensive arm's arrests fell more, as the paper reports)
            let tau = reduction(self.before.iter().sum(), self.after.iter().sum());
            push(
                &mut out,
                "best_intensive_vs_tau_reduction",
                reduction(ib, ia).zip(tau).map(|(i, t)| i - t),
            );
            push(
                &mut out,
                "best_intensive_retained_share",
                percent(self.intensive_people[RETAINED], n_intensive),
            );
            push(
                &mut out,
                "best_tau_retained_share",
                percent(self.people[RETAINED], self.people.iter().sum()),
            );
            out.push(("best_intensive_cohort_n", n_intensive as f64 * scale));
        }
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
        // no one in the intensive arm: its values are absent, not zero
        assert!(v.iter().all(|x| !x.0.starts_with("best_intensive")));
        assert!(v.iter().all(|x| x.0 != "best_tau_retained_share"));
    }

    fn engaged(d: i32) -> Event {
        Event::new(
            d,
            EventKind::Intervention,
            Scheme::IntensivePartnership as u8,
            0,
        )
    }

    #[test]
    fn intensive_arm_is_split_from_treatment_as_usual() {
        let s = day(2007, 1, 1);
        // engaged 120 days before the start (the edge): intensive, retained, no arrests after
        let intensive = high_rate(s, vec![engaged(s - INTENSIVE_LEAD_DAYS)]);
        // engaged on the start day, before it: intensive, dropped out, one arrest after
        let mut same_day = high_rate(s, vec![]);
        let at = same_day
            .iter()
            .position(|e| e.kind == EventKind::TreatmentStart);
        same_day.insert(at.unwrap(), engaged(s));
        same_day.push(end(s + 10, Route::Dip, TreatmentExit::Dropout));
        same_day.push(arrest(s + 20, false));
        // engaged 121 days before: treatment as usual, two arrests after
        let too_early = high_rate(
            s,
            vec![
                engaged(s - INTENSIVE_LEAD_DAYS - 1),
                arrest(s + 5, false),
                arrest(s + 6, false),
            ],
        );
        // engaged only after the start: treatment as usual
        let after = high_rate(s, vec![engaged(s + 1)]);
        // another scheme's event before the start: treatment as usual
        let other = high_rate(
            s,
            vec![Event::new(
                s - 10,
                EventKind::Intervention,
                Scheme::RestrictionOnBail as u8,
                0,
            )],
        );
        let b = observe(vec![intensive, same_day, too_early, after, other]);
        assert_eq!(b.intensive_people, [1, 1]);
        assert_eq!((b.intensive_before, b.intensive_after), ([3, 3], [0, 1]));
        assert_eq!(b.people, [3, 0]);
        assert_eq!((b.before, b.after), ([9, 0], [2, 0]));
        let v = b.values(10.0);
        let get = |id: &str| v.iter().find(|x| x.0 == id).unwrap().1;
        assert_eq!(get("best_intensive_cohort_n"), 20.0);
        assert_eq!(get("best_cohort_n"), 30.0);
        // intensive: 6 -> 1 arrests; treatment as usual: 9 -> 2
        assert!((get("best_intensive_arrest_change") + 500.0 / 6.0).abs() < 1e-9);
        assert!((get("best_tau_arrest_change") + 700.0 / 9.0).abs() < 1e-9);
        let diff = 500.0 / 6.0 - 700.0 / 9.0;
        assert!((get("best_intensive_vs_tau_reduction") - diff).abs() < 1e-9);
        assert_eq!(get("best_intensive_retained_share"), 50.0);
        assert_eq!(get("best_tau_retained_share"), 100.0);
    }
}

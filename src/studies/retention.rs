//! Retention in treatment: Kaplan-Meier survival curves from recorded histories.
//!
//! Counts are kept in weekly bins as integers, so merging chunks and replicates in
//! any order gives the same curves (the [`Observer`] contract).

use crate::calendar::Date;
use crate::history::Observer;
use crate::history::{EventKind, Histories, Route, Substance, TreatmentExit};
use crate::params::Params;

/// Width of a bin in days.
pub const BIN_DAYS: i32 = 7;
/// Follow-up: 104 weekly bins (two years).
pub const BINS: usize = 104;

/// Groups: the four routes, then the four substances, then everyone.
const GROUPS: usize = Route::ALL.len() + Substance::ALL.len() + 1;
const ALL: usize = GROUPS - 1;

/// Kaplan-Meier survival in community treatment for episodes starting in a window.
///
/// The event is **dropout**. Completion, death, a transfer to custody, desistance
/// and the end of the simulated history are **censoring**, and so is still being in
/// treatment after two years (the curves stop there). Curves are therefore "the share
/// who would still be in treatment if dropout were the only way out", the usual
/// retention measure, not the share actually still in treatment.
///
/// Times are binned into weeks: an exit after `t` days (t in (7b, 7b+7], or 0) falls in
/// bin `b`; everyone whose exit falls in bin `b` or later is at risk in it. This equals
/// the exact Kaplan-Meier estimate when exits fall on whole weeks, and is a close
/// life-table approximation otherwise.
#[derive(Clone, Debug)]
pub struct RetentionCurves {
    /// First day of the start window (inclusive).
    pub from_day: i32,
    /// Last day of the start window (exclusive).
    pub to_day: i32,
    /// Dropouts per group and bin.
    events: Vec<u64>,
    /// Censored exits per group and bin.
    censored: Vec<u64>,
    /// Episodes per group (including those still in treatment after two years).
    episodes: Vec<u64>,
}

/// One survival curve: a label, episodes it rests on, and (weeks, survival) points.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    pub label: String,
    pub episodes: u64,
    pub points: Vec<(f64, f64)>,
}

impl RetentionCurves {
    /// Episodes starting on days in [from, to).
    pub fn new(from: Date, to: Date) -> RetentionCurves {
        RetentionCurves {
            from_day: from.day(),
            to_day: to.day(),
            events: vec![0; GROUPS * BINS],
            censored: vec![0; GROUPS * BINS],
            episodes: vec![0; GROUPS],
        }
    }

    /// Starts in 2015-2019 (complete two-year follow-up before Covid-19 and well
    /// inside the baseline horizon), moved earlier if the horizon is close.
    pub fn for_params(p: &Params) -> RetentionCurves {
        let last_full = p.run.horizon.year() - 3;
        let to = last_full.min(2019) + 1;
        let from = (to - 5).max(p.run.observe_from);
        RetentionCurves::new(Date::year_start(from), Date::year_start(to.max(from + 1)))
    }

    /// Calendar years the start window covers, e.g. "2015-2019".
    pub fn window_label(&self) -> String {
        let a = crate::calendar::civil_from_days(self.from_day).0;
        let b = crate::calendar::civil_from_days(self.to_day - 1).0;
        if a == b {
            a.to_string()
        } else {
            format!("{a}-{b}")
        }
    }

    fn bin_of(days: i32) -> usize {
        ((days.max(1) - 1) / BIN_DAYS) as usize
    }

    fn record(&mut self, groups: [usize; 3], days: i32, dropout: bool) {
        let b = Self::bin_of(days);
        for g in groups {
            self.episodes[g] += 1;
            if b < BINS {
                if dropout {
                    self.events[g * BINS + b] += 1;
                } else {
                    self.censored[g * BINS + b] += 1;
                }
            }
        }
    }

    fn label(g: usize) -> String {
        if g < Route::ALL.len() {
            Route::ALL[g].label().to_string()
        } else if g < ALL {
            Substance::ALL[g - Route::ALL.len()].label().to_string()
        } else {
            "All episodes".to_string()
        }
    }

    fn curve(&self, g: usize) -> Curve {
        let mut at_risk = self.episodes[g];
        let mut s = 1.0;
        let mut points = vec![(0.0, 1.0)];
        for b in 0..BINS {
            if at_risk == 0 {
                break;
            }
            let d = self.events[g * BINS + b];
            s *= 1.0 - d as f64 / at_risk as f64;
            points.push((((b + 1) as i32 * BIN_DAYS) as f64 / 7.0, s));
            at_risk -= d + self.censored[g * BINS + b];
        }
        Curve {
            label: Self::label(g),
            episodes: self.episodes[g],
            points,
        }
    }

    /// Every non-empty curve: routes, then substances, then all episodes.
    pub fn curves(&self) -> Vec<(String, Vec<(f64, f64)>)> {
        (0..GROUPS)
            .filter(|&g| self.episodes[g] > 0)
            .map(|g| {
                let c = self.curve(g);
                (c.label, c.points)
            })
            .collect()
    }

    /// Curves by referral route (empty routes left out).
    pub fn by_route(&self) -> Vec<Curve> {
        (0..Route::ALL.len())
            .filter(|&g| self.episodes[g] > 0)
            .map(|g| self.curve(g))
            .collect()
    }

    /// Curves by substance group (empty groups left out).
    pub fn by_substance(&self) -> Vec<Curve> {
        (Route::ALL.len()..ALL)
            .filter(|&g| self.episodes[g] > 0)
            .map(|g| self.curve(g))
            .collect()
    }

    /// The curve over all episodes.
    pub fn overall(&self) -> Curve {
        self.curve(ALL)
    }
}

impl Observer for RetentionCurves {
    fn observe(&mut self, h: &Histories) {
        for (p, events) in h.iter() {
            let sg = Route::ALL.len() + p.substance.index();
            let mut open: Option<(i32, usize)> = None;
            for e in events {
                match e.kind {
                    EventKind::TreatmentStart => {
                        open = (e.day >= self.from_day && e.day < self.to_day)
                            .then_some((e.day, e.detail as usize));
                    }
                    EventKind::TreatmentEnd => {
                        if let Some((start, route)) = open.take() {
                            let dropout =
                                TreatmentExit::from_u16(e.extra) == TreatmentExit::Dropout;
                            self.record([route, sg, ALL], e.day - start, dropout);
                        }
                    }
                    _ => {}
                }
            }
            // Still in treatment when the history ends: censored there.
            if let Some((start, route)) = open {
                self.record([route, sg, ALL], p.exit_day - start, false);
            }
        }
    }

    fn merge(&mut self, other: Self) {
        for (a, b) in self.events.iter_mut().zip(other.events) {
            *a += b;
        }
        for (a, b) in self.censored.iter_mut().zip(other.censored) {
            *a += b;
        }
        for (a, b) in self.episodes.iter_mut().zip(other.episodes) {
            *a += b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Event, Person};

    fn person(substance: Substance, entry: i32, exit: i32) -> Person {
        Person {
            id: 0,
            substance,
            male: true,
            birth_day: entry - 9000,
            entry_day: entry,
            exit_day: exit,
            propensity: 1.0,
            risk_score: 50,
            unstable_housing: false,
            mental_health: false,
            prior_offences: 0,
            offends: true,
        }
    }

    fn episode(start: i32, days: i32, route: Route, exit: TreatmentExit) -> [Event; 2] {
        [
            Event::new(start, EventKind::TreatmentStart, route as u8, 0),
            Event::new(
                start + days,
                EventKind::TreatmentEnd,
                route as u8,
                exit as u16,
            ),
        ]
    }

    fn at(points: &[(f64, f64)], week: f64) -> f64 {
        points
            .iter()
            .rev()
            .find(|(w, _)| *w <= week)
            .map(|p| p.1)
            .unwrap()
    }

    /// Five DIP episodes: dropouts at weeks 2 and 4, a completion at week 3, a death
    /// at week 4 (tied with a dropout: censored after it, the KM convention), and one
    /// still in treatment when the history ends at week 10.
    /// KM: S(2) = 4/5; S(3) = 4/5; S(4) = 4/5 * (1 - 1/3) = 8/15; S(10) = 8/15.
    #[test]
    fn known_kaplan_meier_values() {
        let d0 = Date::ymd(2016, 3, 7).day();
        let mut h = Histories::default();
        let s = Substance::OpiatesCrack;
        h.push(
            person(s, d0 - 50, d0 + 1000),
            &episode(d0, 14, Route::Dip, TreatmentExit::Dropout),
        );
        h.push(
            person(s, d0 - 50, d0 + 1000),
            &episode(d0, 21, Route::Dip, TreatmentExit::Completed),
        );
        h.push(
            person(s, d0 - 50, d0 + 1000),
            &episode(d0, 28, Route::Dip, TreatmentExit::Dropout),
        );
        h.push(
            person(s, d0 - 50, d0 + 28),
            &episode(d0, 28, Route::Dip, TreatmentExit::Died),
        );
        h.push(
            person(s, d0 - 50, d0 + 70),
            &[Event::new(
                d0,
                EventKind::TreatmentStart,
                Route::Dip as u8,
                0,
            )],
        );
        // Outside the start window: ignored.
        h.push(
            person(s, d0 - 5000, d0 + 1000),
            &episode(
                Date::ymd(2012, 1, 1).day(),
                7,
                Route::Dip,
                TreatmentExit::Dropout,
            ),
        );
        let mut r = RetentionCurves::new(Date::ymd(2015, 1, 1), Date::ymd(2020, 1, 1));
        r.observe(&h);
        let dip = r
            .by_route()
            .into_iter()
            .find(|c| c.label == Route::Dip.label())
            .unwrap();
        assert_eq!(dip.episodes, 5);
        let eps = 1e-12;
        assert!((at(&dip.points, 1.0) - 1.0).abs() < eps);
        assert!((at(&dip.points, 2.0) - 0.8).abs() < eps);
        assert!((at(&dip.points, 3.0) - 0.8).abs() < eps);
        assert!((at(&dip.points, 4.0) - 8.0 / 15.0).abs() < eps);
        assert!((at(&dip.points, 10.0) - 8.0 / 15.0).abs() < eps);
        // Nobody is at risk after week 10: the curve stops there.
        assert_eq!(dip.points.last().unwrap().0, 10.0);
        let opi = r.by_substance();
        assert_eq!(opi.len(), 1);
        assert_eq!(opi[0].points, dip.points);
        assert_eq!(r.by_route().len(), 1);
    }

    /// Merging halves in either order gives the counts of observing everything.
    #[test]
    fn merge_is_order_independent() {
        let d0 = Date::ymd(2017, 1, 2).day();
        let mut a = Histories::default();
        let mut b = Histories::default();
        for i in 0..20 {
            let route = Route::ALL[i % 4];
            let exit = if i % 3 == 0 {
                TreatmentExit::Completed
            } else {
                TreatmentExit::Dropout
            };
            let h = if i % 2 == 0 { &mut a } else { &mut b };
            h.push(
                person(Substance::ALL[i % 4], d0 - 10, d0 + 900),
                &episode(d0 + i as i32, 5 + 13 * i as i32, route, exit),
            );
        }
        let fresh = || RetentionCurves::new(Date::ymd(2015, 1, 1), Date::ymd(2020, 1, 1));
        let (mut x, mut y, mut z) = (fresh(), fresh(), fresh());
        x.observe(&a);
        let mut xb = fresh();
        xb.observe(&b);
        x.merge(xb);
        y.observe(&b);
        let mut ya = fresh();
        ya.observe(&a);
        y.merge(ya);
        z.observe(&a);
        z.observe(&b);
        assert_eq!(x.curves(), y.curves());
        assert_eq!(x.curves(), z.curves());
        assert_eq!(x.overall().episodes, 20);
    }

    /// A long episode is censored at two years: it never drops the curve.
    #[test]
    fn censored_beyond_two_years() {
        let d0 = Date::ymd(2015, 6, 1).day();
        let mut h = Histories::default();
        h.push(
            person(Substance::Alcohol, d0, d0 + 2000),
            &episode(d0, 900, Route::Order, TreatmentExit::Dropout),
        );
        h.push(
            person(Substance::Alcohol, d0, d0 + 2000),
            &episode(d0, 70, Route::Order, TreatmentExit::Dropout),
        );
        let mut r = RetentionCurves::new(Date::ymd(2015, 1, 1), Date::ymd(2020, 1, 1));
        r.observe(&h);
        let c = r.overall();
        assert_eq!(c.points.len(), BINS + 1);
        assert!((c.points.last().unwrap().1 - 0.5).abs() < 1e-12);
    }
}

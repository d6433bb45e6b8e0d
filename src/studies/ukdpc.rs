//! UKDPC (2008), *Reducing drug use, reducing reoffending*: prevalence among
//! arrestees, testing, DIP and DTTO/DRR volumes, completion and reconviction rates,
//! prison receptions and deaths after release.
//!
//! Unless said otherwise a figure is for the financial year 2006/07
//! (2006-04-01 ..= 2007-03-31). Choices where the summary gives no definition:
//! - arrestee prevalence counts distinct people arrested in the year;
//! - test positivity counts tests that follow a trigger-offence arrest;
//! - the criminal-justice referral share is of drug-group treatment starts (NDTMS
//!   covered drug treatment only in 2006/07);
//! - order completion "in 2006/07" is among DTTO/DRR terminations in the year, all
//!   outcomes in the denominator; "started in 2003" is among orders started in
//!   calendar 2003 that have ended;
//! - reconviction of completers and non-completers comes from the DTTO pilots
//!   (Hough et al. 2003, the source also of the NAO's figures): DTTOs started
//!   1998-10-01 ..= 2000-09-30, reconvicted within 2 years of the order start
//!   ([`super::reconvicted_2y`]);
//! - DIP 6-month change: people whose first DIP assessment falls in
//!   2004-04-01 ..= 2006-03-31 (the evaluation's cohort was identified in DIP's
//!   early years), arrests in `[a - 183, a]` (the index arrest included) vs
//!   `(a, a + 183]`;
//! - acquisitive crime in the previous 12 months: of the same people, the
//!   probability of at least one acquisitive offence in the 365 days up to the
//!   arrest, 1 if the arrest is for one, else 1 - exp(-acquisitive share x the
//!   integral of the recorded offence rate) (offences are Poisson given the
//!   rate), summed in millionths;
//! - a crime a day: of the people arrested in the year (at their first arrest in
//!   it), the share whose offences in the 365 days before, the integral of their
//!   recorded offence rate, average at least one a day at liberty (days with a
//!   positive rate); heroin/crack users against everyone else (the survey's
//!   weekly heroin/crack users and other arrestees);
//! - deaths within 2 weeks of release: any death within 14 days of a release of an
//!   opiate/crack user, releases in 2003-04-01 ..= 2008-03-31 (the estimate names no
//!   year; five years keep the rare event from being all noise).

use super::{
    is_completed, observed_until, order_end, percent, push, reconvicted_2y, Study, Value, Window,
    SIX_MONTHS,
};
use crate::calendar::Date;
use crate::history::Observer;
use crate::history::{EventKind, Histories, OffenceGroup, OrderKind, Route, Substance};

/// Whether an order kind is a DTTO or DRR (the UKDPC's drug orders).
fn drug_order(detail: u8) -> bool {
    detail == OrderKind::Dtto as u8 || detail == OrderKind::Drr as u8
}

#[derive(Clone, Debug)]
pub struct Ukdpc {
    pub year: Window,
    pub jan_2008: Window,
    pub cal_2003: Window,
    pub pilots: Window,
    pub dip_cohort: Window,
    pub releases: Window,
    /// Distinct people arrested in the year, and of them opiate/crack users.
    pub arrested: u64,
    pub arrested_pdu: u64,
    /// Tests after trigger arrests in the year, and positives.
    pub trigger_tests: u64,
    pub trigger_positive: u64,
    pub dip_starts_year: u64,
    pub dip_starts_jan_2008: u64,
    pub order_starts_year: u64,
    pub order_ends_year: u64,
    pub order_completions_year: u64,
    pub orders_2003_ended: u64,
    pub orders_2003_completed: u64,
    /// Pilot DTTOs: [completed, not completed] x [orders, reconvicted].
    pub pilot: [[u64; 2]; 2],
    pub dip_cohort_n: u64,
    pub dip_reduced: u64,
    pub dip_increased: u64,
    pub drug_starts_year: u64,
    pub cj_starts_year: u64,
    pub receptions_year: u64,
    pub receptions_pdu_year: u64,
    pub releases_pdu: u64,
    pub release_deaths_pdu: u64,
    /// People arrested in the year who offended at least daily in the year before:
    /// [heroin/crack users, others] x [arrested, daily].
    pub daily: [[u64; 2]; 2],
    /// Of them, the expected number with an acquisitive offence in the year
    /// before, in millionths of a person: [heroin/crack users, others].
    pub acquisitive_micro: [u64; 2],
    /// Share of each substance group's offences that are acquisitive (from the
    /// run's parameters: `Studies::for_params`).
    pub acquisitive_share: [f64; 4],
}

/// Offences and days at liberty (a positive offence rate) in [from, to), from the
/// `OffendingRate` events before index `i`.
fn offences_before(events: &[crate::history::Event], i: usize, from: i32, to: i32) -> (f64, i32) {
    let (mut offences, mut days) = (0.0, 0);
    let mut end = to;
    for e in events[..i].iter().rev() {
        if e.kind != EventKind::OffendingRate {
            continue;
        }
        let start = e.day.max(from);
        if end > start {
            let code = e.offending_rate();
            if code > 0 {
                offences +=
                    code as f64 / 1000.0 / crate::calendar::DAYS_PER_YEAR * (end - start) as f64;
                days += end - start;
            }
        }
        if e.day <= from {
            break;
        }
        end = e.day;
    }
    (offences, days)
}

impl Default for Ukdpc {
    fn default() -> Self {
        Ukdpc {
            year: Window::financial_year(2006),
            jan_2008: Window::new(Date::ymd(2008, 1, 1), Date::ymd(2008, 1, 31)),
            cal_2003: Window::new(Date::ymd(2003, 1, 1), Date::ymd(2003, 12, 31)),
            pilots: Window::new(Date::ymd(1998, 10, 1), Date::ymd(2000, 9, 30)),
            dip_cohort: Window::new(Date::ymd(2004, 4, 1), Date::ymd(2006, 3, 31)),
            releases: Window::new(Date::ymd(2003, 4, 1), Date::ymd(2008, 3, 31)),
            arrested: 0,
            arrested_pdu: 0,
            trigger_tests: 0,
            trigger_positive: 0,
            dip_starts_year: 0,
            dip_starts_jan_2008: 0,
            order_starts_year: 0,
            order_ends_year: 0,
            order_completions_year: 0,
            orders_2003_ended: 0,
            orders_2003_completed: 0,
            pilot: [[0; 2]; 2],
            dip_cohort_n: 0,
            dip_reduced: 0,
            dip_increased: 0,
            drug_starts_year: 0,
            cj_starts_year: 0,
            receptions_year: 0,
            receptions_pdu_year: 0,
            releases_pdu: 0,
            release_deaths_pdu: 0,
            daily: [[0; 2]; 2],
            acquisitive_micro: [0; 2],
            acquisitive_share: crate::pathway::arrest::offence_group_shares(
                &crate::pathway::arrest::OffendingParams::default(),
            )
            .map(|g| g[OffenceGroup::Acquisitive as usize]),
        }
    }
}

impl Observer for Ukdpc {
    fn observe(&mut self, h: &Histories) {
        for (p, events) in h.iter() {
            let pdu = p.substance == Substance::OpiatesCrack;
            let mut arrested = false;
            let mut last_arrest_trigger = false;
            let mut first_dip = true;
            for (i, e) in events.iter().enumerate() {
                let d = e.day;
                let in_year = self.year.contains(d);
                match e.kind {
                    EventKind::Arrest => {
                        last_arrest_trigger = e.detail == 1;
                        if in_year && !arrested {
                            let (offences, days) = offences_before(events, i, d - 365, d);
                            let k = (!pdu) as usize;
                            self.daily[k][0] += 1;
                            self.daily[k][1] += (days > 0 && offences >= days as f64) as u64;
                            let acquisitive = if e.extra == OffenceGroup::Acquisitive as u16 {
                                1.0
                            } else {
                                let share = self.acquisitive_share[p.substance.index()];
                                1.0 - (-share * offences).exp()
                            };
                            self.acquisitive_micro[k] += (acquisitive * 1e6).round() as u64;
                        }
                        arrested |= in_year;
                    }
                    EventKind::Test if in_year && last_arrest_trigger => {
                        self.trigger_tests += 1;
                        self.trigger_positive += (e.detail == 1) as u64;
                    }
                    EventKind::DipAssessment if first_dip => {
                        first_dip = false;
                        if self.dip_cohort.contains(d)
                            && observed_until(p, events) >= d + SIX_MONTHS
                        {
                            let arrests_in = |lo: i32, hi: i32| {
                                events
                                    .iter()
                                    .filter(|e| {
                                        e.kind == EventKind::Arrest && lo <= e.day && e.day <= hi
                                    })
                                    .count()
                            };
                            let before = arrests_in(d - SIX_MONTHS, d);
                            let after = arrests_in(d + 1, d + SIX_MONTHS);
                            self.dip_cohort_n += 1;
                            self.dip_reduced += (after < before) as u64;
                            self.dip_increased += (after > before) as u64;
                        }
                    }
                    EventKind::TreatmentStart => {
                        let route = Route::from_u8(e.detail);
                        if route == Route::Dip {
                            self.dip_starts_year += in_year as u64;
                            self.dip_starts_jan_2008 += self.jan_2008.contains(d) as u64;
                        }
                        if in_year && p.substance.uses_drugs() {
                            self.drug_starts_year += 1;
                            self.cj_starts_year += route.is_criminal_justice() as u64;
                        }
                    }
                    EventKind::OrderStart if drug_order(e.detail) => {
                        self.order_starts_year += in_year as u64;
                        let end = order_end(events, i);
                        if self.cal_2003.contains(d) {
                            if let Some((_, outcome)) = end {
                                self.orders_2003_ended += 1;
                                self.orders_2003_completed += is_completed(outcome) as u64;
                            }
                        }
                        if e.detail == OrderKind::Dtto as u8 && self.pilots.contains(d) {
                            if let Some((_, outcome)) = end {
                                let g = if is_completed(outcome) { 0 } else { 1 };
                                self.pilot[g][0] += 1;
                                self.pilot[g][1] += reconvicted_2y(events, d) as u64;
                            }
                        }
                    }
                    EventKind::OrderEnd if in_year && drug_order(e.detail) => {
                        self.order_ends_year += 1;
                        self.order_completions_year += is_completed(e.extra) as u64;
                    }
                    EventKind::CustodyStart if in_year => {
                        self.receptions_year += 1;
                        self.receptions_pdu_year += pdu as u64;
                    }
                    EventKind::Release if pdu && self.releases.contains(d) => {
                        self.releases_pdu += 1;
                        let died = events[i + 1..]
                            .iter()
                            .take_while(|x| x.day <= d + 14)
                            .any(|x| x.kind == EventKind::Death);
                        self.release_deaths_pdu += died as u64;
                    }
                    _ => {}
                }
            }
            if arrested {
                self.arrested += 1;
                self.arrested_pdu += pdu as u64;
            }
        }
    }

    fn merge(&mut self, o: Self) {
        for (a, b) in self
            .daily
            .iter_mut()
            .flatten()
            .zip(o.daily.iter().flatten())
        {
            *a += b;
        }
        for (a, b) in self.acquisitive_micro.iter_mut().zip(o.acquisitive_micro) {
            *a += b;
        }
        self.arrested += o.arrested;
        self.arrested_pdu += o.arrested_pdu;
        self.trigger_tests += o.trigger_tests;
        self.trigger_positive += o.trigger_positive;
        self.dip_starts_year += o.dip_starts_year;
        self.dip_starts_jan_2008 += o.dip_starts_jan_2008;
        self.order_starts_year += o.order_starts_year;
        self.order_ends_year += o.order_ends_year;
        self.order_completions_year += o.order_completions_year;
        self.orders_2003_ended += o.orders_2003_ended;
        self.orders_2003_completed += o.orders_2003_completed;
        for g in 0..2 {
            for k in 0..2 {
                self.pilot[g][k] += o.pilot[g][k];
            }
        }
        self.dip_cohort_n += o.dip_cohort_n;
        self.dip_reduced += o.dip_reduced;
        self.dip_increased += o.dip_increased;
        self.drug_starts_year += o.drug_starts_year;
        self.cj_starts_year += o.cj_starts_year;
        self.receptions_year += o.receptions_year;
        self.receptions_pdu_year += o.receptions_pdu_year;
        self.releases_pdu += o.releases_pdu;
        self.release_deaths_pdu += o.release_deaths_pdu;
    }
}

impl Study for Ukdpc {
    const NAME: &'static str = "ukdpc";
    const TARGETS: &'static [&'static str] = &[
        "ukdpc_arrestee_pdu_share",
        "ukdpc_arrestee_pdu_people",
        "ukdpc_prison_reception_pdu_low",
        "ukdpc_prison_reception_pdu_high",
        "ukdpc_dip_monthly_entries_2008",
        "ukdpc_positive_test_rate",
        "ukdpc_dip_treatment_entries",
        "ukdpc_dtto_drr_starts",
        "ukdpc_dtto_drr_completions",
        "ukdpc_cjs_referral_share",
        "ukdpc_dip_reduced_offending_6m",
        "ukdpc_dip_increased_offending_6m",
        "ukdpc_order_completion_2003",
        "ukdpc_order_completion_2006",
        "ukdpc_reconviction_completers",
        "ukdpc_reconviction_noncompleters",
        "ukdpc_prison_release_death",
        "ukdpc_weekly_user_daily_crime",
        "ukdpc_other_arrestee_daily_crime",
        "ukdpc_weekly_user_acquisitive_12m",
        "ukdpc_other_arrestee_acquisitive_12m",
    ];

    fn values(&self, scale: f64) -> Vec<Value> {
        let mut out = Vec::new();
        push(
            &mut out,
            "ukdpc_weekly_user_daily_crime",
            percent(self.daily[0][1], self.daily[0][0]),
        );
        push(
            &mut out,
            "ukdpc_other_arrestee_daily_crime",
            percent(self.daily[1][1], self.daily[1][0]),
        );
        for (k, id) in [
            "ukdpc_weekly_user_acquisitive_12m",
            "ukdpc_other_arrestee_acquisitive_12m",
        ]
        .into_iter()
        .enumerate()
        {
            if self.daily[k][0] > 0 {
                out.push((
                    id,
                    100.0 * self.acquisitive_micro[k] as f64 / 1e6 / self.daily[k][0] as f64,
                ));
            }
        }
        push(
            &mut out,
            "ukdpc_arrestee_pdu_share",
            percent(self.arrested_pdu, self.arrested),
        );
        out.push((
            "ukdpc_arrestee_pdu_people",
            self.arrested_pdu as f64 * scale,
        ));
        let receptions = percent(self.receptions_pdu_year, self.receptions_year);
        push(&mut out, "ukdpc_prison_reception_pdu_low", receptions);
        push(&mut out, "ukdpc_prison_reception_pdu_high", receptions);
        out.push((
            "ukdpc_dip_monthly_entries_2008",
            self.dip_starts_jan_2008 as f64 * scale,
        ));
        push(
            &mut out,
            "ukdpc_positive_test_rate",
            percent(self.trigger_positive, self.trigger_tests),
        );
        out.push((
            "ukdpc_dip_treatment_entries",
            self.dip_starts_year as f64 * scale,
        ));
        out.push((
            "ukdpc_dtto_drr_starts",
            self.order_starts_year as f64 * scale,
        ));
        out.push((
            "ukdpc_dtto_drr_completions",
            self.order_completions_year as f64 * scale,
        ));
        push(
            &mut out,
            "ukdpc_cjs_referral_share",
            percent(self.cj_starts_year, self.drug_starts_year),
        );
        push(
            &mut out,
            "ukdpc_dip_reduced_offending_6m",
            percent(self.dip_reduced, self.dip_cohort_n),
        );
        push(
            &mut out,
            "ukdpc_dip_increased_offending_6m",
            percent(self.dip_increased, self.dip_cohort_n),
        );
        push(
            &mut out,
            "ukdpc_order_completion_2003",
            percent(self.orders_2003_completed, self.orders_2003_ended),
        );
        push(
            &mut out,
            "ukdpc_order_completion_2006",
            percent(self.order_completions_year, self.order_ends_year),
        );
        push(
            &mut out,
            "ukdpc_reconviction_completers",
            percent(self.pilot[0][1], self.pilot[0][0]),
        );
        push(
            &mut out,
            "ukdpc_reconviction_noncompleters",
            percent(self.pilot[1][1], self.pilot[1][0]),
        );
        push(
            &mut out,
            "ukdpc_prison_release_death",
            percent(self.release_deaths_pdu, self.releases_pdu),
        );
        // diagnostics: cohort sizes behind the shares (simulated people, unscaled)
        out.push(("ukdpc_dip_cohort_sim_n", self.dip_cohort_n as f64));
        out.push((
            "ukdpc_pilot_dtto_sim_n",
            (self.pilot[0][0] + self.pilot[1][0]) as f64,
        ));
        out.push(("ukdpc_release_deaths_sim_n", self.release_deaths_pdu as f64));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Event, OrderOutcome, Substance};
    use crate::studies::testkit::*;

    fn observe(people: Vec<(Substance, Vec<Event>)>) -> Ukdpc {
        let mut h = Histories::default();
        for (s, ev) in people {
            h.push(person(s), &sorted(ev));
        }
        let mut u = Ukdpc::default();
        u.observe(&h);
        u
    }

    fn value(u: &Ukdpc, id: &str) -> Option<f64> {
        u.values(10.0).into_iter().find(|v| v.0 == id).map(|v| v.1)
    }

    fn order(d: i32, kind: OrderKind) -> Event {
        Event::new(d, EventKind::OrderStart, kind as u8, 0)
    }
    fn order_end(d: i32, kind: OrderKind, outcome: OrderOutcome) -> Event {
        Event::new(d, EventKind::OrderEnd, kind as u8, outcome as u16)
    }

    #[test]
    fn arrestees_and_tests_in_the_financial_year() {
        let u = observe(vec![
            // arrested the day before the year starts: not an arrestee
            (
                Substance::OpiatesCrack,
                vec![arrest(day(2006, 3, 31), true), test(day(2006, 3, 31), true)],
            ),
            // twice in the year: one arrestee, two trigger tests
            (
                Substance::OpiatesCrack,
                vec![
                    arrest(day(2006, 4, 1), true),
                    test(day(2006, 4, 1), true),
                    arrest(day(2007, 3, 31), true),
                    test(day(2007, 3, 31), false),
                ],
            ),
            // non-trigger arrest, tested (extended testing): test not counted
            (
                Substance::None,
                vec![arrest(day(2006, 5, 1), false), test(day(2006, 5, 1), false)],
            ),
            (
                Substance::Alcohol,
                vec![arrest(day(2006, 6, 1), true), test(day(2006, 6, 1), false)],
            ),
        ]);
        assert_eq!((u.arrested, u.arrested_pdu), (3, 1));
        assert_eq!((u.trigger_tests, u.trigger_positive), (3, 1));
        assert!((value(&u, "ukdpc_arrestee_pdu_share").unwrap() - 100.0 / 3.0).abs() < 1e-9);
        assert_eq!(value(&u, "ukdpc_arrestee_pdu_people"), Some(10.0));
    }

    #[test]
    fn a_crime_a_day_is_the_year_before_the_first_arrest_averaged_over_days_at_liberty() {
        use crate::history::Event;
        let rate = |d: i32, per_year: f64| {
            let code = (per_year * 1000.0).round() as u32;
            Event::new(d, EventKind::OffendingRate, (code >> 16) as u8, code as u16)
        };
        let arrest = |d: i32| Event::new(d, EventKind::Arrest, 1, 0);
        let a = day(2006, 10, 1);
        let u = observe(vec![
            // 400 a year all year: daily.
            (
                Substance::OpiatesCrack,
                vec![rate(a - 500, 400.0), arrest(a)],
            ),
            // 300 a year: not daily.
            (
                Substance::OpiatesCrack,
                vec![rate(a - 500, 300.0), arrest(a)],
            ),
            // In custody (rate 0) for half the year, 400 a year at liberty: daily,
            // since only days at liberty count.
            (
                Substance::None,
                vec![rate(a - 500, 0.0), rate(a - 182, 400.0), arrest(a)],
            ),
            // 100 a year, then 1000 a year for the last 100 days: 100 x 265/365 +
            // 1000 x 100/365 = 346.6 offences in 365 days, under one a day.
            (
                Substance::None,
                vec![rate(a - 500, 100.0), rate(a - 100, 1000.0), arrest(a)],
            ),
            // Arrested outside the year: not counted.
            (
                Substance::None,
                vec![rate(a - 900, 1000.0), arrest(day(2005, 1, 1))],
            ),
        ]);
        assert_eq!(u.daily, [[2, 1], [2, 1]]);
        assert_eq!(value(&u, "ukdpc_weekly_user_daily_crime"), Some(50.0));
        assert_eq!(value(&u, "ukdpc_other_arrestee_daily_crime"), Some(50.0));
        // The arrests are for acquisitive offences (extra 0): certain.
        assert_eq!(u.acquisitive_micro, [2_000_000, 2_000_000]);
        // Arrested for violence after 400 offences a year with acquisitive share
        // s: 1 - exp(-s x 400 x 365/365.25).
        let s = u.acquisitive_share[Substance::OpiatesCrack.index()];
        let violence = Event::new(a, EventKind::Arrest, 0, OffenceGroup::Violence as u16);
        let v = observe(vec![(
            Substance::OpiatesCrack,
            vec![rate(a - 500, 400.0), violence],
        )]);
        let offences = 400.0 / crate::calendar::DAYS_PER_YEAR * 365.0;
        let want = 100.0 * (1.0 - (-s * offences).exp());
        let got = value(&v, "ukdpc_weekly_user_acquisitive_12m").unwrap();
        assert!((got - want).abs() < 1e-4, "{got} vs {want}");
    }

    #[test]
    fn dip_entries_orders_and_referrals() {
        let u = observe(vec![
            (
                Substance::OpiatesCrack,
                vec![
                    start(day(2006, 3, 31), Route::Dip), // outside
                    start(day(2006, 4, 1), Route::Dip),
                    start(day(2007, 1, 1), Route::Voluntary),
                    start(day(2008, 1, 31), Route::Dip),
                    start(day(2008, 2, 1), Route::Dip),
                ],
            ),
            (
                Substance::Alcohol,
                vec![start(day(2006, 6, 1), Route::Order)],
            ),
            (
                Substance::OtherDrugs,
                vec![
                    order(day(2006, 3, 31), OrderKind::Drr),
                    order_end(day(2006, 4, 1), OrderKind::Drr, OrderOutcome::Completed),
                    order(day(2006, 5, 1), OrderKind::Drr),
                    order_end(day(2006, 6, 1), OrderKind::Drr, OrderOutcome::Revoked),
                    order(day(2006, 7, 1), OrderKind::Atr),
                ],
            ),
        ]);
        assert_eq!(value(&u, "ukdpc_dip_treatment_entries"), Some(10.0));
        assert_eq!(value(&u, "ukdpc_dip_monthly_entries_2008"), Some(10.0));
        assert_eq!(value(&u, "ukdpc_cjs_referral_share"), Some(50.0));
        assert_eq!(value(&u, "ukdpc_dtto_drr_starts"), Some(10.0));
        assert_eq!(value(&u, "ukdpc_dtto_drr_completions"), Some(10.0));
        assert_eq!(value(&u, "ukdpc_order_completion_2006"), Some(50.0));
    }

    #[test]
    fn pilot_reconviction_by_completion() {
        let s = day(1999, 1, 1);
        let completer = vec![
            order(s, OrderKind::Dtto),
            order_end(s + 365, OrderKind::Dtto, OrderOutcome::Completed),
            conviction(s + 500, 50),
        ];
        let completer_clean = vec![
            order(s, OrderKind::Dtto),
            order_end(s + 365, OrderKind::Dtto, OrderOutcome::Completed),
            conviction(s + 800, 50), // after 2 years
        ];
        let revoked = vec![
            order(s, OrderKind::Dtto),
            order_end(s + 100, OrderKind::Dtto, OrderOutcome::Revoked),
            conviction(s + 200, 50),
        ];
        // started before the pilots: excluded
        let early = vec![
            order(day(1998, 9, 30), OrderKind::Dtto),
            order_end(day(1999, 9, 30), OrderKind::Dtto, OrderOutcome::Completed),
        ];
        let u = observe(vec![
            (Substance::OpiatesCrack, completer),
            (Substance::OpiatesCrack, completer_clean),
            (Substance::OpiatesCrack, revoked),
            (Substance::OpiatesCrack, early),
        ]);
        assert_eq!(u.pilot, [[2, 1], [1, 1]]);
        assert_eq!(value(&u, "ukdpc_reconviction_completers"), Some(50.0));
        assert_eq!(value(&u, "ukdpc_reconviction_noncompleters"), Some(100.0));
    }

    #[test]
    fn order_completion_of_2003_starts() {
        let u = observe(vec![(
            Substance::OpiatesCrack,
            vec![
                order(day(2002, 12, 31), OrderKind::Dtto),
                order_end(day(2003, 6, 1), OrderKind::Dtto, OrderOutcome::Completed),
                order(day(2003, 7, 1), OrderKind::Dtto),
                order_end(day(2003, 12, 30), OrderKind::Dtto, OrderOutcome::Completed),
                order(day(2003, 12, 31), OrderKind::Dtto),
                order_end(day(2004, 1, 10), OrderKind::Dtto, OrderOutcome::Custody),
                order(day(2004, 2, 1), OrderKind::Dtto),
            ],
        )]);
        assert_eq!((u.orders_2003_ended, u.orders_2003_completed), (2, 1));
    }

    #[test]
    fn dip_six_month_change() {
        let a = day(2005, 1, 1);
        let dip = |d: i32| Event::new(d, EventKind::DipAssessment, 0, 0);
        // 2 before (index included), 1 after: reduced
        let reduced = vec![
            arrest(a - 183, false),
            arrest(a, true),
            dip(a),
            arrest(a + 183, false),
        ];
        // 1 before, 2 after: increased (the arrest on a + 184 is outside)
        let increased = vec![
            arrest(a, true),
            dip(a),
            arrest(a + 1, false),
            arrest(a + 2, false),
            arrest(a + 184, false),
        ];
        // first assessment before the cohort window: excluded even with a later one
        let early = vec![dip(day(2004, 3, 31)), arrest(a, true), dip(a)];
        let u = observe(vec![
            (Substance::OpiatesCrack, reduced),
            (Substance::OpiatesCrack, increased),
            (Substance::OpiatesCrack, early),
        ]);
        assert_eq!((u.dip_cohort_n, u.dip_reduced, u.dip_increased), (2, 1, 1));
    }

    #[test]
    fn receptions_and_deaths_after_release() {
        let r = day(2006, 5, 1);
        let custody = |d: i32| Event::new(d, EventKind::CustodyStart, 0, 0);
        let release = |d: i32| Event::new(d, EventKind::Release, 0, 0);
        let death = |d: i32| Event::new(d, EventKind::Death, 1, 0);
        let u = observe(vec![
            (
                Substance::OpiatesCrack,
                vec![custody(r - 20), release(r), death(r + 14)],
            ),
            (
                Substance::OpiatesCrack,
                vec![custody(r - 20), release(r), death(r + 15)],
            ),
            (Substance::None, vec![custody(r - 20), release(r)]),
            (Substance::None, vec![custody(day(2006, 3, 31))]),
        ]);
        assert_eq!((u.receptions_year, u.receptions_pdu_year), (3, 2));
        assert_eq!((u.releases_pdu, u.release_deaths_pdu), (2, 1));
        assert_eq!(value(&u, "ukdpc_prison_release_death"), Some(50.0));
    }
}

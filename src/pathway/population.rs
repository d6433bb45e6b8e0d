//! The open population: who is active on the start date, who enters each year,
//! and each person's fixed attributes.
//!
//! Person ids are assigned in a fixed order (people active at the start, then
//! entrants year by year), and every attribute comes from the person's own
//! `Attributes` stream, so a person is the same in every scenario that keeps the
//! population parameters.

use super::Params;
use crate::calendar::{Date, DAYS_PER_YEAR};
use crate::history::{Person, Substance};
use crate::parameter::{parameters, BySubstance};
use crate::rng::{stream, Process};
use crate::series::{self, Input};
use rand::RngExt;
use rand_distr::{Distribution, Exp1, Gamma, Poisson};

parameters! {
    /// Who is in the offender population and how they enter it.
    pub struct PopulationParams in "population" {
        /// Real people with an active offending career on the start date.
        initial_offenders: f64 = fitted, "people", 0.0, 1e8,
            "calibrated to the national series and the seed targets (docs/calibration.md); assumed mechanism: most people who offend do so rarely, so the active population is large (the proven-reoffending cohort alone is about 550,000 adults a year, reoffending_cohort_2010_11_adults)";
        /// Real people starting an offending career each year.
        entrants_per_year: f64 = fitted, "people per year", 0.0, 1e7,
            "calibrated to the national series and the seed targets (docs/calibration.md); assumed mechanism: short careers need many entrants";
        /// Share of entrants in each substance group on the reference date, and of
        /// the people active on the start date (must sum to 1). Entrants of the
        /// heroin/crack group follow the incidence of new heroin use
        /// (data/calendar/heroin_initiation.csv) relative to the reference date.
        substance_share: BySubstance = [fitted, 0.24, 0.18, fitted], "share of entrants", 0.0, 1.0,
            "calibrated to the national series and the seed targets (docs/calibration.md) for opiates_crack (none balances it, so the shares sum to 1); assumption, set by hand, for other drugs and alcohol";
        /// Entrants outside the heroin/crack group follow the first-time entrants
        /// to the criminal justice system (data/calendar/first_time_entrants.csv)
        /// relative to the reference date, raised to this power (0: constant).
        first_time_entrants_elasticity: f64 = fitted, "elasticity", 0.0, 5.0,
            "calibrated to the national series and the seed targets (docs/calibration.md); assumed mechanism: fewer young people started offending after 2007 (the first-time entrants fell by three quarters); the count also reflects policing, so the power is fitted below 1 if detection carries part of it";
        /// Share of the heroin/crack group's entrants on the reference date who
        /// start with crack rather than heroin: their number follows the
        /// incidence of new crack use (data/calendar/crack_initiation.csv), the
        /// others' that of new heroin use.
        crack_entrant_share: f64 = 0.3, "share", 0.0, 1.0,
            "assumption: crack-only users are a minority of the opiate/crack group (ocu_prevalence_2011_12 counts users of either)";
        /// Share of entrants who are male.
        male_share: f64 = 0.85, "share", 0.0, 1.0,
            "assumption: 85% of proven offenders are male (MoJ statistics, not a seed)";
        /// Youngest age at career start (years).
        entry_age_min: f64 = 15.0, "years", 10.0, 80.0,
            "assumption: age of criminal responsibility and youth careers";
        /// Mean of the exponential excess of entry age over the minimum (years).
        entry_age_mean_excess: f64 = 9.0, "years", 0.0, 60.0,
            "assumption: careers start mostly in the late teens and twenties";
        /// Shape of the gamma distribution of offending propensity (mean 1), by
        /// substance group: lower is more unequal (a few prolific offenders).
        propensity_shape: BySubstance = [fitted, fitted, fitted, fitted], "gamma shape", 0.05, 100.0,
            "calibrated to the national series and the seed targets (docs/calibration.md); assumed mechanism: most people who offend do so rarely, a few very often (shape 0.5: the top tenth of offenders commit about 44% of offences)";
        /// Proven offences a year of career, at propensity 1, that give people
        /// already active on the start date their previous offences.
        prior_offences_per_year: BySubstance = [1.5, 0.5, 0.4, 0.3], "proven offences per year", 0.0, 100.0,
            "assumption: about the proven offences a year the model gives each group";
        /// Share with unstable housing, by substance group.
        unstable_housing_share: BySubstance = [0.35, 0.20, 0.20, 0.10], "share", 0.0, 1.0,
            "assumption: housing need higher among PDUs";
        /// Share with a mental health problem, by substance group.
        mental_health_share: BySubstance = [0.40, 0.30, 0.35, 0.20], "share", 0.0, 1.0,
            "assumption: mental health need common among offenders";
        /// Real people on the start date with a drug or alcohol problem and no
        /// offending career, by substance group: they seek treatment and die like
        /// the offenders of their group, and never offend.
        non_offenders_initial: BySubstance = [0.0, fitted, fitted, 0.0], "people", 0.0, 1e8,
            "calibrated to the national series and the seed targets (docs/calibration.md) for other drugs and alcohol; assumption: none for opiates/crack, as the offenders' group alone (542,220 alive on 30 June 2011 at scale 40) already exceeds ocu_prevalence_2011_12; for other drugs and alcohol the demand from outside the criminal justice system (most alcohol-only clients, tx_alcohol_only_2013_14, are not offenders)";
        /// Real people a year starting a drug or alcohol problem with no
        /// offending career, by substance group.
        non_offender_entrants_per_year: BySubstance = [0.0, 10_000.0, 15_000.0, 0.0], "people per year", 0.0, 1e7,
            "assumption, set by hand with non_offenders_initial";
    }
}

/// Where the stream ids of the people who never offend start (see
/// [`Roster::stream_id`]); far above any offender's.
pub const NON_OFFENDER_STREAM_BASE: u64 = 1 << 40;

/// How many simulated people there are and when each enters: the offenders
/// (ids `0..first_non_offender`: those active at the start, then entrants year
/// by year), then the people with no offending career (those there at the
/// start, then entrants year by year). Offenders keep their ids whatever the
/// non-offending population is.
#[derive(Debug, Clone)]
pub struct Roster {
    /// People active at the start date (ids 0..initial).
    pub initial: u64,
    /// For each calendar year from the start, the first id of that year's entrants.
    year_first_id: Vec<u64>,
    /// First id of the people who never offend; those there at the start run to
    /// `non_offender_entrants`.
    pub first_non_offender: u64,
    non_offender_entrants: u64,
    /// As `year_first_id`, for entrants who never offend.
    non_offender_year_first_id: Vec<u64>,
    /// Each calendar year's shares of offenders entering by substance group
    /// (the declared shares moved by the heroin initiation input).
    entrant_shares: Vec<BySubstance>,
    first_year: i32,
    pub total: u64,
    start_day: i32,
    horizon_day: i32,
}

/// Ids for entrants arriving at `per_year` simulated people a year from
/// `first_id`: the first id of each calendar year's entrants from the start's
/// year (and one past the horizon's), and the id after the last. Entrants
/// accumulate as a real-valued flow; whole people are released as the running
/// total crosses each integer, so no year loses its fraction.
fn entrant_ids(p: &Params, first_id: u64, per_year: impl Fn(i32) -> f64) -> (Vec<u64>, u64) {
    let (start, horizon) = (p.run.start, p.run.horizon);
    let mut ids = Vec::new();
    let mut id = first_id;
    let mut cumulative = 0.0;
    for year in start.year()..=horizon.year() {
        ids.push(id);
        let a = Date::year_start(year).day().max(start.day());
        let b = Date::year_start(year + 1).day().min(horizon.day());
        if b > a {
            cumulative += per_year(year) / DAYS_PER_YEAR * (b - a) as f64;
            id = first_id + cumulative.floor() as u64;
        }
    }
    ids.push(id);
    (ids, id)
}

impl Roster {
    pub fn new(p: &Params) -> Roster {
        let scale = p.run.scale;
        let pop = &p.population;
        let initial = (pop.initial_offenders / scale).round() as u64;
        let heroin = series::relative_path(&p.calendar, Input::HeroinInitiation, 1.0);
        let crack = series::relative_path(&p.calendar, Input::CrackInitiation, 1.0);
        let entrants = series::relative_path(
            &p.calendar,
            Input::FirstTimeEntrants,
            pop.first_time_entrants_elasticity,
        );
        let c = pop.crack_entrant_share;
        // Entrants a year by group: the declared shares, heroin/crack moved by
        // the incidence of new heroin and crack use in the middle of the year,
        // the others by the first-time entrants.
        let by_group = |year: i32| -> BySubstance {
            let mid = Date::ymd(year, 7, 1).as_f64();
            let s = &pop.substance_share;
            let others = entrants.at(mid);
            BySubstance::new(
                s.opiates_crack * ((1.0 - c) * heroin.at(mid) + c * crack.at(mid)),
                s.other_drugs * others,
                s.alcohol * others,
                s.none * others,
            )
        };
        let (year_first_id, first_non_offender) = entrant_ids(p, initial, |year| {
            pop.entrants_per_year / scale * by_group(year).total()
        });
        let entrant_shares = (p.run.start.year()..=p.run.horizon.year())
            .map(|year| by_group(year).normalised())
            .collect();
        let non_initial = (pop.non_offenders_initial.total() / scale).round() as u64;
        let non_offender_entrants = first_non_offender + non_initial;
        let (non_offender_year_first_id, total) = entrant_ids(p, non_offender_entrants, |_| {
            pop.non_offender_entrants_per_year.total() / scale
        });
        Roster {
            initial,
            year_first_id,
            first_non_offender,
            non_offender_entrants,
            non_offender_year_first_id,
            entrant_shares,
            first_year: p.run.start.year(),
            total,
            start_day: p.run.start.day(),
            horizon_day: p.run.horizon.day(),
        }
    }

    /// Whether person `id` was there on the start date (else an entrant).
    fn at_start(&self, id: u64) -> bool {
        id < self.initial || (self.first_non_offender..self.non_offender_entrants).contains(&id)
    }

    /// The calendar year (as an index from the start's) in which entrant `id`
    /// enters.
    fn entry_year_index(&self, id: u64) -> usize {
        let firsts = if id < self.first_non_offender {
            &self.year_first_id
        } else {
            &self.non_offender_year_first_id
        };
        firsts.partition_point(|&first| first <= id) - 1
    }

    /// The window of days in which person `id` can enter.
    fn entry_window(&self, id: u64) -> (i32, i32) {
        if self.at_start(id) {
            return (self.start_day, self.start_day);
        }
        let k = self.entry_year_index(id);
        let year = self.first_year + k as i32;
        let a = Date::year_start(year).day().max(self.start_day);
        let b = Date::year_start(year + 1).day().min(self.horizon_day);
        (a, b)
    }

    /// The stream id of the person at `index` (0..total): an offender's is the
    /// index; the people who never offend take ids from
    /// [`NON_OFFENDER_STREAM_BASE`], so their draws do not move when the number
    /// of offenders does (a projection variant, a fitted entry rate).
    pub fn stream_id(&self, index: u64) -> u64 {
        if index < self.first_non_offender {
            index
        } else {
            NON_OFFENDER_STREAM_BASE + (index - self.first_non_offender)
        }
    }

    /// Draw the attributes of the person at `index` from their own stream.
    pub fn person(&self, p: &Params, seed: u64, index: u64) -> Person {
        let id = index;
        let pop = &p.population;
        let sid = self.stream_id(index);
        let mut rng = stream(seed, sid, Process::Attributes);
        let (a, b) = self.entry_window(id);
        let entry_day = if b > a { rng.random_range(a..b) } else { a };
        let u: f64 = rng.random();
        if id >= self.first_non_offender {
            let mut person = self.non_offender(p, id, entry_day, u, &mut rng);
            person.id = sid;
            return person;
        }
        let shares = if id < self.initial {
            &pop.substance_share
        } else {
            &self.entrant_shares[self.entry_year_index(id).min(self.entrant_shares.len() - 1)]
        };
        let substance = draw_substance(shares, u);
        let male = rng.random::<f64>() < pop.male_share;
        let e: f64 = Exp1.sample(&mut rng);
        let mut age = pop.entry_age_min + pop.entry_age_mean_excess * e;
        let mut career_years = 0.0;
        if id < self.initial {
            // Already part-way through a career on the start date.
            let elapsed: f64 = Exp1.sample(&mut rng);
            career_years = 6.0 * elapsed;
            age += career_years;
        }
        let age = age.min(80.0);
        let birth_day = entry_day - (age * DAYS_PER_YEAR) as i32;
        let shape = pop.propensity_shape.get(substance);
        let propensity = Gamma::new(shape, 1.0 / shape)
            .expect("validated shape")
            .sample(&mut rng);
        let offences = p.offending.offence_rate.get(substance) * propensity;
        let risk_score = (100.0 * (1.0 - (-offences / 10.0).exp())).round() as u8;
        let unstable_housing = rng.random::<f64>() < pop.unstable_housing_share.get(substance);
        let mental_health = rng.random::<f64>() < pop.mental_health_share.get(substance);
        // A record built over the years already offended: proven offences at the
        // group's yearly rate, scaled by propensity.
        let mean_priors = pop.prior_offences_per_year.get(substance) * propensity * career_years;
        let prior_offences = if mean_priors > 0.0 {
            Poisson::new(mean_priors)
                .expect("positive mean")
                .sample(&mut rng)
                .min(u16::MAX as f64) as u16
        } else {
            0
        };
        Person {
            id,
            substance,
            male,
            birth_day,
            entry_day,
            exit_day: entry_day,
            propensity: propensity as f32,
            risk_score,
            unstable_housing,
            mental_health,
            prior_offences,
            offends: true,
        }
    }

    /// Someone with a drug or alcohol problem and no offending career: group in
    /// the shares of their population (`u`), age as an offender's of the same
    /// kind (at the start or entering), no propensity, record or risk.
    fn non_offender(
        &self,
        p: &Params,
        id: u64,
        entry_day: i32,
        u: f64,
        rng: &mut crate::rng::Stream,
    ) -> Person {
        let pop = &p.population;
        let at_start = self.at_start(id);
        let shares = if at_start {
            &pop.non_offenders_initial
        } else {
            &pop.non_offender_entrants_per_year
        };
        let substance = draw_substance(&shares.normalised(), u);
        let male = rng.random::<f64>() < pop.male_share;
        let e: f64 = Exp1.sample(rng);
        let mut age = pop.entry_age_min + pop.entry_age_mean_excess * e;
        if at_start {
            let elapsed: f64 = Exp1.sample(rng);
            age += 6.0 * elapsed;
        }
        let age = age.min(80.0);
        let unstable_housing = rng.random::<f64>() < pop.unstable_housing_share.get(substance);
        let mental_health = rng.random::<f64>() < pop.mental_health_share.get(substance);
        Person {
            id,
            substance,
            male,
            birth_day: entry_day - (age * DAYS_PER_YEAR) as i32,
            entry_day,
            exit_day: entry_day,
            propensity: 0.0,
            risk_score: 0,
            unstable_housing,
            mental_health,
            prior_offences: 0,
            offends: false,
        }
    }
}

/// The substance group a uniform `u` falls in, by cumulative shares.
fn draw_substance(shares: &BySubstance, u: f64) -> Substance {
    let mut acc = 0.0;
    for s in Substance::ALL {
        acc += shares.get(s);
        if u < acc {
            return s;
        }
    }
    Substance::None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roster_counts_follow_scale_and_entry_rate() {
        let mut p = Params::default();
        p.run.scale = 100.0;
        let r = Roster::new(&p);
        let pop = &p.population;
        let initial = (pop.initial_offenders / 100.0).round();
        assert_eq!(r.initial as f64, initial);
        let years = (p.run.horizon.as_f64() - p.run.start.as_f64()) / DAYS_PER_YEAR;
        // Each year's entrants: the declared shares, the heroin/crack group's
        // moved by the initiation inputs in the middle of the year.
        let heroin = series::relative_path(&p.calendar, Input::HeroinInitiation, 1.0);
        let crack = series::relative_path(&p.calendar, Input::CrackInitiation, 1.0);
        let fte = series::relative_path(&p.calendar, Input::FirstTimeEntrants, 1.0);
        let c = pop.crack_entrant_share;
        let e = pop.first_time_entrants_elasticity;
        let s = &pop.substance_share;
        let mut expected = initial;
        for year in p.run.start.year()..p.run.horizon.year() {
            let mid = Date::ymd(year, 7, 1).as_f64();
            let opiates = s.opiates_crack * ((1.0 - c) * heroin.at(mid) + c * crack.at(mid));
            let others = (s.other_drugs + s.alcohol + s.none) * fte.at(mid).powf(e);
            let days = (Date::year_start(year + 1).day() - Date::year_start(year).day()) as f64;
            expected += pop.entrants_per_year / 100.0 * (opiates + others) * days / DAYS_PER_YEAR;
        }
        assert!(
            (r.first_non_offender as f64 - expected).abs() <= 1.0,
            "{} vs {expected}",
            r.first_non_offender
        );
        // Then the people who never offend, at the start and entering.
        let non = (pop.non_offenders_initial.total() / 100.0).round()
            + pop.non_offender_entrants_per_year.total() / 100.0 * years;
        assert!(
            ((r.total - r.first_non_offender) as f64 - non).abs() <= 1.0,
            "{} vs {non}",
            r.total - r.first_non_offender
        );
    }

    #[test]
    fn only_people_active_at_the_start_carry_previous_offences_at_their_groups_rate() {
        let mut p = Params::default();
        p.run.scale = 200.0;
        let r = Roster::new(&p);
        // New careers start with a clean record.
        assert!((r.initial..r.total)
            .step_by(13)
            .all(|id| r.person(&p, 5, id).prior_offences == 0));
        // People active at the start: the mean is rate x propensity x years offended,
        // with years offended Exp(mean 6) independent of propensity (mean 1), so the
        // heroin/crack group's mean record is about 6 x its yearly rate.
        let (mut n, mut sum) = (0.0, 0.0);
        for id in 0..r.initial {
            let person = r.person(&p, 5, id);
            if person.substance == Substance::OpiatesCrack {
                n += 1.0;
                sum += person.prior_offences as f64;
            }
        }
        let expected = 6.0 * p.population.prior_offences_per_year.opiates_crack;
        let mean = sum / n;
        assert!(n > 200.0, "{n}");
        // The age cap at 80 trims a few careers; 15% covers it and the noise.
        assert!(
            (mean - expected).abs() < 0.15 * expected,
            "{mean} vs {expected}"
        );
    }

    #[test]
    fn people_who_never_offend_come_after_the_offenders_in_their_shares() {
        let mut p = Params::default();
        p.run.scale = 100.0;
        p.population.non_offenders_initial = BySubstance::new(0.0, 100_000.0, 300_000.0, 0.0);
        let r = Roster::new(&p);
        // Offenders keep their ids whatever the non-offending population.
        let mut q = p.clone();
        q.population.non_offenders_initial = BySubstance::new(0.0, 0.0, 0.0, 0.0);
        q.population.non_offender_entrants_per_year = BySubstance::new(0.0, 0.0, 0.0, 0.0);
        let r0 = Roster::new(&q);
        assert_eq!(r.first_non_offender, r0.total);
        for id in (0..r0.total).step_by(101) {
            assert_eq!(r.person(&p, 9, id), r0.person(&q, 9, id));
        }
        let start = p.run.start.day();
        let n = (p.population.non_offenders_initial.total() / 100.0).round() as u64;
        let (mut alcohol, mut other) = (0.0_f64, 0.0_f64);
        for id in r.first_non_offender..r.first_non_offender + n {
            let person = r.person(&p, 9, id);
            assert!(!person.offends && person.prior_offences == 0);
            assert_eq!(person.entry_day, start, "there at the start");
            match person.substance {
                Substance::Alcohol => alcohol += 1.0,
                Substance::OtherDrugs => other += 1.0,
                s => panic!("{s:?} has no one who never offends here"),
            }
        }
        let share = alcohol / (alcohol + other);
        assert!((share - 0.75).abs() < 0.03, "{share}");
        // Entrants enter within their year.
        for id in (r.first_non_offender + n..r.total).step_by(7) {
            let person = r.person(&p, 9, id);
            let (a, b) = r.entry_window(id);
            assert!(!person.offends && person.entry_day >= a && person.entry_day < b);
        }
    }

    #[test]
    fn people_who_never_offend_keep_their_draws_when_the_offenders_change() {
        let mut p = Params::default();
        p.run.scale = 500.0;
        let mut q = p.clone();
        q.population.entrants_per_year *= 1.5;
        let (r, s) = (Roster::new(&p), Roster::new(&q));
        assert!(s.first_non_offender > r.first_non_offender);
        let n = r.total - r.first_non_offender;
        assert_eq!(n, s.total - s.first_non_offender);
        for k in (0..n).step_by(37) {
            let a = r.person(&p, 4, r.first_non_offender + k);
            let b = s.person(&q, 4, s.first_non_offender + k);
            assert_eq!(a, b, "the same person, the same stream id");
            assert_eq!(a.id, NON_OFFENDER_STREAM_BASE + k);
        }
    }

    #[test]
    fn entrants_enter_within_their_year() {
        let mut p = Params::default();
        p.run.scale = 1000.0;
        let r = Roster::new(&p);
        for id in (r.initial..r.total).step_by(7) {
            let person = r.person(&p, 1, id);
            let (a, b) = r.entry_window(id);
            assert!(person.entry_day >= a && person.entry_day < b.max(a + 1));
        }
    }

    #[test]
    fn attribute_shares_match_parameters() {
        let p = Params::default();
        let r = Roster::new(&p);
        let n = 20000u64;
        let pdu = (0..n)
            .filter(|&i| r.person(&p, 3, i).substance == Substance::OpiatesCrack)
            .count() as f64
            / n as f64;
        assert!(
            (pdu - p.population.substance_share.opiates_crack).abs() < 0.015,
            "{pdu}"
        );
    }
}

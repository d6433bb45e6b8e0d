//! Offending and arrest, drug testing in police custody, DIP assessment and referral.

use super::model::{by_band, by_group, daily};
use crate::calendar::Date;
use crate::calendar::DAYS_PER_YEAR;
use crate::history::{EventKind, Person, Route};
use crate::parameter::{parameters, BySubstance};
use crate::pathway::PersonSim;
use rand::RngExt;

parameters! {
    /// Offending (as arrests), its variation over a career, and desistance.
    pub struct OffendingParams in "offending" {
        /// Arrests a year under age 25 (age effects act in 5-year bands, evaluated at
        /// mid-band), propensity 1, stable phase, out of treatment.
        arrest_rate: BySubstance = [fitted, 1.5, 1.5, 1.4], "arrests per year", 0.0, 100.0,
            "calibrated to ukdpc_arrestee_pdu_share, nao_pilot_reconviction_2y, ukdpc_reconviction_noncompleters";
        /// Proportional fall in the arrest rate per year of age over 25.
        age_decline: f64 = 0.03, "per year of age", 0.0, 1.0,
            "assumption: age-crime curve";
        /// Arrest-rate multiplier for people with unstable housing.
        unstable_housing_multiplier: f64 = 1.3, "multiplier", 0.0, 100.0,
            "assumption";
        /// Arrest-rate multiplier for people with a mental health problem.
        mental_health_multiplier: f64 = 1.1, "multiplier", 0.0, 100.0,
            "assumption";
        /// Rate of entering a crisis phase of chaotic use and high offending (per year).
        crisis_onset_rate: BySubstance = [fitted, 0.25, 0.15, 0.0], "per year", 0.0, 100.0,
            "calibrated (docs/calibration.md) for opiates_crack; assumed mechanism: periods of chaotic use drive selection into treatment (regression to the mean)";
        /// Rate of leaving a crisis phase (per year).
        crisis_recovery_rate: f64 = fitted, "per year", 0.0, 100.0,
            "calibrated (docs/calibration.md); assumed mechanism: crises last months, not years";
        /// Arrest-rate multiplier during a crisis phase.
        crisis_offending_multiplier: f64 = fitted, "multiplier", 1.0, 100.0,
            "calibrated to nta_dropout_reduction (the before/after fall without much treatment)";
        /// Share of arrests that are for trigger offences (acquisitive crime, drug offences).
        trigger_share: BySubstance = [0.65, 0.40, 0.20, 0.30], "share of arrests", 0.0, 1.0,
            "assumption: PDU offending is mostly acquisitive (ukdpc_weekly_user_acquisitive_12m vs ukdpc_other_arrestee_acquisitive_12m)";
        /// Desistance rate (per year) under age 30 (5-year bands, evaluated at mid-band).
        desistance_rate: BySubstance = [fitted, 0.10, 0.09, 0.12], "per year", 0.0, 10.0,
            "calibrated (docs/calibration.md) for opiates_crack; assumption for the others: careers of about 10 years";
        /// Proportional rise in the desistance rate per year of age over 30.
        desistance_age_increase: f64 = 0.03, "per year of age", 0.0, 1.0,
            "assumption";
    }
}

parameters! {
    /// Drug testing in police custody: roll-out and test results.
    pub struct TestingParams in "testing" {
        /// Pilot testing on arrest starts.
        pilot_start: Date = (2001, 7, 1), "date", 0.0, 0.0,
            "assumption: arrest-referral testing pilots (UKDPC 2008 history)";
        /// Share of trigger-offence arrests tested during the pilot.
        pilot_coverage: f64 = 0.10, "share of trigger arrests", 0.0, 1.0,
            "assumption: pilot areas";
        /// DIP roll-out of testing on arrest.
        start: Date = (2003, 4, 1), "date", 0.0, 0.0,
            "DIP launched April 2003 (UKDPC 2008)";
        /// Share of trigger-offence arrests tested after the DIP roll-out.
        coverage: f64 = 0.50, "share of trigger arrests", 0.0, 1.0,
            "assumption: DIP intensive areas first";
        /// Further roll-out (Tough Choices, testing on arrest).
        expansion_start: Date = (2006, 4, 1), "date", 0.0, 0.0,
            "Tough Choices, April 2006 (UKDPC 2008)";
        /// Share of trigger-offence arrests tested after the further roll-out.
        expansion_coverage: f64 = 0.85, "share of trigger arrests", 0.0, 1.0,
            "assumption: most custody suites by 2006/07";
        /// Probability a test is positive for opiates or cocaine, out of treatment.
        positive_probability: BySubstance = [fitted, fitted, 0.05, 0.03], "probability", 0.0, 1.0,
            "calibrated to ukdpc_positive_test_rate";
        /// Multiplier on that probability while in treatment.
        in_treatment_positive_multiplier: f64 = 0.7, "multiplier", 0.0, 1.0,
            "assumption: treatment reduces but does not stop use";
    }
}

parameters! {
    /// Drug Interventions Programme: assessment after a positive test, and referral.
    pub struct DipParams in "dip" {
        start: Date = (2003, 4, 1), "date", 0.0, 0.0,
            "DIP launched April 2003 (UKDPC 2008)";
        /// Required assessment (attendance compulsory after a positive test).
        required_assessment_start: Date = (2006, 4, 1), "date", 0.0, 0.0,
            "required assessment, Drugs Act 2005, from April 2006";
        /// Probability a positive tester is assessed before required assessment.
        voluntary_assessment_probability: f64 = 0.5, "probability", 0.0, 1.0,
            "assumption";
        /// Probability once assessment is required.
        required_assessment_probability: f64 = 0.9, "probability", 0.0, 1.0,
            "assumption: required assessment (2006) made assessment near universal";
        /// Probability an assessed person not in treatment starts treatment via DIP.
        treatment_probability: BySubstance = [fitted, fitted, 0.10, 0.0], "probability", 0.0, 1.0,
            "calibrated to ukdpc_dip_treatment_entries";
        /// Mean days from assessment to treatment start (exponential).
        treatment_delay_days_mean: f64 = 21.0, "days", 0.0, 3650.0,
            "assumption: DIP fast-tracks entry within weeks";
    }
}

/// The offending career compiled for the hot loop: per-day rates by substance group
/// and age-band multipliers.
#[derive(Debug, Clone)]
pub struct OffendingRates {
    pub arrest_rate: [f64; 4],
    pub housing_mult: f64,
    pub mental_health_mult: f64,
    pub crisis_onset: [f64; 4],
    pub crisis_recovery: f64,
    pub crisis_mult: f64,
    pub trigger_share: [f64; 4],
    pub desistance: [f64; 4],
    /// Arrest and desistance multipliers by age band.
    pub age_offending: Vec<f64>,
    pub age_desistance: Vec<f64>,
}

impl OffendingRates {
    pub fn new(o: &OffendingParams) -> Self {
        OffendingRates {
            arrest_rate: daily(&o.arrest_rate),
            housing_mult: o.unstable_housing_multiplier,
            mental_health_mult: o.mental_health_multiplier,
            crisis_onset: daily(&o.crisis_onset_rate),
            crisis_recovery: o.crisis_recovery_rate / DAYS_PER_YEAR,
            crisis_mult: o.crisis_offending_multiplier,
            trigger_share: by_group(&o.trigger_share),
            desistance: daily(&o.desistance_rate),
            age_offending: by_band(|a| (-o.age_decline * (a - 25.0).max(0.0)).exp()),
            age_desistance: by_band(|a| (o.desistance_age_increase * (a - 30.0).max(0.0)).exp()),
        }
    }
}

/// Testing on arrest compiled: roll-out dates as day numbers, and the hook a
/// lever uses to extend testing from a date.
#[derive(Debug, Clone)]
pub struct TestingRates {
    pub pilot_start: f64,
    pub pilot_coverage: f64,
    pub start: f64,
    pub coverage: f64,
    pub expansion_start: f64,
    pub expansion_coverage: f64,
    pub positive_p: [f64; 4],
    pub in_treatment_positive_mult: f64,
    /// Hook: from a date, these coverages replace the roll-out's (closed by default).
    pub extension: TestingExtension,
}

/// Testing coverage from a date on, for trigger and other arrests.
#[derive(Debug, Clone, Copy)]
pub struct TestingExtension {
    pub from: f64,
    pub trigger: f64,
    pub non_trigger: f64,
}

impl TestingExtension {
    pub const NONE: TestingExtension = TestingExtension {
        from: f64::INFINITY,
        trigger: 0.0,
        non_trigger: 0.0,
    };
}

impl TestingRates {
    pub fn new(t: &TestingParams, extension: TestingExtension) -> Self {
        TestingRates {
            pilot_start: t.pilot_start.as_f64(),
            pilot_coverage: t.pilot_coverage,
            start: t.start.as_f64(),
            coverage: t.coverage,
            expansion_start: t.expansion_start.as_f64(),
            expansion_coverage: t.expansion_coverage,
            positive_p: by_group(&t.positive_probability),
            in_treatment_positive_mult: t.in_treatment_positive_multiplier,
            extension,
        }
    }
}

/// DIP assessment and referral compiled.
#[derive(Debug, Clone)]
pub struct DipRates {
    pub start: f64,
    pub required_assessment_start: f64,
    pub voluntary_assessment_p: f64,
    pub required_assessment_p: f64,
    pub treatment_p: [f64; 4],
    pub delay_mean: f64,
}

impl DipRates {
    pub fn new(d: &DipParams) -> Self {
        DipRates {
            start: d.start.as_f64(),
            required_assessment_start: d.required_assessment_start.as_f64(),
            voluntary_assessment_p: d.voluntary_assessment_probability,
            required_assessment_p: d.required_assessment_probability,
            treatment_p: by_group(&d.treatment_probability),
            delay_mean: d.treatment_delay_days_mean,
        }
    }
}

/// The offending career's slice of a person's state.
#[derive(Debug, Clone)]
pub struct OffendingState {
    /// In a crisis phase of chaotic use and high offending.
    pub crisis: bool,
    /// Fixed arrest-rate multiplier: propensity x housing x mental health.
    pub person_mult: f64,
    /// Age-band multipliers of the arrest and desistance rates.
    pub age_mult: f64,
    pub desist_age_mult: f64,
    /// The career goes on (false after desistance).
    pub active: bool,
    /// Days of the last positive tests on arrest (most recent first).
    pub positive_tests: [f64; 3],
}

impl OffendingState {
    /// The age band's multipliers of the arrest and desistance rates.
    pub fn set_age_band(&mut self, rates: &OffendingRates, band: usize) {
        self.age_mult = rates.age_offending[band];
        self.desist_age_mult = rates.age_desistance[band];
    }

    /// Custody ends a crisis phase.
    pub fn leave_crisis(&mut self) {
        self.crisis = false;
    }

    /// At the start of the career: in crisis when `u` falls below the stationary
    /// share of time in crisis, with the person's fixed multiplier.
    pub fn at_entry(rates: &OffendingRates, person: &Person, u: f64) -> Self {
        let onset = rates.crisis_onset[person.substance.index()];
        let p_crisis = if onset + rates.crisis_recovery > 0.0 {
            onset / (onset + rates.crisis_recovery)
        } else {
            0.0
        };
        let housing = if person.unstable_housing {
            rates.housing_mult
        } else {
            1.0
        };
        let mental_health = if person.mental_health {
            rates.mental_health_mult
        } else {
            1.0
        };
        OffendingState::new(
            u < p_crisis,
            person.propensity as f64 * housing * mental_health,
        )
    }

    pub fn new(crisis: bool, person_mult: f64) -> Self {
        OffendingState {
            crisis,
            person_mult,
            age_mult: 1.0,
            desist_age_mult: 1.0,
            active: true,
            positive_tests: [f64::NEG_INFINITY; 3],
        }
    }
}

impl PersonSim<'_> {
    /// Arrests per day: group rate x propensity x age x crisis x treatment effect.
    pub(crate) fn arrest_rate(&self) -> f64 {
        if self.custody.in_custody {
            return 0.0;
        }
        let m = self.m;
        let treatment = if self.treatment.episode.is_some() {
            m.treatment.offending_in_treatment
        } else if self.treatment.completed_ever {
            m.treatment.offending_after_completion
        } else {
            1.0
        };
        let crisis = if self.offending.crisis {
            m.offending.crisis_mult
        } else {
            1.0
        };
        m.offending.arrest_rate[self.g]
            * self.offending.person_mult
            * self.offending.age_mult
            * crisis
            * treatment
            * self.offending_hook()
    }

    /// Rate of switching phase: into crisis when stable, out of it when in crisis.
    pub(crate) fn crisis_rate(&self) -> f64 {
        if self.custody.in_custody {
            0.0
        } else if self.offending.crisis {
            self.m.offending.crisis_recovery
        } else {
            self.m.offending.crisis_onset[self.g]
        }
    }

    /// Share of arrests tested on this day, for trigger and other offences.
    fn testing_coverage(&self, trigger: bool) -> f64 {
        let m = self.m;
        let t = self.t;
        if !m.iv.testing.open(t) {
            return 0.0;
        }
        if t >= m.testing.extension.from {
            return if trigger {
                m.testing.extension.trigger
            } else {
                m.testing.extension.non_trigger
            };
        }
        if !trigger {
            0.0
        } else if t >= m.testing.expansion_start {
            m.testing.expansion_coverage
        } else if t >= m.testing.start {
            m.testing.coverage
        } else if t >= m.testing.pilot_start {
            m.testing.pilot_coverage
        } else {
            0.0
        }
    }

    /// An arrest: trigger offence or not, test, DIP, and a possible court case.
    pub(crate) fn on_arrest(&mut self) {
        let m = self.m;
        // Fixed draws per arrest keep this stream aligned across scenarios.
        let [u_trigger, u_tested, u_positive, u_assess, u_refer]: [f64; 5] =
            std::array::from_fn(|_| self.arrest_rng.get().random());
        let trigger = u_trigger < m.offending.trigger_share[self.g];
        self.record(EventKind::Arrest, trigger as u8, 0);
        if u_tested < self.testing_coverage(trigger) {
            let mut p_pos = m.testing.positive_p[self.g];
            if self.treatment.episode.is_some() {
                p_pos *= m.testing.in_treatment_positive_mult;
            }
            let positive = u_positive < p_pos;
            self.record(EventKind::Test, positive as u8, 0);
            if positive {
                self.offending.positive_tests = [
                    self.t,
                    self.offending.positive_tests[0],
                    self.offending.positive_tests[1],
                ];
                self.intensive_partnership();
            }
            if positive && self.t >= m.dip.start {
                let required = self.t >= m.dip.required_assessment_start
                    && m.iv.required_assessment.open(self.t);
                let p_assess = if required {
                    m.dip.required_assessment_p
                } else {
                    m.dip.voluntary_assessment_p
                };
                if u_assess < p_assess {
                    self.record(EventKind::DipAssessment, required as u8, 0);
                    if self.treatment.episode.is_none()
                        && self.treatment.pending.is_infinite()
                        && u_refer < m.dip.treatment_p[self.g]
                    {
                        let delay = Self::exp_days(&mut self.arrest_rng, m.dip.delay_mean);
                        self.refer_to_treatment(self.t + delay, Route::Dip);
                    }
                } else if required {
                    self.failed_assessment();
                }
            }
        }
        let u_convict: f64 = self.court_rng.get().random();
        let delay = Self::exp_days(&mut self.court_rng, m.court.delay_mean);
        if u_convict < m.court.conviction_p && !self.diverted() {
            let offence_day = self.t;
            self.add_case(self.t + delay, offence_day);
            if self.tested_positive_today() {
                self.restriction_on_bail();
            }
        }
    }

    /// Desistance ends a career; not possible in custody, in treatment, on an order
    /// or with a court case pending (so no committed offence goes unconvicted).
    pub(crate) fn desistance_rate(&self) -> f64 {
        if self.custody.in_custody
            || self.treatment.episode.is_some()
            || self.orders.kind.is_some()
            || self.court.n_cases > 0
        {
            0.0
        } else {
            self.m.offending.desistance[self.g] * self.offending.desist_age_mult
        }
    }

    pub(crate) fn on_desistance(&mut self) {
        self.record(EventKind::Desistance, 0, 0);
        self.offending.active = false;
    }

    /// A switch of phase: into a crisis when stable, out of it when in one.
    pub(crate) fn on_crisis_switch(&mut self) {
        self.offending.crisis = !self.offending.crisis;
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit;
    use crate::calendar::{Date, DAYS_PER_YEAR};
    use crate::history::{Route, Substance};

    #[test]
    fn arrest_rate_is_the_product_of_its_factors() {
        let p = crate::params::baseline();
        let m = testkit::model();
        let mut events = Vec::new();
        let mut s = testkit::sim(&m, testkit::person(Substance::Alcohol, 35.0), &mut events);
        s.offending.crisis = false;
        // Band 35-40 at 37.5: exp(-decline x 12.5).
        let age = (-p.offending.age_decline * 12.5).exp();
        let base = p.offending.arrest_rate.alcohol / DAYS_PER_YEAR * age;
        assert!(
            (s.arrest_rate() - base).abs() < 1e-15,
            "{} vs {base}",
            s.arrest_rate()
        );
        s.offending.crisis = true;
        let crisis = base * p.offending.crisis_offending_multiplier;
        assert!((s.arrest_rate() - crisis).abs() < 1e-15);
        s.treatment.episode = Some(Route::Voluntary);
        let treated = crisis * p.treatment.offending_multiplier_in_treatment;
        assert!((s.arrest_rate() - treated).abs() < 1e-15);
        s.custody.in_custody = true;
        assert_eq!(s.arrest_rate(), 0.0);
    }

    #[test]
    fn testing_coverage_follows_the_roll_out_and_the_extension_hook() {
        let m = testkit::model_with(|p| {
            p.levers.testing_extended.enabled = true;
            p.levers.testing_extended.start = Date::ymd(2026, 4, 1);
        });
        let t = &crate::params::baseline().testing;
        let mut events = Vec::new();
        let mut s = testkit::sim(
            &m,
            testkit::person(Substance::OpiatesCrack, 30.0),
            &mut events,
        );
        for (date, trigger, other) in [
            (Date::ymd(2001, 1, 1), 0.0, 0.0),
            (t.pilot_start, t.pilot_coverage, 0.0),
            (t.start, t.coverage, 0.0),
            (t.expansion_start, t.expansion_coverage, 0.0),
            (Date::ymd(2026, 4, 1), 1.0, 0.8),
        ] {
            s.t = date.as_f64();
            assert_eq!(
                s.testing_coverage(true),
                trigger,
                "trigger arrests on {date}"
            );
            assert_eq!(s.testing_coverage(false), other, "other arrests on {date}");
        }
    }

    #[test]
    fn nobody_desists_with_a_case_pending_in_treatment_custody_or_on_an_order() {
        let m = testkit::model();
        let mut events = Vec::new();
        let mut s = testkit::sim(&m, testkit::person(Substance::None, 27.0), &mut events);
        assert_eq!(s.desistance_rate(), m.offending.desistance[3]);
        s.add_case(s.t + 30.0, s.t);
        assert_eq!(s.desistance_rate(), 0.0);
        assert_eq!(s.close_case(0), s.t);
        assert_eq!(s.desistance_rate(), m.offending.desistance[3]);
        s.treatment.episode = Some(Route::Voluntary);
        assert_eq!(s.desistance_rate(), 0.0);
    }
}

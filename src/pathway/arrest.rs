//! Offending and arrest, drug testing in police custody, DIP assessment and referral.

use crate::calendar::Date;
use crate::history::{EventKind, Route};
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
        /// Proportional fall in the arrest rate per year of age over 25.
        unstable_housing_multiplier: f64 = 1.3, "multiplier", 0.0, 100.0,
            "assumption";
        /// Proportional fall in the arrest rate per year of age over 25.
        mental_health_multiplier: f64 = 1.1, "multiplier", 0.0, 100.0,
            "assumption";
        /// Rate of entering a crisis phase of chaotic use and high offending (per year).
        crisis_onset_rate: BySubstance = [fitted, 0.25, 0.15, 0.0], "per year", 0.0, 100.0,
            "assumption: periods of chaotic use drive selection into treatment (regression to the mean)";
        /// Rate of leaving a crisis phase (per year).
        crisis_recovery_rate: f64 = fitted, "per year", 0.0, 100.0,
            "assumption: crises last months, not years";
        /// Arrest-rate multiplier during a crisis phase.
        crisis_offending_multiplier: f64 = fitted, "multiplier", 1.0, 100.0,
            "calibrated to nta_dropout_reduction (the before/after fall without much treatment)";
        /// Share of arrests that are for trigger offences (acquisitive crime, drug offences).
        trigger_share: BySubstance = [0.65, 0.40, 0.20, 0.30], "share of arrests", 0.0, 1.0,
            "assumption: PDU offending is mostly acquisitive (ukdpc_weekly_user_acquisitive_12m vs ukdpc_other_arrestee_acquisitive_12m)";
        /// Desistance rate (per year) under age 30 (5-year bands, evaluated at mid-band).
        desistance_rate: BySubstance = [fitted, 0.10, 0.09, 0.12], "per year", 0.0, 10.0,
            "assumption: careers of about 10 years, longer for PDUs";
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
        /// DIP roll-out of testing on arrest.
        coverage: f64 = 0.50, "share of trigger arrests", 0.0, 1.0,
            "assumption: DIP intensive areas first";
        /// Further roll-out (Tough Choices, testing on arrest).
        expansion_start: Date = (2006, 4, 1), "date", 0.0, 0.0,
            "Tough Choices, April 2006 (UKDPC 2008)";
        /// Further roll-out (Tough Choices, testing on arrest).
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

impl PersonSim<'_> {
    /// Arrests per day: group rate x propensity x age x crisis x treatment effect.
    pub(crate) fn arrest_rate(&self) -> f64 {
        if self.in_custody {
            return 0.0;
        }
        let m = self.m;
        let treatment = if self.treatment.is_some() {
            m.offending_in_treatment
        } else if self.completed_ever {
            m.offending_after_completion
        } else {
            1.0
        };
        let crisis = if self.crisis { m.crisis_mult } else { 1.0 };
        m.arrest_rate[self.g]
            * self.person_mult
            * self.age_mult
            * crisis
            * treatment
            * self.scheme_offending_mult()
    }

    /// Rate of switching phase: into crisis when stable, out of it when in crisis.
    pub(crate) fn crisis_rate(&self) -> f64 {
        if self.in_custody {
            0.0
        } else if self.crisis {
            self.m.crisis_recovery
        } else {
            self.m.crisis_onset[self.g]
        }
    }

    /// Share of arrests tested on this day, for trigger and other offences.
    fn testing_coverage(&self, trigger: bool) -> f64 {
        let m = self.m;
        let t = self.t;
        if !m.iv.testing.open(t) {
            return 0.0;
        }
        if t >= m.testing_extended_from {
            return if trigger {
                m.extended_trigger_coverage
            } else {
                m.non_trigger_coverage
            };
        }
        if !trigger {
            0.0
        } else if t >= m.testing_expansion_start {
            m.testing_expansion_coverage
        } else if t >= m.testing_start {
            m.testing_coverage
        } else if t >= m.testing_pilot_start {
            m.testing_pilot_coverage
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
        let trigger = u_trigger < m.trigger_share[self.g];
        self.record(EventKind::Arrest, trigger as u8, 0);
        if u_tested < self.testing_coverage(trigger) {
            let mut p_pos = m.positive_p[self.g];
            if self.treatment.is_some() {
                p_pos *= m.in_treatment_positive_mult;
            }
            let positive = u_positive < p_pos;
            self.record(EventKind::Test, positive as u8, 0);
            if positive {
                self.positive_tests = [self.t, self.positive_tests[0], self.positive_tests[1]];
                self.intensive_partnership();
            }
            if positive && self.t >= m.dip_start {
                let required =
                    self.t >= m.required_assessment_start && m.iv.required_assessment.open(self.t);
                let p_assess = if required {
                    m.required_assessment_p
                } else {
                    m.voluntary_assessment_p
                };
                if u_assess < p_assess {
                    self.record(EventKind::DipAssessment, required as u8, 0);
                    if self.treatment.is_none()
                        && self.pending_treatment.is_infinite()
                        && u_refer < m.dip_treatment_p[self.g]
                    {
                        let delay = Self::exp_days(&mut self.arrest_rng, m.dip_delay_mean);
                        self.pending_treatment = self.t + delay;
                        self.pending_route = Route::Dip;
                    }
                } else if required {
                    self.failed_assessment();
                }
            }
        }
        let u_convict: f64 = self.court_rng.get().random();
        let delay = Self::exp_days(&mut self.court_rng, m.court_delay_mean);
        if u_convict < m.conviction_p && !self.diverted() {
            let offence_day = self.t;
            self.add_case(self.t + delay, offence_day);
            if self.tested_positive_today() {
                self.restriction_on_bail();
            }
        }
    }
}

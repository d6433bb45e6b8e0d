//! Offending and arrest, drug testing in police custody, DIP assessment and referral.

use crate::history::{EventKind, Route};
use crate::pathway::PersonSim;
use rand::RngExt;

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

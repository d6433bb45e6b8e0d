//! Intervention schemes on top of the core pathway (src/interventions.rs has the
//! parameters, evidence grades and sources): cautions and diversion at arrest,
//! restriction on bail, the intensive partnership, drug courts, low-intensity
//! orders and programmes on community orders, prison treatment and programmes at
//! reception, and the waiting list for treatment places.
//!
//! Each scheme at arrest draws from its own random stream (`Process::Schemes`
//! for cautions, `Diversion`, `Bail`, `Intensive`, `AssessmentFailure`), and the
//! court, prison and waiting-list families from theirs (`CourtSchemes`,
//! `Prison`, `Waiting`) a fixed number of draws per decision, so switching a
//! scheme on changes the histories of the people it reaches and no one else's.

use crate::history::{EventKind, Route};
use crate::interventions::Scheme;
use crate::pathway::PersonSim;
use rand::RngExt;

/// What court schemes make of a new order: a shorter end (low intensity) and
/// breach and arrest multipliers (drug court, low intensity).
#[derive(Debug, Clone, Copy)]
pub struct OrderTerms {
    pub end: Option<f64>,
    pub breach_mult: f64,
    pub offending_mult: f64,
}

/// The schemes' slice of a person's state.
#[derive(Debug, Clone)]
pub struct SchemeState {
    /// Arrest-rate multiplier of a scheme's effect (a caution, a programme), until
    /// `effect_until`.
    pub effect_mult: f64,
    pub effect_until: f64,
    /// Set at reception by prison schemes, used at release: the post-release
    /// death multiplier, the continuity-of-care multiplier, and a programme's
    /// effect (multiplier, days).
    pub release_death_mult: f64,
    pub continuity_mult: f64,
    pub programme_effect: (f64, f64),
}

/// At the start of a career.
impl Default for SchemeState {
    fn default() -> Self {
        SchemeState {
            effect_mult: 1.0,
            effect_until: f64::NEG_INFINITY,
            release_death_mult: 1.0,
            continuity_mult: 1.0,
            programme_effect: (1.0, 0.0),
        }
    }
}

impl PersonSim<'_> {
    /// Arrest-rate multiplier from schemes: a caution's or programme's effect while
    /// it lasts, a drug-court order, an intensively managed episode.
    #[inline]
    pub(crate) fn scheme_offending_mult(&self) -> f64 {
        let mut r = 1.0;
        if self.t < self.schemes.effect_until {
            r *= self.schemes.effect_mult;
        }
        if self.orders.kind.is_some() {
            r *= self.orders.offending_mult;
        }
        if self.treatment.intensive_episode {
            r *= self.m.iv.intensive_offending_mult;
        }
        r
    }

    /// A scheme's effect on offending starts now and lasts `days`.
    fn start_effect(&mut self, mult: f64, days: f64) {
        self.schemes.effect_mult = mult;
        self.schemes.effect_until = self.t + days;
    }

    /// At release: a prison programme's effect on offending starts.
    pub(crate) fn start_programme_effect(&mut self) {
        let (mult, days) = std::mem::replace(&mut self.schemes.programme_effect, (1.0, 0.0));
        if mult != 1.0 {
            self.start_effect(mult, days);
        }
    }

    /// A scheme's effect on offending has run its course.
    pub(crate) fn end_scheme_effect(&mut self) {
        self.schemes.effect_until = f64::NEG_INFINITY;
    }

    /// Whether the latest test on arrest was positive and today.
    pub(crate) fn tested_positive_today(&self) -> bool {
        self.offending.positive_tests[0] == self.t
    }

    /// Refer to treatment after an exponential delay drawn from the uniform `u`
    /// (drawn with the decision, so every decision takes a fixed number of draws).
    fn refer(&mut self, delay_mean: f64, u: f64, route: Route) {
        self.refer_to_treatment(self.t - delay_mean * (1.0 - u).ln(), route);
    }

    fn can_be_referred(&self) -> bool {
        self.treatment.episode.is_none()
            && self.treatment.pending.is_infinite()
            && !self.custody.in_custody
    }

    /// A positive test: people with enough recent positive tests are engaged by
    /// the intensive partnership's caseworkers (Best et al. 2010).
    pub(crate) fn intensive_partnership(&mut self) {
        let iv = &self.m.iv;
        if !iv.intensive.open(self.t) || !self.can_be_referred() {
            return;
        }
        let n = iv
            .intensive_min_tests
            .clamp(1, self.offending.positive_tests.len());
        if self.t - self.offending.positive_tests[n - 1] >= 365.0 {
            return;
        }
        let [u_cover, u_treat, u_delay]: [f64; 3] =
            std::array::from_fn(|_| self.intensive_rng.get().random());
        if u_cover >= iv.intensive_coverage {
            return;
        }
        self.record(
            EventKind::Intervention,
            Scheme::IntensivePartnership as u8,
            0,
        );
        if u_treat < iv.intensive_treatment_p {
            self.refer(self.m.dip.delay_mean, u_delay, Route::Dip);
            self.mark_referral_intensive();
        }
    }

    /// A required assessment not attended: an offence, sometimes prosecuted.
    pub(crate) fn failed_assessment(&mut self) {
        self.record(EventKind::AssessmentFailed, 0, 0);
        let [u, u_delay]: [f64; 2] = std::array::from_fn(|_| self.assessment_rng.get().random());
        if u < self.m.iv.failure_prosecution_p {
            let delay = -self.m.court.delay_mean * (1.0 - u_delay).ln();
            self.add_case(self.t + delay, self.t);
        }
    }

    /// A prosecutable arrest of a drug user early in their record may be diverted
    /// (diversion scheme first, then a conditional caution). Returns true when no
    /// prosecution follows: the condition was met.
    pub(crate) fn diverted(&mut self) -> bool {
        if !self.person.substance.uses_drugs() || self.custody.in_custody {
            return false;
        }
        let iv = &self.m.iv;
        for (scheme, d) in [
            (Scheme::Diversion, iv.diversion),
            (Scheme::ConditionalCaution, iv.caution),
        ] {
            if !d.window.open(self.t) || self.court.priors as f64 > d.max_priors {
                continue;
            }
            let rng = match scheme {
                Scheme::Diversion => &mut self.diversion_rng,
                _ => &mut self.caution_rng,
            };
            let [u_cover, u_treat, u_comply, u_delay]: [f64; 4] =
                std::array::from_fn(|_| rng.get().random());
            if u_cover >= d.coverage.at(self.t) {
                continue;
            }
            self.record(EventKind::Intervention, scheme as u8, 0);
            if u_treat < d.treatment_p && self.can_be_referred() {
                self.refer(self.m.dip.delay_mean, u_delay, Route::Dip);
            }
            if d.offending_mult != 1.0 {
                self.start_effect(d.offending_mult, d.effect_days);
            }
            return u_comply < d.comply_p;
        }
        false
    }

    /// A positive tester facing prosecution may be bailed on condition of a
    /// treatment assessment.
    pub(crate) fn restriction_on_bail(&mut self) {
        let iv = &self.m.iv;
        if !iv.bail.open(self.t) || !self.can_be_referred() {
            return;
        }
        let [u_cover, u_treat, u_delay]: [f64; 3] =
            std::array::from_fn(|_| self.bail_rng.get().random());
        if u_cover >= iv.bail_coverage {
            return;
        }
        self.record(EventKind::Intervention, Scheme::RestrictionOnBail as u8, 0);
        if u_treat < iv.bail_treatment_p {
            self.refer(self.m.dip.delay_mean, u_delay, Route::Dip);
        }
    }

    /// A new order: low intensity or a drug court for DTTO/DRR orders, and
    /// accredited programmes for drug users on any order.
    pub(crate) fn order_schemes(&mut self, kind: crate::history::OrderKind) -> OrderTerms {
        use crate::history::OrderKind;
        let iv = &self.m.iv;
        let mut terms = OrderTerms {
            end: None,
            breach_mult: 1.0,
            offending_mult: 1.0,
        };
        if !self.person.substance.uses_drugs() {
            return terms;
        }
        let [u_low, u_court, u_a, u_b]: [f64; 4] =
            std::array::from_fn(|_| self.court_scheme_rng.get().random());
        if matches!(kind, OrderKind::Dtto | OrderKind::Drr) {
            if iv.low_intensity.open(self.t) && u_low < iv.low_intensity_share {
                self.record(EventKind::Intervention, Scheme::LowIntensityOrder as u8, 0);
                terms.end = Some(self.t + iv.low_intensity_days);
                terms.breach_mult *= iv.low_intensity_breach_mult;
            }
            if iv.drug_court.open(self.t) && u_court < iv.drug_court_coverage.at(self.t) {
                self.record(EventKind::Intervention, Scheme::DrugCourt as u8, 0);
                terms.breach_mult *= iv.drug_court_breach_mult;
                terms.offending_mult = iv.drug_court_offending_mult;
            }
        }
        for (prog, u) in iv.community_programmes.into_iter().zip([u_a, u_b]) {
            if prog.window.open(self.t) && u < prog.coverage.at(self.t) {
                self.record(EventKind::Intervention, prog.scheme as u8, 0);
                if prog.offending_mult != 1.0 {
                    self.start_effect(prog.offending_mult, prog.effect_days);
                }
            }
        }
        terms
    }

    /// Reception into custody with `days` to serve: CARAT, detox or maintenance
    /// (more of it in IDTS prisons), and programmes for those serving long enough.
    pub(crate) fn prison_reception(&mut self, days: f64) {
        let iv = &self.m.iv;
        self.schemes.release_death_mult = 1.0;
        self.schemes.continuity_mult = 1.0;
        self.schemes.programme_effect = (1.0, 0.0);
        if !self.person.substance.uses_drugs() {
            return;
        }
        let t = self.t;
        let [u_carat, u_idts, u_detox, u_place]: [f64; 4] =
            std::array::from_fn(|_| self.prison_rng.get().random());
        if iv.carat.open(t) && u_carat < iv.carat_coverage.at(t) {
            self.record(EventKind::Intervention, Scheme::Carat as u8, 0);
            self.schemes.continuity_mult *= iv.carat_continuity_mult;
        }
        // Detoxification is for drug-dependent prisoners (UKDPC), not only
        // opiate users; the post-release overdose risk it lowers is mostly theirs.
        {
            let mut detox_coverage = iv.detox_coverage.at(t);
            if iv.idts.open(t) && u_idts < iv.idts_coverage.at(t) {
                self.record(EventKind::Intervention, Scheme::Idts as u8, 0);
                self.schemes.continuity_mult *= iv.idts_continuity_mult;
                detox_coverage = detox_coverage.max(iv.idts_detox_coverage);
            }
            if iv.detox.open(t) && u_detox < detox_coverage {
                self.record(EventKind::Intervention, Scheme::DetoxMaintenance as u8, 0);
                self.schemes.release_death_mult = iv.detox_death_mult;
                self.schemes.continuity_mult *= iv.detox_continuity_mult;
            }
        }
        let place_share = if iv.capacity.open(t) {
            iv.plan.prison_share(t)
        } else {
            1.0
        };
        for prog in iv.prison_programmes {
            let u: f64 = self.prison_rng.get().random();
            if !prog.window.open(t) || days < prog.min_days || u >= prog.coverage.at(t) {
                continue;
            }
            if u_place >= place_share {
                self.record(EventKind::NoPlace, prog.scheme as u8, 0);
                continue;
            }
            self.record(EventKind::Intervention, prog.scheme as u8, 0);
            if prog.offending_mult < self.schemes.programme_effect.0 {
                self.schemes.programme_effect = (prog.offending_mult, prog.effect_days);
            }
        }
    }
}

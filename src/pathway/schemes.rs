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

impl PersonSim<'_> {
    /// Arrest-rate multiplier from schemes: a caution's or programme's effect while
    /// it lasts, a drug-court order, an intensively managed episode.
    #[inline]
    pub(crate) fn scheme_offending_mult(&self) -> f64 {
        let mut r = 1.0;
        if self.t < self.effect_until {
            r *= self.effect_mult;
        }
        if self.order.is_some() {
            r *= self.order_offending_mult;
        }
        if self.intensive_episode {
            r *= self.m.iv.intensive_offending_mult;
        }
        r
    }

    /// Whether the latest test on arrest was positive and today.
    pub(crate) fn tested_positive_today(&self) -> bool {
        self.positive_tests[0] == self.t
    }

    /// Refer to treatment after an exponential delay drawn from the uniform `u`
    /// (drawn with the decision, so every decision takes a fixed number of draws).
    fn refer(&mut self, delay_mean: f64, u: f64, route: Route) {
        self.pending_treatment = self.t - delay_mean * (1.0 - u).ln();
        self.pending_route = route;
    }

    fn can_be_referred(&self) -> bool {
        self.treatment.is_none() && self.pending_treatment.is_infinite() && !self.in_custody
    }

    /// A positive test: people with enough recent positive tests are engaged by
    /// the intensive partnership's caseworkers (Best et al. 2010).
    pub(crate) fn intensive_partnership(&mut self) {
        let iv = &self.m.iv;
        if !iv.intensive.open(self.t) || !self.can_be_referred() {
            return;
        }
        let n = iv.intensive_min_tests.clamp(1, self.positive_tests.len());
        if self.t - self.positive_tests[n - 1] >= 365.0 {
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
            self.intensive_pending = true;
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
        if !self.person.substance.uses_drugs() || self.in_custody {
            return false;
        }
        let iv = &self.m.iv;
        for (scheme, d) in [
            (Scheme::Diversion, iv.diversion),
            (Scheme::ConditionalCaution, iv.caution),
        ] {
            if !d.window.open(self.t) || self.priors as f64 > d.max_priors {
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
                self.effect_mult = d.offending_mult;
                self.effect_until = self.t + d.effect_days;
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
    pub(crate) fn order_schemes(&mut self, kind: crate::history::OrderKind) {
        use crate::history::OrderKind;
        let iv = &self.m.iv;
        self.order_breach_mult = 1.0;
        self.order_offending_mult = 1.0;
        if !self.person.substance.uses_drugs() {
            return;
        }
        let [u_low, u_court, u_a, u_b]: [f64; 4] =
            std::array::from_fn(|_| self.court_scheme_rng.get().random());
        if matches!(kind, OrderKind::Dtto | OrderKind::Drr) {
            if iv.low_intensity.open(self.t) && u_low < iv.low_intensity_share {
                self.record(EventKind::Intervention, Scheme::LowIntensityOrder as u8, 0);
                self.order_end = self.t + iv.low_intensity_days;
                self.order_breach_mult *= iv.low_intensity_breach_mult;
            }
            if iv.drug_court.open(self.t) && u_court < iv.drug_court_coverage.at(self.t) {
                self.record(EventKind::Intervention, Scheme::DrugCourt as u8, 0);
                self.order_breach_mult *= iv.drug_court_breach_mult;
                self.order_offending_mult = iv.drug_court_offending_mult;
            }
        }
        for (prog, u) in iv.community_programmes.into_iter().zip([u_a, u_b]) {
            if prog.window.open(self.t) && u < prog.coverage.at(self.t) {
                self.record(EventKind::Intervention, prog.scheme as u8, 0);
                if prog.offending_mult != 1.0 {
                    self.effect_mult = prog.offending_mult;
                    self.effect_until = self.t + prog.effect_days;
                }
            }
        }
    }

    /// Reception into custody with `days` to serve: CARAT, detox or maintenance
    /// (more of it in IDTS prisons), and programmes for those serving long enough.
    pub(crate) fn prison_reception(&mut self, days: f64) {
        let iv = &self.m.iv;
        self.release_death_mult = 1.0;
        self.continuity_mult = 1.0;
        self.programme_effect = (1.0, 0.0);
        if !self.person.substance.uses_drugs() {
            return;
        }
        let t = self.t;
        let [u_carat, u_idts, u_detox, u_place]: [f64; 4] =
            std::array::from_fn(|_| self.prison_rng.get().random());
        if iv.carat.open(t) && u_carat < iv.carat_coverage.at(t) {
            self.record(EventKind::Intervention, Scheme::Carat as u8, 0);
            self.continuity_mult *= iv.carat_continuity_mult;
        }
        // Detoxification is for drug-dependent prisoners (UKDPC), not only
        // opiate users; the post-release overdose risk it lowers is mostly theirs.
        {
            let mut detox_coverage = iv.detox_coverage.at(t);
            if iv.idts.open(t) && u_idts < iv.idts_coverage.at(t) {
                self.record(EventKind::Intervention, Scheme::Idts as u8, 0);
                self.continuity_mult *= iv.idts_continuity_mult;
                detox_coverage = detox_coverage.max(iv.idts_detox_coverage);
            }
            if iv.detox.open(t) && u_detox < detox_coverage {
                self.record(EventKind::Intervention, Scheme::DetoxMaintenance as u8, 0);
                self.release_death_mult = iv.detox_death_mult;
                self.continuity_mult *= iv.detox_continuity_mult;
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
            if prog.offending_mult < self.programme_effect.0 {
                self.programme_effect = (prog.offending_mult, prog.effect_days);
            }
        }
    }

    /// A treatment start is due (voluntary entry, or a referral arriving): with
    /// capacity limits in force the person joins the waiting list, waits the
    /// list's current wait, and may give up first.
    pub(crate) fn request_treatment(&mut self, route: Route) {
        let iv = &self.m.iv;
        if self.treatment.is_some() || self.in_custody {
            return;
        }
        if !iv.capacity.open(self.t) {
            self.start_treatment(route);
            return;
        }
        let wait = iv.plan.wait(self.t, route.is_criminal_justice());
        self.record(
            EventKind::WaitlistJoin,
            route as u8,
            wait.round().min(u16::MAX as f64) as u16,
        );
        if wait <= 0.0 {
            self.start_treatment(route);
            return;
        }
        let give_up = Self::exp_days(&mut self.waiting_rng, 1.0 / iv.give_up_rate);
        // The pending start is either the end of the wait or the day they give up;
        // either way the person counts as on their way to treatment until then.
        self.waiting = if give_up < wait {
            self.pending_treatment = self.t + give_up;
            Waiting::GivingUp
        } else {
            self.pending_treatment = self.t + wait;
            Waiting::Served
        };
        self.pending_route = route;
        self.waiting_since = self.t;
    }

    /// The pending treatment start is due: start, join the list, or give up.
    pub(crate) fn on_pending_treatment(&mut self) {
        self.pending_treatment = f64::INFINITY;
        let route = self.pending_route;
        match std::mem::replace(&mut self.waiting, Waiting::No) {
            Waiting::Served => self.start_treatment(route),
            Waiting::No => self.request_treatment(route),
            Waiting::GivingUp => {
                self.intensive_pending = false;
                let days = (self.t - self.waiting_since).round().min(u16::MAX as f64);
                self.record(EventKind::WaitlistGiveUp, route as u8, days as u16);
            }
        }
    }
}

/// Where a pending treatment start stands with the waiting list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waiting {
    /// Not on a list: the start is a referral arriving.
    No,
    /// The wait is over: start.
    Served,
    /// The person gives up on this day.
    GivingUp,
}

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

use super::model::{Coverage, Window};
use super::Params;
use crate::calendar::DAYS_PER_YEAR;
use crate::history::{EventKind, Route};
use crate::interventions::Scheme;
use crate::pathway::PersonSim;
use crate::rng::{LazyStream, Process};
use rand::RngExt;

/// A caution or diversion scheme, compiled.
#[derive(Debug, Clone, Copy)]
pub struct DiversionModel {
    pub window: Window,
    pub max_priors: f64,
    pub coverage: Coverage,
    pub treatment_p: f64,
    pub comply_p: f64,
    pub offending_mult: f64,
    pub effect_days: f64,
}

impl DiversionModel {
    fn new(d: &crate::interventions::Diversion) -> Self {
        DiversionModel {
            window: Window::new(d.enabled, d.start, d.end),
            max_priors: d.max_priors,
            coverage: Coverage::new(d.coverage, d.expansion_start, d.expansion_coverage),
            treatment_p: d.treatment_probability,
            comply_p: d.compliance_probability,
            offending_mult: d.offending_multiplier,
            effect_days: d.effect_months * DAYS_PER_YEAR / 12.0,
        }
    }
}

/// A programme (community or prison), compiled.
#[derive(Debug, Clone, Copy)]
pub struct ProgrammeModel {
    pub scheme: crate::interventions::Scheme,
    pub window: Window,
    pub coverage: Coverage,
    pub min_days: f64,
    pub offending_mult: f64,
    pub effect_days: f64,
}

impl ProgrammeModel {
    fn community(
        scheme: crate::interventions::Scheme,
        c: &crate::interventions::CommunityProgramme,
    ) -> Self {
        ProgrammeModel {
            scheme,
            window: Window::new(c.enabled, c.start, c.end),
            coverage: Coverage::new(c.coverage, c.expansion_start, c.expansion_coverage),
            min_days: 0.0,
            offending_mult: c.offending_multiplier,
            effect_days: c.effect_months * DAYS_PER_YEAR / 12.0,
        }
    }
    fn prison(
        scheme: crate::interventions::Scheme,
        c: &crate::interventions::PrisonProgramme,
    ) -> Self {
        ProgrammeModel {
            scheme,
            window: Window::new(c.enabled, c.start, c.end),
            coverage: Coverage::new(c.coverage, c.expansion_start, c.expansion_coverage),
            min_days: c.min_days_served,
            offending_mult: c.offending_multiplier,
            effect_days: c.effect_months * DAYS_PER_YEAR / 12.0,
        }
    }
}

/// Waiting times and prison-place shares by calendar year, set by
/// [`crate::capacity`] from pilot runs; all zero waits and full shares until then.
#[derive(Debug, Clone, Default)]
pub struct CapacityPlan {
    pub first_year: i32,
    /// Days to wait by year, for [criminal-justice, voluntary] referrals.
    pub wait_days: Vec<[f64; 2]>,
    /// Share of prison-programme demand that finds a place, by year.
    pub prison_share: Vec<f64>,
}

impl CapacityPlan {
    fn year(&self, t: f64) -> Option<usize> {
        let y = crate::calendar::civil_from_days(t as i32).0 - self.first_year;
        (y >= 0).then_some(y as usize)
    }
    pub fn wait(&self, t: f64, criminal_justice: bool) -> f64 {
        self.year(t)
            .and_then(|y| self.wait_days.get(y))
            .map_or(0.0, |w| w[!criminal_justice as usize])
    }
    pub fn prison_share(&self, t: f64) -> f64 {
        self.year(t)
            .and_then(|y| self.prison_share.get(y).copied())
            .unwrap_or(1.0)
    }
}

/// Every intervention scheme, compiled (see [`crate::interventions`]).
#[derive(Debug, Clone)]
pub struct SchemeModel {
    pub testing: Window,
    pub required_assessment: Window,
    pub failure_prosecution_p: f64,
    pub bail: Window,
    pub bail_coverage: f64,
    pub bail_treatment_p: f64,
    pub caution: DiversionModel,
    pub diversion: DiversionModel,
    pub dtto_drr: Window,
    pub atr: Window,
    pub low_intensity: Window,
    pub low_intensity_share: f64,
    pub low_intensity_days: f64,
    pub low_intensity_breach_mult: f64,
    pub drug_court: Window,
    pub drug_court_coverage: Coverage,
    pub drug_court_breach_mult: f64,
    pub drug_court_offending_mult: f64,
    pub community_programmes: [ProgrammeModel; 2],
    pub intensive: Window,
    pub intensive_min_tests: usize,
    pub intensive_coverage: f64,
    pub intensive_treatment_p: f64,
    pub intensive_dropout_mult: f64,
    pub intensive_offending_mult: f64,
    pub carat: Window,
    pub carat_coverage: Coverage,
    pub carat_continuity_mult: f64,
    pub detox: Window,
    pub detox_coverage: Coverage,
    pub detox_death_mult: f64,
    pub detox_continuity_mult: f64,
    pub idts: Window,
    pub idts_coverage: Coverage,
    pub idts_detox_coverage: f64,
    pub idts_continuity_mult: f64,
    pub prison_programmes: [ProgrammeModel; 6],
    pub continuity: Window,
    /// Continuity-of-care probability (from `treatment.*`, with its expansion).
    pub continuity_p: Coverage,
    pub capacity: Window,
    pub cj_priority: bool,
    pub give_up_rate: f64,
    pub plan: CapacityPlan,
}

impl SchemeModel {
    pub fn new(p: &Params) -> SchemeModel {
        use crate::interventions::{Priority, Scheme};
        let iv = &p.interventions;
        let c = &p.capacity;
        SchemeModel {
            testing: Window::until(iv.testing_on_arrest.enabled, iv.testing_on_arrest.end),
            required_assessment: Window::until(
                iv.required_assessment.enabled,
                iv.required_assessment.end,
            ),
            failure_prosecution_p: iv.required_assessment.failure_prosecution_probability,
            bail: Window::new(
                iv.restriction_on_bail.enabled,
                iv.restriction_on_bail.start,
                iv.restriction_on_bail.end,
            ),
            bail_coverage: iv.restriction_on_bail.coverage,
            bail_treatment_p: iv.restriction_on_bail.treatment_probability,
            caution: DiversionModel::new(&iv.conditional_caution),
            diversion: DiversionModel::new(&iv.diversion),
            dtto_drr: Window::until(iv.dtto_drr.enabled, iv.dtto_drr.end),
            atr: Window::until(iv.atr.enabled, iv.atr.end),
            low_intensity: Window::new(
                iv.low_intensity_order.enabled,
                iv.low_intensity_order.start,
                iv.low_intensity_order.end,
            ),
            low_intensity_share: iv.low_intensity_order.share,
            low_intensity_days: iv.low_intensity_order.months * DAYS_PER_YEAR / 12.0,
            low_intensity_breach_mult: iv.low_intensity_order.breach_multiplier,
            drug_court: Window::new(
                iv.drug_courts.enabled,
                iv.drug_courts.start,
                iv.drug_courts.end,
            ),
            drug_court_coverage: Coverage::new(
                iv.drug_courts.coverage,
                iv.drug_courts.expansion_start,
                iv.drug_courts.expansion_coverage,
            ),
            drug_court_breach_mult: iv.drug_courts.breach_multiplier,
            drug_court_offending_mult: iv.drug_courts.offending_multiplier,
            community_programmes: [
                ProgrammeModel::community(Scheme::Asro, &iv.asro),
                ProgrammeModel::community(Scheme::Osap, &iv.osap),
            ],
            intensive: Window::new(
                iv.intensive_partnership.enabled,
                iv.intensive_partnership.start,
                iv.intensive_partnership.end,
            ),
            intensive_min_tests: iv.intensive_partnership.min_positive_tests.round() as usize,
            intensive_coverage: iv.intensive_partnership.coverage,
            intensive_treatment_p: iv.intensive_partnership.treatment_probability,
            intensive_dropout_mult: iv.intensive_partnership.dropout_multiplier,
            intensive_offending_mult: iv.intensive_partnership.offending_multiplier,
            carat: Window::new(iv.carat.enabled, iv.carat.start, iv.carat.end),
            carat_coverage: Coverage::new(
                iv.carat.coverage,
                iv.carat.expansion_start,
                iv.carat.expansion_coverage,
            ),
            carat_continuity_mult: iv.carat.continuity_multiplier,
            detox: Window::new(
                iv.detox_maintenance.enabled,
                iv.detox_maintenance.start,
                iv.detox_maintenance.end,
            ),
            detox_coverage: Coverage::new(
                iv.detox_maintenance.coverage,
                iv.detox_maintenance.expansion_start,
                iv.detox_maintenance.expansion_coverage,
            ),
            detox_death_mult: iv.detox_maintenance.release_death_multiplier,
            detox_continuity_mult: iv.detox_maintenance.continuity_multiplier,
            idts: Window::new(iv.idts.enabled, iv.idts.start, iv.idts.end),
            idts_coverage: Coverage::new(
                iv.idts.coverage,
                iv.idts.expansion_start,
                iv.idts.expansion_coverage,
            ),
            idts_detox_coverage: iv.idts.detox_coverage,
            idts_continuity_mult: iv.idts.continuity_multiplier,
            prison_programmes: [
                ProgrammeModel::prison(Scheme::Rapt, &iv.rapt),
                ProgrammeModel::prison(Scheme::TherapeuticCommunity, &iv.therapeutic_community),
                ProgrammeModel::prison(Scheme::CbtHighIntensity, &iv.cbt_high_intensity),
                ProgrammeModel::prison(
                    Scheme::ShortDurationProgramme,
                    &iv.short_duration_programme,
                ),
                ProgrammeModel::prison(Scheme::Pasro, &iv.pasro),
                ProgrammeModel::prison(Scheme::DrugFreeWing, &iv.drug_free_wings),
            ],
            continuity: Window::until(iv.continuity_of_care.enabled, iv.continuity_of_care.end),
            continuity_p: Coverage::new(
                p.treatment.release_continuity_probability,
                iv.continuity_of_care.expansion_start,
                iv.continuity_of_care.expansion_probability,
            ),
            capacity: Window::new(c.enabled, c.start, c.end),
            cj_priority: c.priority == Priority::CriminalJustice,
            give_up_rate: c.give_up_rate / DAYS_PER_YEAR,
            plan: CapacityPlan::default(),
        }
    }
}

/// What court schemes make of a new order: a shorter end (low intensity) and
/// breach and arrest multipliers (drug court, low intensity).
#[derive(Debug, Clone, Copy)]
pub struct OrderTerms {
    pub end: Option<f64>,
    pub breach_mult: f64,
    pub offending_mult: f64,
}

/// The schemes' slice of a person's state, with the schemes' random streams.
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
    // Each scheme draws from its own stream, so a scheme that draws only for
    // the people it reaches moves no one else's draws. A scheme with new
    // behaviour adds its stream here (and a `Process` in `src/rng.rs`).
    pub(crate) caution_rng: LazyStream,
    pub(crate) diversion_rng: LazyStream,
    pub(crate) bail_rng: LazyStream,
    pub(crate) intensive_rng: LazyStream,
    pub(crate) assessment_rng: LazyStream,
    pub(crate) court_scheme_rng: LazyStream,
    pub(crate) prison_rng: LazyStream,
}

impl SchemeState {
    /// At the start of a career: no effect running, each stream unseeded.
    pub fn new(seed: u64, id: u64) -> Self {
        SchemeState {
            effect_mult: 1.0,
            effect_until: f64::NEG_INFINITY,
            release_death_mult: 1.0,
            continuity_mult: 1.0,
            programme_effect: (1.0, 0.0),
            caution_rng: LazyStream::new(seed, id, Process::Schemes),
            diversion_rng: LazyStream::new(seed, id, Process::Diversion),
            bail_rng: LazyStream::new(seed, id, Process::Bail),
            intensive_rng: LazyStream::new(seed, id, Process::Intensive),
            assessment_rng: LazyStream::new(seed, id, Process::AssessmentFailure),
            court_scheme_rng: LazyStream::new(seed, id, Process::CourtSchemes),
            prison_rng: LazyStream::new(seed, id, Process::Prison),
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

    /// Dropout-hazard multiplier from schemes: an intensively managed episode.
    #[inline]
    pub(crate) fn scheme_dropout_mult(&self) -> f64 {
        if self.treatment.intensive_episode {
            self.m.iv.intensive_dropout_mult
        } else {
            1.0
        }
    }

    /// When the running scheme effect ends (infinite when none runs).
    pub(crate) fn scheme_effect_end(&self) -> f64 {
        if self.schemes.effect_until > self.t {
            self.schemes.effect_until
        } else {
            f64::INFINITY
        }
    }

    /// A scheme's effect on offending starts now and lasts `days`.
    fn start_effect(&mut self, mult: f64, days: f64) {
        self.schemes.effect_mult = mult;
        self.schemes.effect_until = self.t + days;
    }

    /// The schemes' step at release: a prison programme's effect on offending
    /// starts. A scheme that acts at release adds its step here.
    pub(crate) fn schemes_at_release(&mut self) {
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
            std::array::from_fn(|_| self.schemes.intensive_rng.get().random());
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
        let [u, u_delay]: [f64; 2] =
            std::array::from_fn(|_| self.schemes.assessment_rng.get().random());
        if u < self.m.iv.failure_prosecution_p {
            let delay = -self.m.court.delay_mean * (1.0 - u_delay).ln();
            // Prosecuted means convicted here: the probability is of both.
            self.add_case(self.m.court.case_end(self.t, delay), self.t, true, false);
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
                Scheme::Diversion => &mut self.schemes.diversion_rng,
                _ => &mut self.schemes.caution_rng,
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
            let complied = u_comply < d.comply_p;
            if complied && scheme == Scheme::ConditionalCaution {
                // A conditional caution met is a proven offence.
                self.caution(crate::history::Disposal::ConditionalCaution);
            }
            return complied;
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
            std::array::from_fn(|_| self.schemes.bail_rng.get().random());
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
            std::array::from_fn(|_| self.schemes.court_scheme_rng.get().random());
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
            std::array::from_fn(|_| self.schemes.prison_rng.get().random());
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
            let u: f64 = self.schemes.prison_rng.get().random();
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

#[cfg(test)]
mod tests {
    use super::super::testkit;
    use crate::calendar::Date;
    use crate::history::{EventKind, OrderKind, Substance};
    use crate::interventions::Scheme;

    #[test]
    fn a_drug_court_sets_the_order_terms_and_is_recorded() {
        let m = testkit::model_with(|p| {
            let d = &mut p.interventions.drug_courts;
            d.enabled = true;
            d.start = Date::ymd(2009, 1, 1);
            d.coverage = 1.0;
            d.expansion_coverage = 1.0;
            d.breach_multiplier = 0.8;
            d.offending_multiplier = 0.9;
            p.interventions.low_intensity_order.enabled = false;
        });
        let mut events = Vec::new();
        let mut s = testkit::sim(
            &m,
            testkit::person(Substance::OpiatesCrack, 30.0),
            &mut events,
        );
        let terms = s.order_schemes(OrderKind::Drr);
        assert_eq!(terms.end, None);
        assert_eq!((terms.breach_mult, terms.offending_mult), (0.8, 0.9));
        assert!(s
            .events
            .iter()
            .any(|e| e.kind == EventKind::Intervention && e.detail == Scheme::DrugCourt as u8));
        // Not for plain community orders, nor for people without a drug problem.
        let plain = s.order_schemes(OrderKind::Community);
        assert_eq!((plain.breach_mult, plain.offending_mult), (1.0, 1.0));
        let mut events = Vec::new();
        let mut none = testkit::sim(&m, testkit::person(Substance::None, 30.0), &mut events);
        let t = none.order_schemes(OrderKind::Drr);
        assert_eq!((t.breach_mult, t.offending_mult), (1.0, 1.0));
    }

    #[test]
    fn a_scheme_effect_on_offending_lasts_its_days() {
        let m = testkit::model();
        let mut events = Vec::new();
        let mut s = testkit::sim(
            &m,
            testkit::person(Substance::OpiatesCrack, 30.0),
            &mut events,
        );
        assert_eq!(s.scheme_offending_mult(), 1.0);
        s.schemes.programme_effect = (0.85, 730.0);
        s.schemes_at_release();
        assert_eq!(s.scheme_offending_mult(), 0.85);
        assert_eq!(s.schemes.programme_effect, (1.0, 0.0), "used once");
        s.t += 730.0;
        assert_eq!(s.scheme_offending_mult(), 1.0);
    }
}

//! The model compiled for the hot loop: daily rates and policy dates as day numbers.

use super::Params;
use crate::calendar::DAYS_PER_YEAR;
use crate::history::{OrderKind, Substance};
use crate::parameter::BySubstance;

/// Annual rates by substance, converted to daily ones, indexed by `Substance`.
fn daily(b: &BySubstance) -> [f64; 4] {
    Substance::ALL.map(|s| b.get(s) / DAYS_PER_YEAR)
}

fn by(b: &BySubstance) -> [f64; 4] {
    Substance::ALL.map(|s| b.get(s))
}

/// A lever's switch as a day number: `f64::INFINITY` when disabled.
fn from_day(enabled: bool, start: crate::calendar::Date) -> f64 {
    if enabled {
        start.as_f64()
    } else {
        f64::INFINITY
    }
}

/// Age effects are constant within bands of this many years.
pub const AGE_BAND_YEARS: f64 = 5.0;
/// Bands 0-4, 5-9, ..., 95-99, 100+.
pub const N_AGE_BANDS: usize = 21;

/// The multiplier of a band, taken at its middle age.
fn by_band(f: impl Fn(f64) -> f64) -> Vec<f64> {
    (0..N_AGE_BANDS)
        .map(|b| f((b as f64 + 0.5) * AGE_BAND_YEARS))
        .collect()
}

/// Everything the simulation needs, in the units it uses (days, per-day rates).
#[derive(Debug, Clone)]
pub struct Model {
    pub start_day: f64,
    pub horizon_day: f64,
    // offending
    pub arrest_rate: [f64; 4],
    pub age_decline: f64,
    pub housing_mult: f64,
    pub mental_health_mult: f64,
    pub crisis_onset: [f64; 4],
    pub crisis_recovery: f64,
    pub crisis_mult: f64,
    pub trigger_share: [f64; 4],
    pub desistance: [f64; 4],
    pub desistance_age_increase: f64,
    // court
    pub conviction_p: f64,
    pub court_delay_mean: f64,
    // testing and DIP
    pub testing_pilot_start: f64,
    pub testing_pilot_coverage: f64,
    pub testing_start: f64,
    pub testing_coverage: f64,
    pub testing_expansion_start: f64,
    pub testing_expansion_coverage: f64,
    pub positive_p: [f64; 4],
    pub in_treatment_positive_mult: f64,
    pub dip_start: f64,
    pub required_assessment_start: f64,
    pub voluntary_assessment_p: f64,
    pub required_assessment_p: f64,
    pub dip_treatment_p: [f64; 4],
    pub dip_delay_mean: f64,
    // sentencing
    pub weights: [f64; 5],
    pub custody_escalation: f64,
    pub pdu_custody_mult: f64,
    pub community_escalation: f64,
    pub dtto_pilot_start: f64,
    pub dtto_pilot_coverage: f64,
    pub dtto_start: f64,
    pub drr_start: f64,
    pub dtto_share: f64,
    pub drr_share: f64,
    pub atr_share: f64,
    pub requirement_min_priors: f64,
    pub other_drugs_requirement_mult: f64,
    pub requirement_decline_start: f64,
    pub requirement_decline_per_year: f64,
    // orders, indexed by OrderKind
    pub order_days: [f64; 5],
    pub breach_rate: [f64; 5],
    pub engagement_p: [f64; 5],
    pub in_treatment_breach_mult: f64,
    pub revocation_custody_p: f64,
    pub engagement_delay_mean: f64,
    // treatment
    pub voluntary_entry: [f64; 4],
    pub crisis_entry_mult: f64,
    pub entry_after_completion_mult: f64,
    pub dropout: [f64; 3],
    pub cj_dropout_mult: f64,
    pub completion_min_days: f64,
    pub completion: [f64; 4],
    pub offending_in_treatment: f64,
    pub offending_after_completion: f64,
    pub mortality_in_treatment: f64,
    pub continuity_delay_mean: f64,
    // custody
    pub custody_days_mean: [f64; 3],
    // mortality
    pub death_base25: f64,
    pub death_doubling_years: f64,
    pub death_mult: [f64; 4],
    pub release_window: f64,
    pub release_excess: [f64; 4],
    // levers
    pub retention_from: f64,
    pub retention_mult: f64,
    pub testing_extended_from: f64,
    pub non_trigger_coverage: f64,
    pub extended_trigger_coverage: f64,
    pub community_instead_from: f64,
    pub community_instead_share: f64,
    pub access_from: f64,
    pub access_mult: f64,
    /// Days on which rates change with the calendar (lever start dates), sorted.
    pub refresh_days: Vec<f64>,
    /// Arrest, desistance and death multipliers by age band.
    pub age_offending: Vec<f64>,
    pub age_desistance: Vec<f64>,
    pub age_death: Vec<f64>,
    /// The intervention schemes.
    pub iv: SchemeModel,
}

impl Model {
    pub fn new(p: &Params) -> Model {
        let o = &p.offending;
        let t = &p.treatment;
        let s = &p.sentencing;
        let od = &p.orders;
        let lv = &p.levers;
        let month = DAYS_PER_YEAR / 12.0;
        let mut order_days = [0.0; 5];
        let mut breach_rate = [0.0; 5];
        let mut engagement_p = [0.0; 5];
        for k in OrderKind::ALL {
            let (months, breach, engage) = match k {
                OrderKind::Community | OrderKind::Suspended => {
                    (od.community_months, od.community_breach_rate, 0.0)
                }
                OrderKind::Dtto => (
                    od.dtto_months,
                    od.dtto_breach_rate,
                    od.dtto_engagement_probability,
                ),
                OrderKind::Drr => (
                    od.drr_months,
                    od.drr_breach_rate,
                    od.drr_engagement_probability,
                ),
                OrderKind::Atr => (
                    od.atr_months,
                    od.atr_breach_rate,
                    od.atr_engagement_probability,
                ),
            };
            order_days[k as usize] = months * month;
            breach_rate[k as usize] = breach / DAYS_PER_YEAR;
            engagement_p[k as usize] = engage;
        }
        let retention_from = from_day(lv.retention.enabled, lv.retention.start);
        let testing_extended_from =
            from_day(lv.testing_extended.enabled, lv.testing_extended.start);
        let community_instead_from = from_day(
            lv.community_instead_of_short_custody.enabled,
            lv.community_instead_of_short_custody.start,
        );
        let access_from = from_day(lv.treatment_access.enabled, lv.treatment_access.start);
        let mut refresh_days: Vec<f64> = Vec::new();
        for d in [retention_from, access_from] {
            if d.is_finite() {
                refresh_days.push(d);
            }
        }
        refresh_days.sort_by(f64::total_cmp);
        refresh_days.dedup();
        Model {
            start_day: p.run.start.as_f64(),
            horizon_day: p.run.horizon.as_f64(),
            arrest_rate: daily(&o.arrest_rate),
            age_decline: o.age_decline,
            housing_mult: o.unstable_housing_multiplier,
            mental_health_mult: o.mental_health_multiplier,
            crisis_onset: daily(&o.crisis_onset_rate),
            crisis_recovery: o.crisis_recovery_rate / DAYS_PER_YEAR,
            crisis_mult: o.crisis_offending_multiplier,
            trigger_share: by(&o.trigger_share),
            desistance: daily(&o.desistance_rate),
            desistance_age_increase: o.desistance_age_increase,
            conviction_p: p.court.conviction_probability,
            court_delay_mean: p.court.delay_days_mean,
            testing_pilot_start: p.testing.pilot_start.as_f64(),
            testing_pilot_coverage: p.testing.pilot_coverage,
            testing_start: p.testing.start.as_f64(),
            testing_coverage: p.testing.coverage,
            testing_expansion_start: p.testing.expansion_start.as_f64(),
            testing_expansion_coverage: p.testing.expansion_coverage,
            positive_p: by(&p.testing.positive_probability),
            in_treatment_positive_mult: p.testing.in_treatment_positive_multiplier,
            dip_start: p.dip.start.as_f64(),
            required_assessment_start: p.dip.required_assessment_start.as_f64(),
            voluntary_assessment_p: p.dip.voluntary_assessment_probability,
            required_assessment_p: p.dip.required_assessment_probability,
            dip_treatment_p: by(&p.dip.treatment_probability),
            dip_delay_mean: p.dip.treatment_delay_days_mean,
            weights: [
                s.weight_discharge_fine,
                s.weight_community,
                s.weight_suspended,
                s.weight_short_custody,
                s.weight_long_custody,
            ],
            custody_escalation: s.custody_escalation_per_prior,
            pdu_custody_mult: s.pdu_custody_multiplier,
            community_escalation: s.community_escalation_per_prior,
            dtto_pilot_start: s.dtto_pilot_start.as_f64(),
            dtto_pilot_coverage: s.dtto_pilot_coverage,
            dtto_start: s.dtto_start.as_f64(),
            drr_start: s.drr_start.as_f64(),
            dtto_share: s.dtto_share,
            drr_share: s.drr_share,
            atr_share: s.atr_share,
            requirement_min_priors: s.requirement_min_priors,
            other_drugs_requirement_mult: s.other_drugs_requirement_multiplier,
            requirement_decline_start: s.requirement_decline_start.as_f64(),
            requirement_decline_per_year: s.requirement_decline_per_year,
            order_days,
            breach_rate,
            engagement_p,
            in_treatment_breach_mult: od.in_treatment_breach_multiplier,
            revocation_custody_p: od.revocation_custody_probability,
            engagement_delay_mean: od.engagement_delay_days_mean,
            voluntary_entry: daily(&t.voluntary_entry_rate),
            crisis_entry_mult: t.crisis_entry_multiplier,
            entry_after_completion_mult: t.entry_after_completion_multiplier,
            dropout: [
                t.dropout_rate_0_3m / DAYS_PER_YEAR,
                t.dropout_rate_3_12m / DAYS_PER_YEAR,
                t.dropout_rate_12m_plus / DAYS_PER_YEAR,
            ],
            cj_dropout_mult: t.criminal_justice_dropout_multiplier,
            completion_min_days: t.completion_min_days,
            completion: daily(&t.completion_rate),
            offending_in_treatment: t.offending_multiplier_in_treatment,
            offending_after_completion: t.offending_multiplier_after_completion,
            mortality_in_treatment: t.mortality_multiplier_in_treatment,
            continuity_delay_mean: t.release_continuity_delay_days_mean,
            custody_days_mean: [
                p.custody.short_days_mean,
                p.custody.long_days_mean,
                p.custody.breach_days_mean,
            ],
            death_base25: p.mortality.base_rate_age25 / DAYS_PER_YEAR,
            death_doubling_years: p.mortality.age_doubling_years,
            death_mult: by(&p.mortality.multiplier),
            release_window: p.mortality.release_window_days,
            release_excess: daily(&p.mortality.release_excess_rate),
            retention_from,
            retention_mult: lv.retention.dropout_multiplier,
            testing_extended_from,
            non_trigger_coverage: lv.testing_extended.non_trigger_coverage,
            extended_trigger_coverage: lv.testing_extended.trigger_coverage,
            community_instead_from,
            community_instead_share: lv.community_instead_of_short_custody.share,
            access_from,
            access_mult: lv.treatment_access.entry_multiplier,
            refresh_days,
            age_offending: by_band(|a| (-o.age_decline * (a - 25.0).max(0.0)).exp()),
            age_desistance: by_band(|a| (o.desistance_age_increase * (a - 30.0).max(0.0)).exp()),
            age_death: by_band(|a| ((a - 25.0) / p.mortality.age_doubling_years).exp2()),
            iv: SchemeModel::new(p),
        }
    }
}

/// A date window `[from, until)` as day numbers; closed when the scheme is off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub from: f64,
    pub until: f64,
}

impl Window {
    pub fn new(enabled: bool, start: crate::calendar::Date, end: crate::calendar::Date) -> Self {
        if enabled {
            Window {
                from: start.as_f64(),
                until: end.as_f64(),
            }
        } else {
            Window::CLOSED
        }
    }
    /// A scheme whose start date lives with its stage: open until `end`.
    pub fn until(enabled: bool, end: crate::calendar::Date) -> Self {
        if enabled {
            Window {
                from: f64::NEG_INFINITY,
                until: end.as_f64(),
            }
        } else {
            Window::CLOSED
        }
    }
    pub const CLOSED: Window = Window {
        from: f64::INFINITY,
        until: f64::INFINITY,
    };
    #[inline]
    pub fn open(&self, t: f64) -> bool {
        t >= self.from && t < self.until
    }
}

/// A coverage that may change on a date (a scheme's expansion or cut).
#[derive(Debug, Clone, Copy)]
pub struct Coverage {
    pub base: f64,
    pub from: f64,
    pub expanded: f64,
}

impl Coverage {
    pub fn new(base: f64, from: crate::calendar::Date, expanded: f64) -> Self {
        Coverage {
            base,
            from: from.as_f64(),
            expanded,
        }
    }
    #[inline]
    pub fn at(&self, t: f64) -> f64 {
        if t >= self.from {
            self.expanded
        } else {
            self.base
        }
    }
}

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

//! The model compiled for the hot loop: daily rates and policy dates as day numbers.

use super::arrest::{DipRates, OffendingRates, TestingRates};
use super::custody::CustodyRates;
use super::mortality::MortalityRates;
use super::orders::OrderRates;
use super::sentencing::{CourtRates, SentencingRates};
use super::treatment::TreatmentRates;
use super::Params;
use crate::calendar::DAYS_PER_YEAR;
use crate::history::Substance;
use crate::parameter::BySubstance;

/// Annual rates by substance, converted to daily ones, indexed by `Substance`.
pub fn daily(b: &BySubstance) -> [f64; 4] {
    Substance::ALL.map(|s| b.get(s) / DAYS_PER_YEAR)
}

/// Values by substance, indexed by `Substance`.
pub fn by_group(b: &BySubstance) -> [f64; 4] {
    Substance::ALL.map(|s| b.get(s))
}

/// Age effects are constant within bands of this many years.
pub const AGE_BAND_YEARS: f64 = 5.0;
/// Bands 0-4, 5-9, ..., 95-99, 100+.
pub const N_AGE_BANDS: usize = 21;

/// The multiplier of a band, taken at its middle age.
pub fn by_band(f: impl Fn(f64) -> f64) -> Vec<f64> {
    (0..N_AGE_BANDS)
        .map(|b| f((b as f64 + 0.5) * AGE_BAND_YEARS))
        .collect()
}

/// Everything the simulation needs, in the units it uses (days, per-day rates):
/// each stage's compiled rates, built by the stage from its own parameters, with
/// the hooks levers fill in.
#[derive(Debug, Clone)]
pub struct Model {
    pub start_day: f64,
    pub horizon_day: f64,
    pub offending: OffendingRates,
    pub testing: TestingRates,
    pub dip: DipRates,
    pub court: CourtRates,
    pub sentencing: SentencingRates,
    pub orders: OrderRates,
    pub treatment: TreatmentRates,
    pub custody: CustodyRates,
    pub mortality: MortalityRates,
    /// Days on which rates change with the calendar (lever start dates), sorted.
    pub refresh_days: Vec<f64>,
    /// The intervention schemes.
    pub iv: SchemeModel,
}

impl Model {
    pub fn new(p: &Params) -> Model {
        let lv = &p.levers;
        let treatment = TreatmentRates::new(&p.treatment, lv.entry_change(), lv.dropout_change());
        let mut refresh_days: Vec<f64> = Vec::new();
        for d in [treatment.dropout_change.from, treatment.entry_change.from] {
            if d.is_finite() {
                refresh_days.push(d);
            }
        }
        refresh_days.sort_by(f64::total_cmp);
        refresh_days.dedup();
        Model {
            start_day: p.run.start.as_f64(),
            horizon_day: p.run.horizon.as_f64(),
            offending: OffendingRates::new(&p.offending),
            testing: TestingRates::new(&p.testing, lv.testing_extension()),
            dip: DipRates::new(&p.dip),
            court: CourtRates::new(&p.court),
            sentencing: SentencingRates::new(&p.sentencing, lv.short_custody_replaced()),
            orders: OrderRates::new(&p.orders),
            treatment,
            custody: CustodyRates::new(&p.custody),
            mortality: MortalityRates::new(&p.mortality),
            refresh_days,
            iv: SchemeModel::new(p),
        }
    }
}

/// A multiplier that applies from a date on (a lever's hook on a rate); the
/// date is infinite when the lever is off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DatedMultiplier {
    pub from: f64,
    pub multiplier: f64,
}

impl DatedMultiplier {
    pub const NONE: DatedMultiplier = DatedMultiplier {
        from: f64::INFINITY,
        multiplier: 1.0,
    };
    /// `rate`, multiplied if the day `t` is on or after the start.
    #[inline]
    pub fn apply(&self, rate: f64, t: f64) -> f64 {
        if t >= self.from {
            rate * self.multiplier
        } else {
            rate
        }
    }
}

/// A share of decisions changed from a date on (a lever's hook on a decision).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DatedShare {
    pub from: f64,
    pub share: f64,
}

impl DatedShare {
    pub const NONE: DatedShare = DatedShare {
        from: f64::INFINITY,
        share: 0.0,
    };
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

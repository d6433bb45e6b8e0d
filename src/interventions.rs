//! The interventions England and Wales run for drug-using offenders (UKDPC 2008),
//! each a scenario block that can be switched on or off, dated, scaled and given
//! an effect.
//!
//! Three kinds of block:
//! - interventions the core pathway already has (testing on arrest, required
//!   assessment, DTTO/DRR, ATR, continuity of care): their start dates, coverage
//!   and effects are calibrated and live with their stage (`testing.*`, `dip.*`,
//!   `sentencing.*`, `treatment.*`); the block here adds the on/off switch and an
//!   end date;
//! - new schemes (cautions, diversion, bail, drug courts, programmes, prison
//!   treatment, the intensive partnership) with eligibility, coverage and effects;
//! - [`Capacity`]: an optional limit on treatment places with a waiting list.
//!
//! [`CATALOGUE`] gives each intervention its stage, the UKDPC evidence grade, the
//! seed figures and the effect keys; effects of interventions the UKDPC found
//! unevaluated default to none, and [`unevaluated_effects`] lists any a scenario
//! sets, so every output built on them says so. docs/interventions.md is the table.

use crate::calendar::Date;
use crate::parameter::{collect_numeric, p, ParamInfo};
use serde::{Deserialize, Serialize};

fn far_future() -> Date {
    Date::ymd(2100, 1, 1)
}

/// An intervention the core pathway models: switch and end date only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Switch {
    pub enabled: bool,
    /// Withdrawn from this date (its start date lives with its stage).
    pub end: Date,
}

impl Default for Switch {
    fn default() -> Self {
        Switch {
            enabled: true,
            end: far_future(),
        }
    }
}

/// Continuity of care from prison to community treatment at release (its
/// probability is `treatment.release_continuity_probability`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContinuityOfCare {
    pub enabled: bool,
    pub end: Date,
    /// From this date the probability becomes `expansion_probability`.
    pub expansion_start: Date,
    pub expansion_probability: f64,
}

impl Default for ContinuityOfCare {
    fn default() -> Self {
        ContinuityOfCare {
            enabled: true,
            end: far_future(),
            expansion_start: far_future(),
            expansion_probability: 0.25,
        }
    }
}

/// Required assessment after a positive test: refusing it is an offence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RequiredAssessment {
    pub enabled: bool,
    pub end: Date,
    /// Probability a person who fails to attend a required assessment is
    /// prosecuted for it (a new court case).
    pub failure_prosecution_probability: f64,
}

impl Default for RequiredAssessment {
    fn default() -> Self {
        RequiredAssessment {
            enabled: true,
            end: far_future(),
            failure_prosecution_probability: 0.3,
        }
    }
}

/// A caution or diversion instead of prosecution, with a drug condition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Diversion {
    pub enabled: bool,
    pub start: Date,
    pub end: Date,
    /// Eligibility: drug users (opiates/crack, other drugs) with at most this many
    /// prior convictions, arrested for an offence that would be prosecuted.
    pub max_priors: f64,
    /// Share of eligible cases diverted.
    pub coverage: f64,
    /// From this date coverage becomes `expansion_coverage` (a dated scale-up or cut).
    pub expansion_start: Date,
    pub expansion_coverage: f64,
    /// Probability the condition leads to a treatment start.
    pub treatment_probability: f64,
    /// Probability the condition is met; otherwise the original offence is prosecuted.
    pub compliance_probability: f64,
    /// Effect beyond treatment: arrest-rate multiplier for `effect_months` (1 = none).
    pub offending_multiplier: f64,
    pub effect_months: f64,
}

/// Serde needs a default for partial blocks; scenario loading fills them from
/// the baseline's own block instead, so these are never what a user gets.
impl Default for Diversion {
    fn default() -> Self {
        Diversion::diversion_scheme()
    }
}

impl Default for CommunityProgramme {
    fn default() -> Self {
        CommunityProgramme::new(Date::ymd(2000, 4, 1), 0.0)
    }
}

impl Default for PrisonProgramme {
    fn default() -> Self {
        PrisonProgramme::new(Date::ymd(2000, 4, 1), 0.0, 0.0, 1.0)
    }
}

impl Diversion {
    fn conditional_caution() -> Self {
        Diversion {
            enabled: true,
            start: Date::ymd(2004, 4, 1),
            end: far_future(),
            max_priors: 2.0,
            coverage: 0.00176,
            expansion_start: far_future(),
            expansion_coverage: 0.00176,
            treatment_probability: 0.5,
            compliance_probability: 0.7,
            offending_multiplier: 1.0,
            effect_months: 12.0,
        }
    }
    fn diversion_scheme() -> Self {
        Diversion {
            enabled: false,
            start: Date::ymd(2026, 4, 1),
            end: far_future(),
            max_priors: 3.0,
            coverage: 0.5,
            expansion_start: far_future(),
            expansion_coverage: 0.5,
            treatment_probability: 0.5,
            compliance_probability: 0.7,
            offending_multiplier: 1.0,
            effect_months: 12.0,
        }
    }
}

/// Restriction on bail: treatment assessment as a condition of court bail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RestrictionOnBail {
    pub enabled: bool,
    pub start: Date,
    pub end: Date,
    /// Share of positive testers facing prosecution (not in treatment) given the condition.
    pub coverage: f64,
    /// Probability the condition leads to a treatment start before court.
    pub treatment_probability: f64,
}

impl Default for RestrictionOnBail {
    fn default() -> Self {
        RestrictionOnBail {
            enabled: false,
            start: Date::ymd(2006, 4, 1),
            end: far_future(),
            coverage: 0.8,
            treatment_probability: 0.2,
        }
    }
}

/// Drug courts: DTTOs and DRRs reviewed by the same sentencer, problem-solving.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DrugCourts {
    pub enabled: bool,
    pub start: Date,
    pub end: Date,
    /// Share of DTTO/DRR orders made in a drug court.
    pub coverage: f64,
    /// From this date coverage becomes `expansion_coverage` (a dated scale-up or cut).
    pub expansion_start: Date,
    pub expansion_coverage: f64,
    /// Breach-rate multiplier for drug-court orders.
    pub breach_multiplier: f64,
    /// Arrest-rate multiplier while on a drug-court order.
    pub offending_multiplier: f64,
}

impl Default for DrugCourts {
    fn default() -> Self {
        DrugCourts {
            enabled: true,
            start: Date::ymd(2005, 12, 1),
            end: far_future(),
            coverage: 0.02,
            expansion_start: far_future(),
            expansion_coverage: 0.02,
            breach_multiplier: 0.8,
            offending_multiplier: 0.9,
        }
    }
}

/// The low-intensity DTTO/DRR for less prolific offenders (from 2004-05).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LowIntensityOrder {
    pub enabled: bool,
    pub start: Date,
    pub end: Date,
    /// Share of DTTO/DRR orders made at low intensity.
    pub share: f64,
    /// Length of a low-intensity order (months).
    pub months: f64,
    /// Breach-rate multiplier (less contact, fewer chances to breach).
    pub breach_multiplier: f64,
}

impl Default for LowIntensityOrder {
    fn default() -> Self {
        LowIntensityOrder {
            enabled: true,
            start: Date::ymd(2004, 4, 1),
            end: far_future(),
            share: crate::parameter::fitted("interventions.low_intensity_order.share"),
            months: 6.0,
            breach_multiplier: 0.6,
        }
    }
}

/// An accredited programme attached to a community order (ASRO, OSAP).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CommunityProgramme {
    pub enabled: bool,
    pub start: Date,
    pub end: Date,
    /// Share of new community and suspended orders for drug users with the programme.
    pub coverage: f64,
    /// From this date coverage becomes `expansion_coverage` (a dated scale-up or cut).
    pub expansion_start: Date,
    pub expansion_coverage: f64,
    /// Arrest-rate multiplier for `effect_months` after the order starts (1 = none).
    pub offending_multiplier: f64,
    pub effect_months: f64,
}

impl CommunityProgramme {
    fn new(start: Date, coverage: f64) -> Self {
        CommunityProgramme {
            enabled: true,
            start,
            end: far_future(),
            coverage,
            expansion_start: far_future(),
            expansion_coverage: coverage,
            offending_multiplier: 1.0,
            effect_months: 12.0,
        }
    }
}

/// A prison-based programme or regime for drug users (RAPt, therapeutic
/// communities, CBT, short duration programmes, P-ASRO, drug-free wings).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrisonProgramme {
    pub enabled: bool,
    pub start: Date,
    pub end: Date,
    /// Share of eligible receptions (drug users with long enough to serve) who take part.
    pub coverage: f64,
    /// From this date coverage becomes `expansion_coverage` (a dated scale-up or cut).
    pub expansion_start: Date,
    pub expansion_coverage: f64,
    /// Eligibility: days to serve at reception.
    pub min_days_served: f64,
    /// Arrest-rate multiplier for `effect_months` after release (1 = none).
    pub offending_multiplier: f64,
    pub effect_months: f64,
}

impl PrisonProgramme {
    fn new(start: Date, coverage: f64, min_days_served: f64, offending_multiplier: f64) -> Self {
        PrisonProgramme {
            enabled: true,
            start,
            end: far_future(),
            coverage,
            expansion_start: far_future(),
            expansion_coverage: coverage,
            min_days_served,
            offending_multiplier,
            effect_months: 24.0,
        }
    }
}

/// CARAT: assessment, advice and throughcare for drug users in prison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Carat {
    pub enabled: bool,
    pub start: Date,
    pub end: Date,
    /// Share of drug-user receptions assessed.
    pub coverage: f64,
    /// From this date coverage becomes `expansion_coverage` (a dated scale-up or cut).
    pub expansion_start: Date,
    pub expansion_coverage: f64,
    /// Multiplier on the probability of continuity of care at release (1 = none).
    pub continuity_multiplier: f64,
}

impl Default for Carat {
    fn default() -> Self {
        Carat {
            enabled: true,
            start: Date::ymd(1999, 4, 1),
            end: far_future(),
            coverage: 0.855,
            expansion_start: far_future(),
            expansion_coverage: 0.855,
            continuity_multiplier: 1.0,
        }
    }
}

/// Detoxification or maintenance prescribing (opioid substitution) in prison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetoxMaintenance {
    pub enabled: bool,
    pub start: Date,
    pub end: Date,
    /// Share of drug users' receptions treated (opiates/crack and other drugs).
    pub coverage: f64,
    /// From this date coverage becomes `expansion_coverage` (a dated scale-up or cut).
    pub expansion_start: Date,
    pub expansion_coverage: f64,
    /// Multiplier on the excess death rate of the post-release window.
    pub release_death_multiplier: f64,
    /// Multiplier on the probability of continuity of care at release.
    pub continuity_multiplier: f64,
}

impl Default for DetoxMaintenance {
    fn default() -> Self {
        DetoxMaintenance {
            enabled: true,
            start: Date::ymd(1990, 1, 1),
            end: far_future(),
            coverage: 0.568,
            expansion_start: far_future(),
            expansion_coverage: 0.568,
            release_death_multiplier: 0.8,
            continuity_multiplier: 1.0,
        }
    }
}

/// The Integrated Drug Treatment System: better clinical treatment and
/// coordination in a share of prisons.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Idts {
    pub enabled: bool,
    pub start: Date,
    pub end: Date,
    /// Share of receptions into an IDTS prison.
    pub coverage: f64,
    /// From this date coverage becomes `expansion_coverage` (a dated scale-up or cut).
    pub expansion_start: Date,
    pub expansion_coverage: f64,
    /// Detox or maintenance coverage of drug users' receptions in an IDTS prison.
    pub detox_coverage: f64,
    /// Multiplier on the probability of continuity of care at release (1 = none).
    pub continuity_multiplier: f64,
}

impl Default for Idts {
    fn default() -> Self {
        Idts {
            enabled: true,
            start: Date::ymd(2008, 4, 1),
            end: far_future(),
            coverage: 0.38,
            expansion_start: far_future(),
            expansion_coverage: 0.38,
            detox_coverage: 0.9,
            continuity_multiplier: 1.0,
        }
    }
}

/// Intensive police and treatment partnership for high-rate offenders
/// (Best et al. 2010): caseworkers engage people with repeated positive tests.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IntensivePartnership {
    pub enabled: bool,
    pub start: Date,
    pub end: Date,
    /// Eligibility: positive tests on arrest in the past 365 days (up to 3 are tracked).
    pub min_positive_tests: f64,
    /// Share of eligible people (areas with a partnership).
    pub coverage: f64,
    /// Probability an eligible person not in treatment is engaged into treatment.
    pub treatment_probability: f64,
    /// Dropout multiplier during an intensively managed episode.
    pub dropout_multiplier: f64,
    /// Arrest-rate multiplier during an intensively managed episode (1 = none
    /// beyond treatment's own effect).
    pub offending_multiplier: f64,
}

impl Default for IntensivePartnership {
    fn default() -> Self {
        IntensivePartnership {
            enabled: false,
            start: Date::ymd(2026, 4, 1),
            end: far_future(),
            min_positive_tests: 3.0,
            coverage: 1.0,
            treatment_probability: 0.8,
            dropout_multiplier: 0.6,
            offending_multiplier: 1.0,
        }
    }
}

/// Who goes first when treatment places are short.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Everyone waits the same.
    FirstCome,
    /// Criminal-justice referrals first (the 2008 strategy's proposal).
    CriminalJustice,
}

/// Treatment places: an optional limit, with a waiting list when demand exceeds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Capacity {
    pub enabled: bool,
    pub start: Date,
    pub end: Date,
    /// Community treatment starts a year the services can take.
    pub community_places_per_year: f64,
    /// Prison programme places a year (RAPt, therapeutic communities, CBT,
    /// short duration programmes, P-ASRO, drug-free wings together).
    pub prison_places_per_year: f64,
    pub priority: Priority,
    /// Rate (per year) at which people on the waiting list give up.
    pub give_up_rate: f64,
}

impl Default for Capacity {
    fn default() -> Self {
        Capacity {
            enabled: false,
            start: Date::ymd(2026, 4, 1),
            end: far_future(),
            community_places_per_year: 200_000.0,
            prison_places_per_year: 12_000.0,
            priority: Priority::FirstCome,
            give_up_rate: 4.0,
        }
    }
}

/// Every intervention block.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Interventions {
    pub testing_on_arrest: Switch,
    pub required_assessment: RequiredAssessment,
    pub restriction_on_bail: RestrictionOnBail,
    pub conditional_caution: Diversion,
    pub diversion: Diversion,
    pub dtto_drr: Switch,
    pub low_intensity_order: LowIntensityOrder,
    pub atr: Switch,
    pub drug_courts: DrugCourts,
    pub asro: CommunityProgramme,
    pub osap: CommunityProgramme,
    pub intensive_partnership: IntensivePartnership,
    pub carat: Carat,
    pub detox_maintenance: DetoxMaintenance,
    pub idts: Idts,
    pub rapt: PrisonProgramme,
    pub therapeutic_community: PrisonProgramme,
    pub cbt_high_intensity: PrisonProgramme,
    pub short_duration_programme: PrisonProgramme,
    pub pasro: PrisonProgramme,
    pub drug_free_wings: PrisonProgramme,
    pub continuity_of_care: ContinuityOfCare,
}

impl Default for Interventions {
    fn default() -> Self {
        let d = Date::ymd;
        Interventions {
            testing_on_arrest: Switch::default(),
            required_assessment: RequiredAssessment::default(),
            restriction_on_bail: RestrictionOnBail::default(),
            conditional_caution: Diversion::conditional_caution(),
            diversion: Diversion::diversion_scheme(),
            dtto_drr: Switch::default(),
            low_intensity_order: LowIntensityOrder::default(),
            atr: Switch::default(),
            drug_courts: DrugCourts::default(),
            asro: CommunityProgramme::new(d(2000, 4, 1), 0.0263),
            osap: CommunityProgramme::new(d(2000, 4, 1), 0.00828),
            intensive_partnership: IntensivePartnership::default(),
            carat: Carat::default(),
            detox_maintenance: DetoxMaintenance::default(),
            idts: Idts::default(),
            rapt: PrisonProgramme::new(d(1992, 4, 1), 0.033, 180.0, 0.85),
            therapeutic_community: PrisonProgramme::new(d(1996, 4, 1), 0.0121, 365.0, 0.85),
            cbt_high_intensity: PrisonProgramme::new(d(2000, 4, 1), 0.0127, 270.0, 1.0),
            short_duration_programme: PrisonProgramme::new(d(2001, 4, 1), 0.0648, 28.0, 1.0),
            pasro: PrisonProgramme::new(d(2001, 4, 1), 0.0967, 90.0, 1.0),
            drug_free_wings: PrisonProgramme::new(d(1996, 4, 1), 0.05, 60.0, 1.0),
            continuity_of_care: ContinuityOfCare::default(),
        }
    }
}

/// The UKDPC review's verdict on an intervention's effect on drug use and reoffending.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    Reasonable,
    Mixed,
    NotEvaluated,
}

impl Evidence {
    pub fn label(self) -> &'static str {
        match self {
            Evidence::Reasonable => "reasonable evidence",
            Evidence::Mixed => "mixed evidence",
            Evidence::NotEvaluated => "not evaluated",
        }
    }
}

/// Where an intervention acts in the pathway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Arrest,
    Court,
    Order,
    Prison,
    Release,
}

/// One intervention's entry in the catalogue.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct InterventionInfo {
    /// Block name under `[interventions]`.
    pub key: &'static str,
    pub label: &'static str,
    pub stage: Stage,
    pub evidence: Evidence,
    /// Where the grade comes from and what it covers.
    pub evidence_note: &'static str,
    /// Effect parameters (under the block) and their "no effect" value.
    pub effects: &'static [(&'static str, f64)],
    /// Volume metric group, if the intervention records its own events.
    pub volume: Option<Scheme>,
    /// Seed figure ids about it.
    pub seeds: &'static str,
}

/// Interventions that record an [`crate::history::EventKind::Intervention`]
/// event; the discriminant is the event's detail. Append only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[repr(u8)]
pub enum Scheme {
    ConditionalCaution = 0,
    Diversion = 1,
    RestrictionOnBail = 2,
    DrugCourt = 3,
    LowIntensityOrder = 4,
    Asro = 5,
    Osap = 6,
    IntensivePartnership = 7,
    Carat = 8,
    DetoxMaintenance = 9,
    Idts = 10,
    Rapt = 11,
    TherapeuticCommunity = 12,
    CbtHighIntensity = 13,
    ShortDurationProgramme = 14,
    Pasro = 15,
    DrugFreeWing = 16,
}

impl Scheme {
    pub const ALL: [Scheme; 17] = [
        Scheme::ConditionalCaution,
        Scheme::Diversion,
        Scheme::RestrictionOnBail,
        Scheme::DrugCourt,
        Scheme::LowIntensityOrder,
        Scheme::Asro,
        Scheme::Osap,
        Scheme::IntensivePartnership,
        Scheme::Carat,
        Scheme::DetoxMaintenance,
        Scheme::Idts,
        Scheme::Rapt,
        Scheme::TherapeuticCommunity,
        Scheme::CbtHighIntensity,
        Scheme::ShortDurationProgramme,
        Scheme::Pasro,
        Scheme::DrugFreeWing,
    ];
    pub fn from_u8(v: u8) -> Scheme {
        Scheme::ALL[v as usize]
    }
    /// The scenario block name (and volume metric group name).
    pub fn name(self) -> &'static str {
        match self {
            Scheme::ConditionalCaution => "conditional_caution",
            Scheme::Diversion => "diversion",
            Scheme::RestrictionOnBail => "restriction_on_bail",
            Scheme::DrugCourt => "drug_courts",
            Scheme::LowIntensityOrder => "low_intensity_order",
            Scheme::Asro => "asro",
            Scheme::Osap => "osap",
            Scheme::IntensivePartnership => "intensive_partnership",
            Scheme::Carat => "carat",
            Scheme::DetoxMaintenance => "detox_maintenance",
            Scheme::Idts => "idts",
            Scheme::Rapt => "rapt",
            Scheme::TherapeuticCommunity => "therapeutic_community",
            Scheme::CbtHighIntensity => "cbt_high_intensity",
            Scheme::ShortDurationProgramme => "short_duration_programme",
            Scheme::Pasro => "pasro",
            Scheme::DrugFreeWing => "drug_free_wings",
        }
    }
    /// Prison programmes share the prison places of [`Capacity`].
    pub fn uses_prison_place(self) -> bool {
        matches!(
            self,
            Scheme::Rapt
                | Scheme::TherapeuticCommunity
                | Scheme::CbtHighIntensity
                | Scheme::ShortDurationProgramme
                | Scheme::Pasro
                | Scheme::DrugFreeWing
        )
    }
}

macro_rules! iv {
    ($key:expr, $label:expr, $stage:ident, $ev:ident, $note:expr, $effects:expr, $volume:expr, $seeds:expr) => {
        InterventionInfo {
            key: $key,
            label: $label,
            stage: Stage::$stage,
            evidence: Evidence::$ev,
            evidence_note: $note,
            effects: $effects,
            volume: $volume,
            seeds: $seeds,
        }
    };
}

/// Every intervention, in pathway order. A test checks it names every block.
pub const CATALOGUE: &[InterventionInfo] = &[
    iv!("testing_on_arrest", "Drug testing on arrest for trigger offences", Arrest, Mixed,
        "UKDPC: mixed evidence for Criminal Justice Integrated Teams (DIP); its value lies in the referrals it makes",
        &[], None, "ukdpc_positive_test_rate"),
    iv!("required_assessment", "Required assessment after a positive test", Arrest, Mixed,
        "UKDPC: part of DIP (mixed evidence); refusing assessment is an offence",
        &[], None, "ukdpc_dip_treatment_entries; ukdpc_dip_monthly_treatment_jan2008"),
    iv!("restriction_on_bail", "Restriction on bail (treatment as a bail condition)", Court, Mixed,
        "UKDPC: mixed evidence for Restrictions on Bail",
        &[], Some(Scheme::RestrictionOnBail), ""),
    iv!("conditional_caution", "Conditional caution with a drug condition", Arrest, NotEvaluated,
        "UKDPC: no evaluations of conditional cautions",
        &[("offending_multiplier", 1.0)], Some(Scheme::ConditionalCaution), "ukdpc_conditional_caution_conditions"),
    iv!("diversion", "Diversion from prosecution with a drug referral", Arrest, NotEvaluated,
        "UKDPC: no evaluations of diversion from prosecution schemes (Scotland's scheme is the example)",
        &[("offending_multiplier", 1.0)], Some(Scheme::Diversion), "ukdpc_scot_diversion"),
    iv!("dtto_drr", "DTTO, then DRR from April 2005", Order, Reasonable,
        "UKDPC: reasonable evidence for community sentences such as DTTOs and DRRs",
        &[], None, "ukdpc_dtto_drr_starts; ukdpc_order_completion_2003; ukdpc_order_completion_2006; nao_order_completion_2003"),
    iv!("low_intensity_order", "Low-intensity DTTO/DRR (from 2004-05)", Order, Reasonable,
        "UKDPC: part of DTTO/DRR provision (reasonable evidence)",
        &[], Some(Scheme::LowIntensityOrder), ""),
    iv!("atr", "Alcohol Treatment Requirement", Order, NotEvaluated,
        "not covered by the UKDPC review (a drug review); BOLD 2023 reports its engagement",
        &[], None, "bold_engaged_atr; bold_in_treatment_3w_atr"),
    iv!("drug_courts", "Drug courts (dedicated sentencer reviews of DTTO/DRR)", Order, Reasonable,
        "UKDPC: reasonable evidence (international); effectiveness in the UK still to be proven",
        &[], Some(Scheme::DrugCourt), ""),
    iv!("asro", "ASRO programme on a community order", Order, NotEvaluated,
        "UKDPC: no evaluations of CBT-based programmes such as ASRO",
        &[("offending_multiplier", 1.0)], Some(Scheme::Asro), "ukdpc_asro_2005"),
    iv!("osap", "OSAP programme on a community order", Order, NotEvaluated,
        "UKDPC: no evaluations of CBT-based programmes (OSAP is one)",
        &[("offending_multiplier", 1.0)], Some(Scheme::Osap), "ukdpc_osap_2005"),
    iv!("intensive_partnership", "Intensive police and treatment partnership (high-rate offenders)", Arrest, Mixed,
        "not in the UKDPC review; a Criminal Justice Integrated Team model (mixed evidence); one uncontrolled before/after study (Best et al. 2010)",
        &[], Some(Scheme::IntensivePartnership), "best_min_positive_tests; best_hccu_effect; best_cohort_n"),
    iv!("carat", "CARAT assessment and throughcare in prison", Prison, NotEvaluated,
        "UKDPC: no evaluations of CARAT interventions",
        &[("continuity_multiplier", 1.0)], Some(Scheme::Carat), "ukdpc_carat_assessments"),
    iv!("detox_maintenance", "Prison detoxification and maintenance prescribing", Prison, Reasonable,
        "UKDPC: reasonable evidence for opioid detoxification and methadone maintenance within prisons",
        &[], Some(Scheme::DetoxMaintenance), "ukdpc_prison_detox_maintenance_1997; ukdpc_prison_detox_maintenance_2007"),
    iv!("idts", "Integrated Drug Treatment System", Prison, NotEvaluated,
        "UKDPC: rolled out from 2006-08, not yet evaluated",
        &[("continuity_multiplier", 1.0)], Some(Scheme::Idts), "ukdpc_idts_full_prisons; ukdpc_idts_enhanced_prisons"),
    iv!("rapt", "RAPt 12-step programme", Prison, Reasonable,
        "UKDPC: reasonable evidence for the RAPt 12-step abstinence-based programme",
        &[], Some(Scheme::Rapt), "ukdpc_rapt"),
    iv!("therapeutic_community", "Prison therapeutic communities", Prison, Reasonable,
        "UKDPC: reasonable evidence for prison-based therapeutic communities",
        &[], Some(Scheme::TherapeuticCommunity), "ukdpc_therapeutic_communities"),
    iv!("cbt_high_intensity", "High-intensity CBT programmes (FOCUS, STOP)", Prison, NotEvaluated,
        "UKDPC: no evaluations of programmes based on cognitive behavioural therapy",
        &[("offending_multiplier", 1.0)], Some(Scheme::CbtHighIntensity), "ukdpc_cbt_high_intensity"),
    iv!("short_duration_programme", "Short duration programmes (4 weeks, short-term prisoners)", Prison, NotEvaluated,
        "UKDPC: no evaluations of short-duration programmes",
        &[("offending_multiplier", 1.0)], Some(Scheme::ShortDurationProgramme), "ukdpc_sdp"),
    iv!("pasro", "P-ASRO programme", Prison, NotEvaluated,
        "UKDPC: no evaluations of ASRO programmes",
        &[("offending_multiplier", 1.0)], Some(Scheme::Pasro), "ukdpc_pasro"),
    iv!("drug_free_wings", "Drug-free wings and voluntary testing", Prison, NotEvaluated,
        "UKDPC: no evaluations of drug-free wings",
        &[("offending_multiplier", 1.0)], Some(Scheme::DrugFreeWing), ""),
    iv!("continuity_of_care", "Continuity of care from prison to community treatment", Release, NotEvaluated,
        "UKDPC: called for, not evaluated; its probability is treatment.release_continuity_probability",
        &[], None, ""),
];

/// The catalogue entry of a block.
pub fn catalogue(key: &str) -> Option<&'static InterventionInfo> {
    CATALOGUE.iter().find(|i| i.key == key)
}

/// Effects of enabled, unevaluated interventions that a scenario sets away from
/// "none", as sentences: outputs built on them must say so.
pub fn unevaluated_effects(interventions: &Interventions) -> Vec<String> {
    let value = toml::Value::try_from(interventions).expect("interventions serialise");
    let mut leaves = Vec::new();
    collect_numeric("interventions", &value, &mut leaves);
    let leaves: std::collections::HashMap<String, f64> = leaves.into_iter().collect();
    let mut out = Vec::new();
    for info in CATALOGUE
        .iter()
        .filter(|i| i.evidence == Evidence::NotEvaluated)
    {
        let enabled = value
            .get(info.key)
            .and_then(|b| b.get("enabled"))
            .and_then(|e| e.as_bool())
            .unwrap_or(false);
        if !enabled {
            continue;
        }
        for &(effect, none) in info.effects {
            let key = format!("interventions.{}.{effect}", info.key);
            if let Some(&v) = leaves.get(&key) {
                if (v - none).abs() > 1e-12 {
                    out.push(format!(
                        "{key} = {v} is an assumed effect: the UKDPC review found {} not evaluated",
                        info.label
                    ));
                }
            }
        }
    }
    out
}

/// Whether a dotted key is the effect of an intervention the UKDPC review found
/// unevaluated (a sweep over it explores an assumption).
pub fn is_unevaluated_effect(key: &str) -> bool {
    let Some((block, field)) = key
        .strip_prefix("interventions.")
        .and_then(|r| r.split_once('.'))
    else {
        return false;
    };
    catalogue(block).is_some_and(|i| {
        i.evidence == Evidence::NotEvaluated && i.effects.iter().any(|(e, _)| *e == field)
    })
}

/// Units, ranges and sources of the intervention and capacity parameters (the
/// rest of the registry is [`crate::params::registry`]). Keys with `*` stand for
/// every block of that shape.
pub const REGISTRY: &[ParamInfo] = &[
    p!("interventions.*.enabled", "on/off", 0.0, 0.0, "scenario switch; baseline: on where the scheme ran in England and Wales"),
    p!("interventions.*.start", "date", 0.0, 0.0, "UKDPC 2008 history where known, else assumption (docs/interventions.md)"),
    p!("interventions.*.end", "date", 0.0, 0.0, "assumption: still running at the horizon"),
    p!("interventions.required_assessment.failure_prosecution_probability", "probability", 0.0, 1.0, "assumption: refusing a required assessment is an offence (UKDPC); not every refusal is prosecuted"),
    p!("interventions.restriction_on_bail.coverage", "share of positive testers prosecuted", 0.0, 1.0, "assumption: off in the baseline, its referrals are inside the calibrated dip.treatment_probability"),
    p!("interventions.restriction_on_bail.treatment_probability", "probability", 0.0, 1.0, "assumption (mixed evidence)"),
    p!("interventions.conditional_caution.max_priors", "prior convictions", 0.0, 100.0, "assumption: cautions go to people early in their record"),
    p!("interventions.conditional_caution.coverage", "share of eligible prosecutions", 0.0, 1.0, "calibrated to ukdpc_conditional_caution_conditions (about 800 in 2004-07)"),
    p!("interventions.conditional_caution.treatment_probability", "probability", 0.0, 1.0, "assumption"),
    p!("interventions.conditional_caution.compliance_probability", "probability", 0.0, 1.0, "assumption"),
    p!("interventions.conditional_caution.offending_multiplier", "multiplier", 0.5, 1.0, "not evaluated (UKDPC): none by default; the range is for sweeps"),
    p!("interventions.conditional_caution.effect_months", "months", 0.0, 120.0, "assumption"),
    p!("interventions.diversion.max_priors", "prior convictions", 0.0, 100.0, "assumption: early in the offending career (UKDPC conclusion 3)"),
    p!("interventions.diversion.coverage", "share of eligible prosecutions", 0.0, 1.0, "assumption: what-if"),
    p!("interventions.diversion.treatment_probability", "probability", 0.0, 1.0, "assumption"),
    p!("interventions.diversion.compliance_probability", "probability", 0.0, 1.0, "assumption"),
    p!("interventions.diversion.offending_multiplier", "multiplier", 0.5, 1.0, "not evaluated (UKDPC): none by default; the range is for sweeps"),
    p!("interventions.diversion.effect_months", "months", 0.0, 120.0, "assumption"),
    p!("interventions.drug_courts.coverage", "share of DTTO/DRR orders", 0.0, 1.0, "assumption: two pilot courts (West London, Leeds) from December 2005"),
    p!("interventions.drug_courts.breach_multiplier", "multiplier", 0.3, 1.0, "assumption: reasonable evidence (UKDPC), size from no seed"),
    p!("interventions.drug_courts.offending_multiplier", "multiplier", 0.5, 1.0, "assumption: reasonable evidence (UKDPC), size from no seed"),
    p!("interventions.low_intensity_order.share", "share of DTTO/DRR orders", 0.0, 1.0, "calibrated (docs/calibration.md)"),
    p!("interventions.low_intensity_order.months", "months", 0.1, 120.0, "assumption"),
    p!("interventions.low_intensity_order.breach_multiplier", "multiplier", 0.0, 1.0, "assumption: fewer appointments, fewer breaches"),
    p!("interventions.asro.coverage", "share of drug users' community orders", 0.0, 1.0, "calibrated to ukdpc_asro_2005"),
    p!("interventions.asro.offending_multiplier", "multiplier", 0.5, 1.0, "not evaluated (UKDPC): none by default; the range is for sweeps"),
    p!("interventions.asro.effect_months", "months", 0.0, 120.0, "assumption"),
    p!("interventions.osap.coverage", "share of drug users' community orders", 0.0, 1.0, "calibrated to ukdpc_osap_2005"),
    p!("interventions.osap.offending_multiplier", "multiplier", 0.5, 1.0, "not evaluated (UKDPC): none by default; the range is for sweeps"),
    p!("interventions.osap.effect_months", "months", 0.0, 120.0, "assumption"),
    p!("interventions.intensive_partnership.min_positive_tests", "tests in 365 days", 1.0, 3.0, "best_min_positive_tests"),
    p!("interventions.intensive_partnership.coverage", "share of eligible people", 0.0, 1.0, "assumption: what-if"),
    p!("interventions.intensive_partnership.treatment_probability", "probability", 0.0, 1.0, "assumption: assertive outreach engages most"),
    p!("interventions.intensive_partnership.dropout_multiplier", "multiplier", 0.2, 1.0, "assumption: Best et al. report better retention in the intensive arm"),
    p!("interventions.intensive_partnership.offending_multiplier", "multiplier", 0.5, 1.0, "assumption: none beyond treatment's own effect"),
    p!("interventions.carat.coverage", "share of drug users' receptions", 0.0, 1.0, "calibrated to ukdpc_carat_assessments"),
    p!("interventions.carat.continuity_multiplier", "multiplier", 1.0, 3.0, "not evaluated (UKDPC): none by default; the range is for sweeps"),
    p!("interventions.detox_maintenance.coverage", "share of drug users' receptions", 0.0, 1.0, "calibrated to ukdpc_prison_detox_maintenance_2007"),
    p!("interventions.detox_maintenance.release_death_multiplier", "multiplier", 0.2, 1.0, "assumption: maintenance lowers post-release overdose (reasonable evidence, UKDPC), size from no seed"),
    p!("interventions.detox_maintenance.continuity_multiplier", "multiplier", 1.0, 3.0, "assumption: none by default"),
    p!("interventions.idts.coverage", "share of receptions", 0.0, 1.0, "ukdpc_idts_full_prisons + ukdpc_idts_enhanced_prisons: 53 of about 140 prisons"),
    p!("interventions.idts.detox_coverage", "share of drug users' receptions", 0.0, 1.0, "assumption: clinical treatment for nearly all who need it"),
    p!("interventions.idts.continuity_multiplier", "multiplier", 1.0, 3.0, "not evaluated (UKDPC): none by default; the range is for sweeps"),
    p!("interventions.*.coverage", "share of eligible receptions", 0.0, 1.0, "calibrated to the programme's 2006/07 volume (docs/interventions.md)"),
    p!("interventions.*.min_days_served", "days", 0.0, 36500.0, "assumption: the programme's length"),
    p!("interventions.*.offending_multiplier", "multiplier", 0.5, 1.0, "reasonable evidence: assumed 0.85 for 2 years; not evaluated: none by default, the range is for sweeps"),
    p!("interventions.*.effect_months", "months", 0.0, 120.0, "assumption"),
    p!("interventions.*.expansion_start", "date", 0.0, 0.0, "what-if: no change in the baseline"),
    p!("interventions.*.expansion_coverage", "share", 0.0, 1.0, "what-if: the baseline keeps its coverage"),
    p!("interventions.continuity_of_care.expansion_probability", "probability", 0.0, 1.0, "what-if: the baseline keeps treatment.release_continuity_probability"),
    p!("interventions.drug_free_wings.coverage", "share of eligible receptions", 0.0, 1.0, "assumption: no seed volume"),
    p!("capacity.enabled", "on/off", 0.0, 0.0, "what-if: no limit in the baseline"),
    p!("capacity.start", "date", 0.0, 0.0, "what-if"),
    p!("capacity.end", "date", 0.0, 0.0, "what-if"),
    p!("capacity.community_places_per_year", "treatment starts per year", 0.0, 1e8, "what-if (the baseline starts about 210,000 a year)"),
    p!("capacity.prison_places_per_year", "programme places per year", 0.0, 1e8, "what-if"),
    p!("capacity.give_up_rate", "per year", 0.01, 365.0, "assumption: a quarter of a year's wait loses most people"),
];

/// The registry entry of an intervention or capacity key.
pub fn info(key: &str) -> Option<&'static ParamInfo> {
    REGISTRY.iter().find(|p| p.key == key).or_else(|| {
        let rest = key.strip_prefix("interventions.")?;
        let (_, field) = rest.split_once('.')?;
        REGISTRY
            .iter()
            .find(|p| p.key.strip_prefix("interventions.*.") == Some(field))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_names_every_block_and_schemes_match() {
        let value = toml::Value::try_from(Interventions::default()).unwrap();
        let blocks: Vec<&String> = value.as_table().unwrap().keys().collect();
        for b in &blocks {
            assert!(catalogue(b).is_some(), "no catalogue entry for {b}");
        }
        assert_eq!(blocks.len(), CATALOGUE.len());
        for s in Scheme::ALL {
            assert_eq!(Scheme::from_u8(s as u8), s);
            let entry = CATALOGUE.iter().find(|i| i.volume == Some(s));
            assert_eq!(entry.map(|i| i.key), Some(s.name()), "{s:?}");
        }
    }

    #[test]
    fn unevaluated_effects_default_to_none_and_are_reported_when_set() {
        let mut p = crate::params::baseline();
        assert!(unevaluated_effects(&p.interventions).is_empty());
        p.interventions.pasro.offending_multiplier = 0.9;
        let notes = unevaluated_effects(&p.interventions);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("interventions.pasro.offending_multiplier"));
        // A switched-off scheme's effect changes nothing, so nothing to report.
        p.interventions.pasro.enabled = false;
        assert!(unevaluated_effects(&p.interventions).is_empty());
        // Reasonable-evidence effects are not flagged.
        p.interventions.rapt.offending_multiplier = 0.7;
        assert!(unevaluated_effects(&p.interventions).is_empty());
        assert!(is_unevaluated_effect(
            "interventions.pasro.offending_multiplier"
        ));
        assert!(!is_unevaluated_effect(
            "interventions.rapt.offending_multiplier"
        ));
        assert!(!is_unevaluated_effect("interventions.pasro.coverage"));
    }
}

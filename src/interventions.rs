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
use crate::parameter::{collect_numeric, parameters, ParamInfo};
use serde::{Deserialize, Serialize};

parameters! {
    /// An intervention the core pathway models: switch and end date only (its
    /// start date, coverage and effects live with its stage).
    pub struct Switch in "interventions.*" {
        enabled: bool = true, "on/off", 0.0, 0.0,
            "scenario switch; baseline: on where the scheme ran in England and Wales";
        /// Withdrawn from this date (its start date lives with its stage).
        end: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "assumption: still running at the horizon";
    }
}

parameters! {
    /// Continuity of care from prison to community treatment at release (its
    /// probability is `treatment.release_continuity_probability`).
    pub struct ContinuityOfCare in "interventions.*" {
        enabled: bool = true, "on/off", 0.0, 0.0,
            "scenario switch; baseline: on where the scheme ran in England and Wales";
        end: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "assumption: still running at the horizon";
        /// From this date the probability becomes `expansion_probability`.
        expansion_start: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "what-if: no change in the baseline";
        expansion_probability: f64 = 0.25, "probability", 0.0, 1.0,
            "what-if: the baseline keeps treatment.release_continuity_probability";
    }
}

parameters! {
    /// Required assessment after a positive test: refusing it is an offence.
    pub struct RequiredAssessment in "interventions.*" {
        enabled: bool = true, "on/off", 0.0, 0.0,
            "scenario switch; baseline: on where the scheme ran in England and Wales";
        end: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "assumption: still running at the horizon";
        /// Probability a person who fails to attend a required assessment is
        /// prosecuted for it (a new court case).
        failure_prosecution_probability: f64 = 0.3, "probability", 0.0, 1.0,
            "assumption: refusing a required assessment is an offence (UKDPC); not every refusal is prosecuted";
    }
}

parameters! {
    /// A caution or diversion instead of prosecution, with a drug condition.
    pub struct Diversion in "interventions.*" {
        enabled: bool = true, "on/off", 0.0, 0.0,
            "scenario switch; baseline: on where the scheme ran in England and Wales";
        start: Date = (2004, 4, 1), "date", 0.0, 0.0,
            "UKDPC 2008 history where known, else assumption (docs/interventions.md)";
        end: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "assumption: still running at the horizon";
        /// Eligibility: drug users (opiates/crack, other drugs) with at most this many
        /// prior convictions, arrested for an offence that would be prosecuted.
        max_priors: f64 = 2.0, "prior convictions", 0.0, 100.0,
            "assumption: early in the offending career (UKDPC conclusion 3)";
        /// Share of eligible cases diverted.
        coverage: f64 = 0.5, "share of eligible prosecutions", 0.0, 1.0,
            "assumption: what-if";
        /// From this date coverage becomes `expansion_coverage` (a dated scale-up or cut).
        expansion_start: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "what-if: no change in the baseline";
        expansion_coverage: f64 = 0.5, "share", 0.0, 1.0,
            "what-if: the baseline keeps its coverage";
        /// Probability the condition leads to a treatment start.
        treatment_probability: f64 = 0.5, "probability", 0.0, 1.0,
            "assumption";
        /// Probability the condition is met; otherwise the original offence is prosecuted.
        compliance_probability: f64 = 0.7, "probability", 0.0, 1.0,
            "assumption";
        /// Effect beyond treatment: arrest-rate multiplier for `effect_months` (1 = none).
        offending_multiplier: f64 = 1.0, "multiplier", 0.5, 1.0,
            "not evaluated (UKDPC): none by default; the range is for sweeps";
        effect_months: f64 = 12.0, "months", 0.0, 120.0,
            "assumption";
    }
}

parameters! {
    /// Restriction on bail: treatment assessment as a condition of court bail.
    pub struct RestrictionOnBail in "interventions.*" {
        enabled: bool = false, "on/off", 0.0, 0.0,
            "scenario switch; baseline: on where the scheme ran in England and Wales";
        start: Date = (2006, 4, 1), "date", 0.0, 0.0,
            "UKDPC 2008 history where known, else assumption (docs/interventions.md)";
        end: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "assumption: still running at the horizon";
        /// Share of positive testers facing prosecution (not in treatment) given the condition.
        coverage: f64 = 0.8, "share of positive testers prosecuted", 0.0, 1.0,
            "assumption: off in the baseline, its referrals are inside the calibrated dip.treatment_probability";
        /// Probability the condition leads to a treatment start before court.
        treatment_probability: f64 = 0.2, "probability", 0.0, 1.0,
            "assumption (mixed evidence)";
    }
}

parameters! {
    /// Drug courts: DTTOs and DRRs reviewed by the same sentencer, problem-solving.
    pub struct DrugCourts in "interventions.*" {
        enabled: bool = true, "on/off", 0.0, 0.0,
            "scenario switch; baseline: on where the scheme ran in England and Wales";
        start: Date = (2005, 12, 1), "date", 0.0, 0.0,
            "UKDPC 2008 history where known, else assumption (docs/interventions.md)";
        end: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "assumption: still running at the horizon";
        /// Share of DTTO/DRR orders made in a drug court.
        coverage: f64 = 0.02, "share of DTTO/DRR orders", 0.0, 1.0,
            "assumption: two pilot courts (West London, Leeds) from December 2005";
        /// From this date coverage becomes `expansion_coverage` (a dated scale-up or cut).
        expansion_start: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "what-if: no change in the baseline";
        expansion_coverage: f64 = 0.02, "share", 0.0, 1.0,
            "what-if: the baseline keeps its coverage";
        /// Breach-rate multiplier for drug-court orders.
        breach_multiplier: f64 = 0.8, "multiplier", 0.3, 1.0,
            "assumption: reasonable evidence (UKDPC), size from no seed";
        /// Arrest-rate multiplier while on a drug-court order.
        offending_multiplier: f64 = 0.9, "multiplier", 0.5, 1.0,
            "assumption: reasonable evidence (UKDPC), size from no seed";
    }
}

parameters! {
    /// The low-intensity DTTO/DRR for less prolific offenders (from 2004-05).
    pub struct LowIntensityOrder in "interventions.*" {
        enabled: bool = true, "on/off", 0.0, 0.0,
            "scenario switch; baseline: on where the scheme ran in England and Wales";
        start: Date = (2004, 4, 1), "date", 0.0, 0.0,
            "UKDPC 2008 history where known, else assumption (docs/interventions.md)";
        end: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "assumption: still running at the horizon";
        /// Share of DTTO/DRR orders made at low intensity.
        share: f64 = 0.0, "share of DTTO/DRR orders", 0.0, 1.0,
            "assumption: none";
        /// Length of a low-intensity order (months).
        months: f64 = 6.0, "months", 0.1, 120.0,
            "assumption";
        /// Breach-rate multiplier (less contact, fewer chances to breach).
        breach_multiplier: f64 = 0.6, "multiplier", 0.0, 1.0,
            "assumption: fewer appointments, fewer breaches";
    }
}

parameters! {
    /// An accredited programme attached to a community order (ASRO, OSAP).
    pub struct CommunityProgramme in "interventions.*" {
        enabled: bool = true, "on/off", 0.0, 0.0,
            "scenario switch; baseline: on where the scheme ran in England and Wales";
        start: Date = (2000, 4, 1), "date", 0.0, 0.0,
            "UKDPC 2008 history where known, else assumption (docs/interventions.md)";
        end: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "assumption: still running at the horizon";
        /// Share of new community and suspended orders for drug users with the programme.
        coverage: f64 = 0.0, "share of drug users' community orders", 0.0, 1.0,
            "assumption: none";
        /// From this date coverage becomes `expansion_coverage` (a dated scale-up or cut).
        expansion_start: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "what-if: no change in the baseline";
        expansion_coverage: f64 = 0.0, "share", 0.0, 1.0,
            "what-if: the baseline keeps its coverage";
        /// Arrest-rate multiplier for `effect_months` after the order starts (1 = none).
        offending_multiplier: f64 = 1.0, "multiplier", 0.5, 1.0,
            "not evaluated (UKDPC): none by default; the range is for sweeps";
        effect_months: f64 = 12.0, "months", 0.0, 120.0,
            "assumption";
    }
}

parameters! {
    /// A prison-based programme or regime for drug users (RAPt, therapeutic
    /// communities, CBT, short duration programmes, P-ASRO, drug-free wings).
    pub struct PrisonProgramme in "interventions.*" {
        enabled: bool = true, "on/off", 0.0, 0.0,
            "scenario switch; baseline: on where the scheme ran in England and Wales";
        start: Date = (2000, 4, 1), "date", 0.0, 0.0,
            "UKDPC 2008 history where known, else assumption (docs/interventions.md)";
        end: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "assumption: still running at the horizon";
        /// Share of eligible receptions (drug users with long enough to serve) who take part.
        coverage: f64 = 0.0, "share of eligible receptions", 0.0, 1.0,
            "calibrated to the programme's 2006/07 volume (docs/interventions.md)";
        /// From this date coverage becomes `expansion_coverage` (a dated scale-up or cut).
        expansion_start: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "what-if: no change in the baseline";
        expansion_coverage: f64 = 0.0, "share", 0.0, 1.0,
            "what-if: the baseline keeps its coverage";
        /// Eligibility: days to serve at reception.
        min_days_served: f64 = 0.0, "days", 0.0, 36500.0,
            "assumption: the programme's length";
        /// Arrest-rate multiplier for `effect_months` after release (1 = none).
        offending_multiplier: f64 = 1.0, "multiplier", 0.5, 1.0,
            "not evaluated (UKDPC): none by default; the range is for sweeps";
        effect_months: f64 = 24.0, "months", 0.0, 120.0,
            "assumption";
    }
}

parameters! {
    /// CARAT: assessment, advice and throughcare for drug users in prison.
    pub struct Carat in "interventions.*" {
        enabled: bool = true, "on/off", 0.0, 0.0,
            "scenario switch; baseline: on where the scheme ran in England and Wales";
        start: Date = (1999, 4, 1), "date", 0.0, 0.0,
            "UKDPC 2008 history where known, else assumption (docs/interventions.md)";
        end: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "assumption: still running at the horizon";
        /// Share of drug-user receptions assessed.
        coverage: f64 = 0.855, "share of drug users' receptions", 0.0, 1.0,
            "calibrated to ukdpc_carat_assessments";
        /// From this date coverage becomes `expansion_coverage` (a dated scale-up or cut).
        expansion_start: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "what-if: no change in the baseline";
        expansion_coverage: f64 = 0.855, "share", 0.0, 1.0,
            "what-if: the baseline keeps its coverage";
        /// Multiplier on the probability of continuity of care at release (1 = none).
        continuity_multiplier: f64 = 1.0, "multiplier", 1.0, 3.0,
            "not evaluated (UKDPC): none by default; the range is for sweeps";
    }
}

parameters! {
    /// Detoxification or maintenance prescribing (opioid substitution) in prison.
    pub struct DetoxMaintenance in "interventions.*" {
        enabled: bool = true, "on/off", 0.0, 0.0,
            "scenario switch; baseline: on where the scheme ran in England and Wales";
        start: Date = (1990, 1, 1), "date", 0.0, 0.0,
            "UKDPC 2008 history where known, else assumption (docs/interventions.md)";
        end: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "assumption: still running at the horizon";
        /// Share of drug users' receptions treated (opiates/crack and other drugs).
        coverage: f64 = 0.568, "share of drug users' receptions", 0.0, 1.0,
            "calibrated to ukdpc_prison_detox_maintenance_2007";
        /// From this date coverage becomes `expansion_coverage` (a dated scale-up or cut).
        expansion_start: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "what-if: no change in the baseline";
        expansion_coverage: f64 = 0.568, "share", 0.0, 1.0,
            "what-if: the baseline keeps its coverage";
        /// Multiplier on the excess death rate of the post-release window.
        release_death_multiplier: f64 = 0.8, "multiplier", 0.2, 1.0,
            "assumption: maintenance lowers post-release overdose (reasonable evidence, UKDPC), size from no seed";
        /// Multiplier on the probability of continuity of care at release.
        continuity_multiplier: f64 = 1.0, "multiplier", 1.0, 3.0,
            "assumption: none by default";
    }
}

parameters! {
    /// The Integrated Drug Treatment System: better clinical treatment and
    /// coordination in a share of prisons.
    pub struct Idts in "interventions.*" {
        enabled: bool = true, "on/off", 0.0, 0.0,
            "scenario switch; baseline: on where the scheme ran in England and Wales";
        start: Date = (2008, 4, 1), "date", 0.0, 0.0,
            "UKDPC 2008 history where known, else assumption (docs/interventions.md)";
        end: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "assumption: still running at the horizon";
        /// Share of receptions into an IDTS prison.
        coverage: f64 = 0.38, "share of receptions", 0.0, 1.0,
            "ukdpc_idts_full_prisons + ukdpc_idts_enhanced_prisons: 53 of about 140 prisons";
        /// From this date coverage becomes `expansion_coverage` (a dated scale-up or cut).
        expansion_start: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "what-if: no change in the baseline";
        expansion_coverage: f64 = 0.38, "share", 0.0, 1.0,
            "what-if: the baseline keeps its coverage";
        /// Detox or maintenance coverage of drug users' receptions in an IDTS prison.
        detox_coverage: f64 = 0.9, "share of drug users' receptions", 0.0, 1.0,
            "assumption: clinical treatment for nearly all who need it";
        /// Multiplier on the probability of continuity of care at release (1 = none).
        continuity_multiplier: f64 = 1.0, "multiplier", 1.0, 3.0,
            "not evaluated (UKDPC): none by default; the range is for sweeps";
    }
}

parameters! {
    /// Intensive police and treatment partnership for high-rate offenders
    /// (Best et al. 2010): caseworkers engage people with repeated positive tests.
    pub struct IntensivePartnership in "interventions.*" {
        enabled: bool = false, "on/off", 0.0, 0.0,
            "scenario switch; baseline: on where the scheme ran in England and Wales";
        start: Date = (2026, 4, 1), "date", 0.0, 0.0,
            "UKDPC 2008 history where known, else assumption (docs/interventions.md)";
        end: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "assumption: still running at the horizon";
        /// Eligibility: positive tests on arrest in the past 365 days (up to 3 are tracked).
        min_positive_tests: f64 = 3.0, "tests in 365 days", 1.0, 3.0,
            "best_min_positive_tests";
        /// Share of eligible people (areas with a partnership).
        coverage: f64 = 1.0, "share of eligible people", 0.0, 1.0,
            "assumption: what-if";
        /// Probability an eligible person not in treatment is engaged into treatment.
        treatment_probability: f64 = 0.8, "probability", 0.0, 1.0,
            "assumption: assertive outreach engages most";
        /// Dropout multiplier during an intensively managed episode.
        dropout_multiplier: f64 = 0.6, "multiplier", 0.2, 1.0,
            "assumption: Best et al. report better retention in the intensive arm";
        /// Arrest-rate multiplier during an intensively managed episode (1 = none
        /// beyond treatment's own effect).
        offending_multiplier: f64 = 1.0, "multiplier", 0.5, 1.0,
            "assumption: none beyond treatment's own effect";
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

parameters! {
    /// Treatment places: an optional limit, with a waiting list when demand exceeds it.
    pub struct Capacity in "capacity" {
        enabled: bool = false, "on/off", 0.0, 0.0,
            "what-if: no limit in the baseline";
        start: Date = (2026, 4, 1), "date", 0.0, 0.0,
            "what-if";
        end: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "what-if";
        /// Community treatment starts a year the services can take.
        community_places_per_year: f64 = 200_000.0, "treatment starts per year", 0.0, 1e8,
            "what-if (scenarios/capacity_cut_fifth.toml sets 80% of the baseline's 2025 treatment starts)";
        /// Prison programme places a year (RAPt, therapeutic communities, CBT,
        /// short duration programmes, P-ASRO, drug-free wings together).
        prison_places_per_year: f64 = 12_000.0, "programme places per year", 0.0, 1e8,
            "what-if";
        /// Who goes first: `first_come` or `criminal_justice`.
        priority: Priority = (Priority::FirstCome), "choice", 0.0, 0.0,
            "what-if: first come, first served";
        /// Rate (per year) at which people on the waiting list give up.
        give_up_rate: f64 = 4.0, "per year", 0.01, 365.0,
            "assumption: a quarter of a year's wait loses most people";
    }
}

/// Declares every intervention block once: its shape (a `parameters!` struct,
/// whose rows give every field's unit, range and default source) and the values
/// in which this block differs from its shape, each with its source when it is
/// not the shape's. Makes the `Interventions` struct, its `Default` and
/// [`Interventions::BLOCKS`], from which [`registry`] lists every key.
macro_rules! blocks {
    (
        $(
            $(#[doc = $doc:literal])*
            $block:ident : $shape:ident { $( $field:ident = $default:tt $(, $source:literal)?; )* }
        )*
    ) => {
        /// Every intervention block.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct Interventions {
            $( $(#[doc = $doc])* pub $block: $shape, )*
        }

        impl Default for Interventions {
            fn default() -> Self {
                Interventions {
                    $(
                        $block: {
                            #[allow(unused_mut)]
                            let mut b = $shape::default();
                            $( b.$field = instance_default!(b, $block, $field, $default); )*
                            b
                        },
                    )*
                }
            }
        }

        impl Interventions {
            /// Each block: its name, its shape's rows, and the fields it gives a
            /// value of its own (whether fitted, and its source if not the shape's).
            pub const BLOCKS: &'static [Block] = &[
                $(
                    Block {
                        name: stringify!($block),
                        shape: $shape::INFO,
                        own: &[ $( (stringify!($field), instance_fitted!($default), instance_source!($($source)?)), )* ],
                    },
                )*
            ];
        }
    };
}

/// A block's own default: `fitted` (from `scenarios/calibrated.toml`), the
/// value of another of its fields, a date `(y, m, d)` or a number.
macro_rules! instance_default {
    ($b:ident, $block:ident, $field:ident, fitted) => {
        crate::parameter::fitted(concat!(
            "interventions.",
            stringify!($block),
            ".",
            stringify!($field)
        ))
    };
    ($b:ident, $block:ident, $field:ident, $v:literal) => {
        $v
    };
    ($b:ident, $block:ident, $field:ident, $other:ident) => {
        $b.$other
    };
    ($b:ident, $block:ident, $field:ident, ($y:literal, $m:literal, $d:literal)) => {
        Date::ymd($y, $m, $d)
    };
}

macro_rules! instance_fitted {
    (fitted) => {
        true
    };
    ($other:tt) => {
        false
    };
}

macro_rules! instance_source {
    () => {
        None
    };
    ($source:literal) => {
        Some($source)
    };
}

/// One intervention block's declaration.
#[derive(Debug, Clone, Copy)]
pub struct Block {
    /// Its name under `[interventions]`.
    pub name: &'static str,
    /// The rows of its shape (keys `interventions.*.<field>`).
    pub shape: &'static [ParamInfo],
    /// (field, fitted, its own source) for each field it sets itself.
    pub own: &'static [(&'static str, bool, Option<&'static str>)],
}

blocks! {
    testing_on_arrest: Switch {}
    required_assessment: RequiredAssessment {}
    restriction_on_bail: RestrictionOnBail {}
    conditional_caution: Diversion {
        max_priors = 2.0, "assumption: cautions go to people early in their record";
        coverage = 0.00176, "calibrated to ukdpc_conditional_caution_conditions (about 800 in 2004-07)";
        expansion_coverage = coverage;
    }
    diversion: Diversion {
        enabled = false;
        start = (2026, 4, 1), "assumption: a what-if from April 2026";
        max_priors = 3.0;
    }
    dtto_drr: Switch {}
    low_intensity_order: LowIntensityOrder {
        share = fitted, "calibrated (docs/calibration.md)";
    }
    atr: Switch {}
    drug_courts: DrugCourts {}
    asro: CommunityProgramme {
        coverage = 0.0263, "calibrated to ukdpc_asro_2005";
        expansion_coverage = coverage;
    }
    osap: CommunityProgramme {
        coverage = 0.00828, "calibrated to ukdpc_osap_2005";
        expansion_coverage = coverage;
    }
    intensive_partnership: IntensivePartnership {}
    carat: Carat {}
    detox_maintenance: DetoxMaintenance {}
    idts: Idts {}
    rapt: PrisonProgramme {
        start = (1992, 4, 1);
        coverage = 0.033;
        expansion_coverage = coverage;
        min_days_served = 180.0;
        offending_multiplier = 0.85, "reasonable evidence (UKDPC): assumed 0.85 for 2 years, size from no seed";
    }
    therapeutic_community: PrisonProgramme {
        start = (1996, 4, 1);
        coverage = 0.0121;
        expansion_coverage = coverage;
        min_days_served = 365.0;
        offending_multiplier = 0.85, "reasonable evidence (UKDPC): assumed 0.85 for 2 years, size from no seed";
    }
    cbt_high_intensity: PrisonProgramme {
        coverage = 0.0127;
        expansion_coverage = coverage;
        min_days_served = 270.0;
    }
    short_duration_programme: PrisonProgramme {
        start = (2001, 4, 1);
        coverage = 0.0648;
        expansion_coverage = coverage;
        min_days_served = 28.0;
    }
    pasro: PrisonProgramme {
        start = (2001, 4, 1);
        coverage = 0.0967;
        expansion_coverage = coverage;
        min_days_served = 90.0;
    }
    drug_free_wings: PrisonProgramme {
        start = (1996, 4, 1);
        coverage = 0.05, "assumption: no seed volume";
        expansion_coverage = coverage;
        min_days_served = 60.0;
    }
    continuity_of_care: ContinuityOfCare {}
}

/// Every intervention key with its unit, range and source: each block's shape
/// rows under the block's name, with the block's own sources and fitted marks.
pub fn registry() -> &'static [ParamInfo] {
    static ROWS: std::sync::LazyLock<Vec<ParamInfo>> = std::sync::LazyLock::new(|| {
        let mut rows = Vec::new();
        for block in Interventions::BLOCKS {
            for row in block.shape {
                let field = row
                    .key
                    .strip_prefix("interventions.*.")
                    .expect("a shape's keys are interventions.*.<field>");
                let own = block.own.iter().find(|(f, _, _)| *f == field);
                let key: &'static str =
                    Box::leak(format!("interventions.{}.{field}", block.name).into_boxed_str());
                rows.push(ParamInfo {
                    key,
                    source: own.and_then(|o| o.2).unwrap_or(row.source),
                    fitted: own.is_some_and(|o| o.1),
                    ..*row
                });
            }
        }
        rows
    });
    &ROWS
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
    /// Where it acts, in one phrase (the interventions table).
    pub acts: &'static str,
    /// The core keys, with their stage, that hold its calibrated start dates,
    /// coverage and effects, if any.
    pub core: &'static str,
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
    ($key:expr, $label:expr, $acts:expr, $core:expr, $stage:ident, $ev:ident, $note:expr, $effects:expr, $volume:expr, $seeds:expr) => {
        InterventionInfo {
            key: $key,
            label: $label,
            acts: $acts,
            core: $core,
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
    iv!("testing_on_arrest", "Drug testing on arrest for trigger offences",
        "arrests for trigger offences are tested for opiates and cocaine",
        "testing.*",
        Arrest, Mixed,
        "UKDPC: mixed evidence for Criminal Justice Integrated Teams (DIP); its value lies in the referrals it makes",
        &[], None, "ukdpc_positive_test_rate"),
    iv!("required_assessment", "Required assessment after a positive test",
        "a positive tester must attend an assessment; not attending is an offence",
        "dip.*",
        Arrest, Mixed,
        "UKDPC: part of DIP (mixed evidence); refusing assessment is an offence",
        &[], None, "ukdpc_dip_treatment_entries; ukdpc_dip_monthly_treatment_jan2008"),
    iv!("restriction_on_bail", "Restriction on bail (treatment as a bail condition)",
        "a positive tester facing prosecution is bailed on condition of treatment assessment",
        "",
        Court, Mixed,
        "UKDPC: mixed evidence for Restrictions on Bail",
        &[], Some(Scheme::RestrictionOnBail), ""),
    iv!("conditional_caution", "Conditional caution with a drug condition",
        "a drug user early in their record is cautioned with a drug condition instead of prosecuted",
        "",
        Arrest, NotEvaluated,
        "UKDPC: no evaluations of conditional cautions",
        &[("offending_multiplier", 1.0)], Some(Scheme::ConditionalCaution), "ukdpc_conditional_caution_conditions"),
    iv!("diversion", "Diversion from prosecution with a drug referral",
        "a drug user early in their record is diverted from prosecution with a drug referral",
        "",
        Arrest, NotEvaluated,
        "UKDPC: no evaluations of diversion from prosecution schemes (Scotland's scheme is the example)",
        &[("offending_multiplier", 1.0)], Some(Scheme::Diversion), "ukdpc_scot_diversion"),
    iv!("dtto_drr", "DTTO, then DRR from April 2005",
        "the court adds a drug treatment requirement to a community or suspended sentence",
        "sentencing.dtto_*, sentencing.drr_*, orders.*",
        Order, Reasonable,
        "UKDPC: reasonable evidence for community sentences such as DTTOs and DRRs",
        &[], None, "ukdpc_dtto_drr_starts; ukdpc_order_completion_2003; ukdpc_order_completion_2006; nao_order_completion_2003"),
    iv!("low_intensity_order", "Low-intensity DTTO/DRR (from 2004-05)",
        "a DTTO/DRR is made at low intensity: shorter, fewer appointments",
        "",
        Order, Reasonable,
        "UKDPC: part of DTTO/DRR provision (reasonable evidence)",
        &[], Some(Scheme::LowIntensityOrder), ""),
    iv!("atr", "Alcohol Treatment Requirement",
        "the court adds an alcohol treatment requirement for alcohol users",
        "sentencing.atr_share, orders.atr_*",
        Order, NotEvaluated,
        "not covered by the UKDPC review (a drug review); BOLD 2023 reports its engagement",
        &[], None, "bold_engaged_atr; bold_in_treatment_3w_atr"),
    iv!("drug_courts", "Drug courts (dedicated sentencer reviews of DTTO/DRR)",
        "a DTTO/DRR is reviewed by the same sentencer: fewer breaches, less offending on the order",
        "",
        Order, Reasonable,
        "UKDPC: reasonable evidence (international); effectiveness in the UK still to be proven",
        &[], Some(Scheme::DrugCourt), ""),
    iv!("asro", "ASRO programme on a community order",
        "a community order for a drug user carries the ASRO programme",
        "",
        Order, NotEvaluated,
        "UKDPC: no evaluations of CBT-based programmes such as ASRO",
        &[("offending_multiplier", 1.0)], Some(Scheme::Asro), "ukdpc_asro_2005"),
    iv!("osap", "OSAP programme on a community order",
        "a community order for a drug user carries the OSAP programme",
        "",
        Order, NotEvaluated,
        "UKDPC: no evaluations of CBT-based programmes (OSAP is one)",
        &[("offending_multiplier", 1.0)], Some(Scheme::Osap), "ukdpc_osap_2005"),
    iv!("intensive_partnership", "Intensive police and treatment partnership (high-rate offenders)",
        "people with repeated positive tests are engaged by caseworkers into treatment",
        "",
        Arrest, Mixed,
        "not in the UKDPC review; a Criminal Justice Integrated Team model (mixed evidence); one uncontrolled before/after study (Best et al. 2010)",
        &[], Some(Scheme::IntensivePartnership), "best_min_positive_tests; best_hccu_effect; best_cohort_n"),
    iv!("carat", "CARAT assessment and throughcare in prison",
        "a drug user received into prison is assessed and offered throughcare",
        "",
        Prison, NotEvaluated,
        "UKDPC: no evaluations of CARAT interventions",
        &[("continuity_multiplier", 1.0)], Some(Scheme::Carat), "ukdpc_carat_assessments"),
    iv!("detox_maintenance", "Prison detoxification and maintenance prescribing",
        "a drug user (opiates/crack or other drugs) received into prison is detoxified or maintained: fewer deaths after release",
        "",
        Prison, Reasonable,
        "UKDPC: reasonable evidence for opioid detoxification and methadone maintenance within prisons",
        &[], Some(Scheme::DetoxMaintenance), "ukdpc_prison_detox_maintenance_1997; ukdpc_prison_detox_maintenance_2007"),
    iv!("idts", "Integrated Drug Treatment System",
        "receptions into IDTS prisons get more clinical treatment and coordination",
        "",
        Prison, NotEvaluated,
        "UKDPC: rolled out from 2006-08, not yet evaluated",
        &[("continuity_multiplier", 1.0)], Some(Scheme::Idts), "ukdpc_idts_full_prisons; ukdpc_idts_enhanced_prisons"),
    iv!("rapt", "RAPt 12-step programme",
        "a drug user serving at least min_days_served joins the RAPt 12-step programme",
        "",
        Prison, Reasonable,
        "UKDPC: reasonable evidence for the RAPt 12-step abstinence-based programme",
        &[], Some(Scheme::Rapt), "ukdpc_rapt"),
    iv!("therapeutic_community", "Prison therapeutic communities",
        "a drug user serving at least min_days_served joins a therapeutic community",
        "",
        Prison, Reasonable,
        "UKDPC: reasonable evidence for prison-based therapeutic communities",
        &[], Some(Scheme::TherapeuticCommunity), "ukdpc_therapeutic_communities"),
    iv!("cbt_high_intensity", "High-intensity CBT programmes (FOCUS, STOP)",
        "a drug user serving at least min_days_served joins FOCUS or STOP",
        "",
        Prison, NotEvaluated,
        "UKDPC: no evaluations of programmes based on cognitive behavioural therapy",
        &[("offending_multiplier", 1.0)], Some(Scheme::CbtHighIntensity), "ukdpc_cbt_high_intensity"),
    iv!("short_duration_programme", "Short duration programmes (4 weeks, short-term prisoners)",
        "a drug user serving at least min_days_served joins a 4-week programme",
        "",
        Prison, NotEvaluated,
        "UKDPC: no evaluations of short-duration programmes",
        &[("offending_multiplier", 1.0)], Some(Scheme::ShortDurationProgramme), "ukdpc_sdp"),
    iv!("pasro", "P-ASRO programme",
        "a drug user serving at least min_days_served joins P-ASRO",
        "",
        Prison, NotEvaluated,
        "UKDPC: no evaluations of ASRO programmes",
        &[("offending_multiplier", 1.0)], Some(Scheme::Pasro), "ukdpc_pasro"),
    iv!("drug_free_wings", "Drug-free wings and voluntary testing",
        "a drug user serving at least min_days_served is placed on a drug-free wing",
        "",
        Prison, NotEvaluated,
        "UKDPC: no evaluations of drug-free wings",
        &[("offending_multiplier", 1.0)], Some(Scheme::DrugFreeWing), ""),
    iv!("continuity_of_care", "Continuity of care from prison to community treatment",
        "a drug user released from prison is linked to community treatment",
        "treatment.release_continuity_probability",
        Release, NotEvaluated,
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

/// The first day two sets of interventions can act differently, when they
/// differ only in their dated expansions (`expansion_start` and the coverage or
/// probability from it, which the schemes read only through
/// [`crate::pathway::model::Coverage::at`]): the earlier `expansion_start` of
/// each block that differs. Infinite when they are the same; `None` when they
/// differ in anything else.
pub fn expansions_part(a: &Interventions, b: &Interventions) -> Option<f64> {
    if a == b {
        return Some(f64::INFINITY);
    }
    let (ta, tb) = (
        toml::Table::try_from(a).ok()?,
        toml::Table::try_from(b).ok()?,
    );
    let mut from = f64::INFINITY;
    for (block, va) in &ta {
        let vb = tb.get(block)?;
        if va == vb {
            continue;
        }
        let (ba, bb) = (va.as_table()?, vb.as_table()?);
        if ba
            .iter()
            .any(|(k, x)| bb.get(k) != Some(x) && !k.starts_with("expansion_"))
        {
            return None;
        }
        for t in [ba, bb] {
            let start: Date = t.get("expansion_start")?.clone().try_into().ok()?;
            from = from.min(start.as_f64());
        }
    }
    Some(from)
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
    fn two_sets_part_on_the_earliest_expansion_that_differs() {
        let base = Interventions::default();
        assert_eq!(expansions_part(&base, &base), Some(f64::INFINITY));
        let mut b = base.clone();
        b.detox_maintenance.expansion_start = Date::parse("2026-04-01").unwrap();
        b.detox_maintenance.expansion_coverage = 0.95;
        b.continuity_of_care.expansion_start = Date::parse("2027-01-01").unwrap();
        b.continuity_of_care.expansion_probability = 0.6;
        let day = |s: &str| Date::parse(s).unwrap().as_f64();
        assert_eq!(expansions_part(&base, &b), Some(day("2026-04-01")));
        assert_eq!(expansions_part(&b, &base), Some(day("2026-04-01")));
        // Same start, another coverage: they part on that start.
        let mut c = b.clone();
        c.detox_maintenance.expansion_coverage = 0.7;
        assert_eq!(expansions_part(&b, &c), Some(day("2026-04-01")));
        // Anything but an expansion: no shared prefix.
        c.detox_maintenance.coverage = 0.1;
        assert_eq!(expansions_part(&b, &c), None);
        let mut d = base.clone();
        d.carat.enabled = !d.carat.enabled;
        assert_eq!(expansions_part(&base, &d), None);
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

//! Every model parameter: its typed home, default, unit, range and source.
//!
//! Two tiers, as in ripgrep: the serde structs below are what a scenario file can
//! say (each `#[serde(default, deny_unknown_fields)]`, defaults = the baseline), and
//! [`REGISTRY`] gives each numeric key its unit, valid range and source (a seed
//! figure id from `shared/seed_figures.csv`, or "assumption: reason"). Validation
//! walks the registry, so the range of a rate is written once. `pathsim params`
//! prints the registry; docs/model.md explains the model around it.

use crate::calendar::Date;
use crate::history::Substance;
use crate::parameter::{collect_numeric, p, INF};
pub use crate::parameter::{BySubstance, ParamInfo};
use serde::{Deserialize, Serialize};

/// A whole scenario: what to run and every parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Scenario name (defaults to the file name); names the output folder.
    pub name: String,
    /// One sentence: the question this scenario answers.
    pub description: String,
    pub run: RunParams,
    pub population: PopulationParams,
    pub offending: OffendingParams,
    pub court: CourtParams,
    pub testing: TestingParams,
    pub dip: DipParams,
    pub sentencing: SentencingParams,
    pub orders: OrderParams,
    pub treatment: TreatmentParams,
    pub custody: CustodyParams,
    pub mortality: MortalityParams,
    pub levers: Levers,
    /// Every intervention in the UKDPC review, each a block (src/interventions.rs).
    pub interventions: crate::interventions::Interventions,
    /// Optional limit on treatment places, with a waiting list.
    pub capacity: crate::interventions::Capacity,
}

/// What to run: scale, replicates, seed and the time window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunParams {
    pub seed: u64,
    pub replicates: u32,
    /// Real people per simulated person (1 = full England and Wales size).
    pub scale: f64,
    /// Start of the burn-in: the simulation clock starts here.
    pub start: Date,
    /// First year reported in outputs (years before are burn-in).
    pub observe_from: i32,
    /// End of the simulation (exclusive).
    pub horizon: Date,
}

impl Default for RunParams {
    fn default() -> Self {
        RunParams {
            seed: 20_261_124,
            replicates: 10,
            scale: 20.0,
            start: Date::ymd(1990, 1, 1),
            observe_from: 2000,
            horizon: Date::ymd(2036, 1, 1),
        }
    }
}

/// Who is in the offender population and how they enter it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PopulationParams {
    /// Real people with an active offending career on the start date.
    pub initial_offenders: f64,
    /// Real people starting an offending career each year.
    pub entrants_per_year: f64,
    /// Share of entrants in each substance group (must sum to 1).
    pub substance_share: BySubstance,
    pub male_share: f64,
    /// Youngest age at career start (years).
    pub entry_age_min: f64,
    /// Mean of the exponential excess of entry age over the minimum (years).
    pub entry_age_mean_excess: f64,
    /// Shape of the gamma distribution of offending propensity (mean 1), by
    /// substance group: lower is more unequal (a few prolific offenders).
    pub propensity_shape: BySubstance,
    /// Share with unstable housing, by substance group.
    pub unstable_housing_share: BySubstance,
    /// Share with a mental health problem, by substance group.
    pub mental_health_share: BySubstance,
}

impl Default for PopulationParams {
    fn default() -> Self {
        PopulationParams {
            initial_offenders: 1_200_000.0,
            entrants_per_year: 150_000.0,
            substance_share: BySubstance::new(0.15875, 0.24, 0.18, 0.42125),
            male_share: 0.85,
            entry_age_min: 15.0,
            entry_age_mean_excess: 9.0,
            propensity_shape: BySubstance::new(0.8976, 2.0, 2.0, 2.0),
            unstable_housing_share: BySubstance::new(0.35, 0.20, 0.20, 0.10),
            mental_health_share: BySubstance::new(0.40, 0.30, 0.35, 0.20),
        }
    }
}

/// Offending (as arrests), its variation over a career, and desistance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OffendingParams {
    /// Arrests a year under age 25 (age effects act in 5-year bands, evaluated at
    /// mid-band), propensity 1, stable phase, out of treatment.
    pub arrest_rate: BySubstance,
    /// Proportional fall in the arrest rate per year of age over 25.
    pub age_decline: f64,
    pub unstable_housing_multiplier: f64,
    pub mental_health_multiplier: f64,
    /// Rate of entering a crisis phase of chaotic use and high offending (per year).
    pub crisis_onset_rate: BySubstance,
    /// Rate of leaving a crisis phase (per year).
    pub crisis_recovery_rate: f64,
    /// Arrest-rate multiplier during a crisis phase.
    pub crisis_offending_multiplier: f64,
    /// Share of arrests that are for trigger offences (acquisitive crime, drug offences).
    pub trigger_share: BySubstance,
    /// Desistance rate (per year) under age 30 (5-year bands, evaluated at mid-band).
    pub desistance_rate: BySubstance,
    /// Proportional rise in the desistance rate per year of age over 30.
    pub desistance_age_increase: f64,
}

impl Default for OffendingParams {
    fn default() -> Self {
        OffendingParams {
            arrest_rate: BySubstance::new(1.3226, 1.5, 1.5, 1.4),
            age_decline: 0.03,
            unstable_housing_multiplier: 1.3,
            mental_health_multiplier: 1.1,
            crisis_onset_rate: BySubstance::new(0.50233, 0.25, 0.15, 0.0),
            crisis_recovery_rate: 1.3818,
            crisis_offending_multiplier: 2.4069,
            trigger_share: BySubstance::new(0.65, 0.40, 0.20, 0.30),
            desistance_rate: BySubstance::new(0.124, 0.10, 0.09, 0.12),
            desistance_age_increase: 0.03,
        }
    }
}

/// From arrest to conviction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CourtParams {
    /// Probability an arrest ends in a conviction.
    pub conviction_probability: f64,
    /// Mean days from arrest to conviction (exponential).
    pub delay_days_mean: f64,
}

impl Default for CourtParams {
    fn default() -> Self {
        CourtParams {
            conviction_probability: 0.59081,
            delay_days_mean: 75.0,
        }
    }
}

/// Drug testing in police custody: roll-out and test results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TestingParams {
    /// Pilot testing on arrest starts.
    pub pilot_start: Date,
    /// Share of trigger-offence arrests tested during the pilot.
    pub pilot_coverage: f64,
    /// DIP roll-out of testing on arrest.
    pub start: Date,
    pub coverage: f64,
    /// Further roll-out (Tough Choices, testing on arrest).
    pub expansion_start: Date,
    pub expansion_coverage: f64,
    /// Probability a test is positive for opiates or cocaine, out of treatment.
    pub positive_probability: BySubstance,
    /// Multiplier on that probability while in treatment.
    pub in_treatment_positive_multiplier: f64,
}

impl Default for TestingParams {
    fn default() -> Self {
        TestingParams {
            pilot_start: Date::ymd(2001, 7, 1),
            pilot_coverage: 0.10,
            start: Date::ymd(2003, 4, 1),
            coverage: 0.50,
            expansion_start: Date::ymd(2006, 4, 1),
            expansion_coverage: 0.85,
            positive_probability: BySubstance::new(0.9638, 0.37434, 0.05, 0.03),
            in_treatment_positive_multiplier: 0.7,
        }
    }
}

/// Drug Interventions Programme: assessment after a positive test, and referral.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DipParams {
    pub start: Date,
    /// Required assessment (attendance compulsory after a positive test).
    pub required_assessment_start: Date,
    /// Probability a positive tester is assessed before required assessment.
    pub voluntary_assessment_probability: f64,
    /// Probability once assessment is required.
    pub required_assessment_probability: f64,
    /// Probability an assessed person not in treatment starts treatment via DIP.
    pub treatment_probability: BySubstance,
    /// Mean days from assessment to treatment start (exponential).
    pub treatment_delay_days_mean: f64,
}

impl Default for DipParams {
    fn default() -> Self {
        DipParams {
            start: Date::ymd(2003, 4, 1),
            required_assessment_start: Date::ymd(2006, 4, 1),
            voluntary_assessment_probability: 0.5,
            required_assessment_probability: 0.9,
            treatment_probability: BySubstance::new(0.36907, 0.02, 0.10, 0.0),
            treatment_delay_days_mean: 21.0,
        }
    }
}

/// Sentencing at conviction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SentencingParams {
    /// Relative weight of each sentence for a first conviction.
    pub weight_discharge_fine: f64,
    pub weight_community: f64,
    pub weight_suspended: f64,
    pub weight_short_custody: f64,
    pub weight_long_custody: f64,
    /// Proportional rise of the custody weights per prior conviction (capped at 20).
    pub custody_escalation_per_prior: f64,
    /// Proportional rise of the community and suspended weights per prior conviction.
    pub community_escalation_per_prior: f64,
    /// Custody-weight multiplier for opiate/crack users (prolific acquisitive offending).
    pub pdu_custody_multiplier: f64,
    /// DTTO pilots start (orders available to a share of courts).
    pub dtto_pilot_start: Date,
    pub dtto_pilot_coverage: f64,
    /// National DTTO roll-out.
    pub dtto_start: Date,
    /// DRR and ATR replace the DTTO (Criminal Justice Act 2003).
    pub drr_start: Date,
    /// Share of community and suspended sentences for drug users that carry a DTTO.
    pub dtto_share: f64,
    /// Share that carry a DRR (opiate/crack users).
    pub drr_share: f64,
    /// Multiplier on the DTTO/DRR share for users of other drugs.
    pub other_drugs_requirement_multiplier: f64,
    /// Share of community and suspended sentences for alcohol users that carry an ATR.
    pub atr_share: f64,
    /// Prior convictions needed before a court gives a DTTO or DRR (orders went
    /// to persistent offenders).
    pub requirement_min_priors: f64,
    /// From this date, DRR and ATR shares fall by `requirement_decline_per_year`.
    pub requirement_decline_start: Date,
    /// Proportional fall a year in DRR and ATR use after the decline starts.
    pub requirement_decline_per_year: f64,
}

impl Default for SentencingParams {
    fn default() -> Self {
        SentencingParams {
            weight_discharge_fine: 0.55,
            weight_community: 0.25,
            weight_suspended: 0.06,
            weight_short_custody: 0.058694,
            weight_long_custody: 0.04,
            custody_escalation_per_prior: 0.12,
            community_escalation_per_prior: 0.04,
            pdu_custody_multiplier: 1.2197,
            dtto_pilot_start: Date::ymd(1998, 10, 1),
            dtto_pilot_coverage: 0.15,
            dtto_start: Date::ymd(2000, 10, 1),
            drr_start: Date::ymd(2005, 4, 1),
            dtto_share: 0.1,
            drr_share: 0.40513,
            other_drugs_requirement_multiplier: 0.54636,
            atr_share: 0.15,
            requirement_min_priors: 6.6562,
            requirement_decline_start: Date::ymd(2009, 4, 1),
            requirement_decline_per_year: 0.078995,
        }
    }
}

/// Community and suspended orders: length, breach, and treatment engagement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrderParams {
    /// Order length in months.
    pub community_months: f64,
    pub dtto_months: f64,
    pub drr_months: f64,
    pub atr_months: f64,
    /// Breach-and-revocation rate (per year) while on the order.
    pub community_breach_rate: f64,
    pub dtto_breach_rate: f64,
    pub drr_breach_rate: f64,
    pub atr_breach_rate: f64,
    /// Breach-rate multiplier while in treatment.
    pub in_treatment_breach_multiplier: f64,
    /// Probability a revoked order is resentenced to custody.
    pub revocation_custody_probability: f64,
    /// Probability of engaging with treatment on an order with a requirement.
    pub dtto_engagement_probability: f64,
    pub drr_engagement_probability: f64,
    pub atr_engagement_probability: f64,
    /// Mean days from sentence to treatment start for those who engage.
    pub engagement_delay_days_mean: f64,
}

impl Default for OrderParams {
    fn default() -> Self {
        OrderParams {
            community_months: 12.0,
            dtto_months: 12.0,
            drr_months: 12.0,
            atr_months: 6.0,
            community_breach_rate: 0.35,
            dtto_breach_rate: 1.3894,
            drr_breach_rate: 0.80975,
            atr_breach_rate: 0.5,
            in_treatment_breach_multiplier: 0.36343,
            revocation_custody_probability: 0.5,
            dtto_engagement_probability: 0.75,
            drr_engagement_probability: 0.02,
            atr_engagement_probability: 0.43868,
            engagement_delay_days_mean: 18.0,
        }
    }
}

/// Community drug and alcohol treatment: entry, retention, exit, and its effect.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TreatmentParams {
    /// Rate of voluntary (non-criminal-justice) treatment entry, per year.
    pub voluntary_entry_rate: BySubstance,
    /// Entry-rate multiplier during a crisis phase.
    pub crisis_entry_multiplier: f64,
    /// Entry-rate multiplier after a successful completion.
    pub entry_after_completion_multiplier: f64,
    /// Dropout rate (per year) in the first 3 months, months 3-12, and after 12 months.
    pub dropout_rate_0_3m: f64,
    pub dropout_rate_3_12m: f64,
    pub dropout_rate_12m_plus: f64,
    /// Dropout multiplier for criminal-justice referrals.
    pub criminal_justice_dropout_multiplier: f64,
    /// No successful completion before this many days.
    pub completion_min_days: f64,
    /// Completion rate (per year) once the minimum time has passed.
    pub completion_rate: BySubstance,
    /// Causal effect: arrest-rate multiplier while in treatment.
    pub offending_multiplier_in_treatment: f64,
    /// Causal effect: arrest-rate multiplier after a successful completion.
    pub offending_multiplier_after_completion: f64,
    /// Mortality multiplier while in treatment.
    pub mortality_multiplier_in_treatment: f64,
    /// Probability of starting community treatment on release (continuity of care), drug users.
    pub release_continuity_probability: f64,
    pub release_continuity_delay_days_mean: f64,
}

impl Default for TreatmentParams {
    fn default() -> Self {
        TreatmentParams {
            voluntary_entry_rate: BySubstance::new(0.1, 0.35421, 0.06, 0.0),
            crisis_entry_multiplier: 2.404,
            entry_after_completion_multiplier: 0.3,
            dropout_rate_0_3m: 1.0029,
            dropout_rate_3_12m: 0.21486,
            dropout_rate_12m_plus: 0.41158,
            criminal_justice_dropout_multiplier: 1.2,
            completion_min_days: 84.0,
            completion_rate: BySubstance::new(0.53486, 1.0, 1.2, 1.0),
            offending_multiplier_in_treatment: 0.46538,
            offending_multiplier_after_completion: 0.7,
            mortality_multiplier_in_treatment: 0.5,
            release_continuity_probability: 0.25,
            release_continuity_delay_days_mean: 14.0,
        }
    }
}

/// Time served in custody.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CustodyParams {
    /// Mean days served on a short sentence (under 12 months); time served is
    /// uniform between 0.5 and 1.5 times the mean.
    pub short_days_mean: f64,
    /// Mean days served on a long sentence.
    pub long_days_mean: f64,
    /// Mean days served after an order is revoked.
    pub breach_days_mean: f64,
}

impl Default for CustodyParams {
    fn default() -> Self {
        CustodyParams {
            short_days_mean: 60.0,
            long_days_mean: 540.0,
            breach_days_mean: 90.0,
        }
    }
}

/// Mortality, including the overdose risk of the first weeks after release.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MortalityParams {
    /// General-population death rate (per year) at exact age 25; bands use their mid-age.
    pub base_rate_age25: f64,
    /// Years for the death rate to double with age (Gompertz).
    pub age_doubling_years: f64,
    /// Mortality multiplier by substance group.
    pub multiplier: BySubstance,
    /// Length of the high-risk window after release (days).
    pub release_window_days: f64,
    /// Extra death rate (per year) in that window, by substance group.
    pub release_excess_rate: BySubstance,
}

impl Default for MortalityParams {
    fn default() -> Self {
        MortalityParams {
            base_rate_age25: 0.0006,
            age_doubling_years: 9.0,
            multiplier: BySubstance::new(20.0, 3.0, 4.0, 1.5),
            release_window_days: 14.0,
            release_excess_rate: BySubstance::new(0.15124, 0.02, 0.01, 0.0),
        }
    }
}

/// What-if policy levers, each off by default and effective from its start date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Levers {
    pub retention: RetentionLever,
    pub testing_extended: TestingExtendedLever,
    pub community_instead_of_short_custody: CommunityInsteadLever,
    pub treatment_access: TreatmentAccessLever,
}

/// Treatment retention improves: every dropout rate is multiplied.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionLever {
    pub enabled: bool,
    pub start: Date,
    pub dropout_multiplier: f64,
}

impl Default for RetentionLever {
    fn default() -> Self {
        RetentionLever {
            enabled: false,
            start: Date::ymd(2026, 4, 1),
            dropout_multiplier: 0.75,
        }
    }
}

/// Testing on arrest extended beyond trigger offences.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TestingExtendedLever {
    pub enabled: bool,
    pub start: Date,
    /// Share of non-trigger arrests tested.
    pub non_trigger_coverage: f64,
    /// Trigger-offence coverage from the start date.
    pub trigger_coverage: f64,
}

impl Default for TestingExtendedLever {
    fn default() -> Self {
        TestingExtendedLever {
            enabled: false,
            start: Date::ymd(2026, 4, 1),
            non_trigger_coverage: 0.8,
            trigger_coverage: 1.0,
        }
    }
}

/// Short custodial sentences replaced by community orders (with a DRR or ATR
/// where the person is eligible).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CommunityInsteadLever {
    pub enabled: bool,
    pub start: Date,
    /// Share of short custodial sentences replaced.
    pub share: f64,
}

impl Default for CommunityInsteadLever {
    fn default() -> Self {
        CommunityInsteadLever {
            enabled: false,
            start: Date::ymd(2026, 4, 1),
            share: 0.5,
        }
    }
}

/// Easier access to treatment: voluntary entry rates multiplied.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TreatmentAccessLever {
    pub enabled: bool,
    pub start: Date,
    pub entry_multiplier: f64,
}

impl Default for TreatmentAccessLever {
    fn default() -> Self {
        TreatmentAccessLever {
            enabled: false,
            start: Date::ymd(2026, 4, 1),
            entry_multiplier: 1.5,
        }
    }
}

/// Every numeric parameter. A test checks this covers every numeric key of
/// [`Params`] and nothing else.
pub const REGISTRY: &[ParamInfo] = &[
    p!("run.seed", "integer", 0.0, INF, "assumption: any seed; fixes every random stream"),
    p!("run.replicates", "runs", 1.0, 100_000.0, "assumption: 10 gives intervals in under a minute"),
    p!("run.scale", "real people per simulated person", 0.01, 1e6, "assumption: 20 keeps the baseline under a minute"),
    p!("run.observe_from", "year", 1950.0, 2200.0, "assumption: first study year (DTTO pilots)"),
    p!("population.initial_offenders", "people", 0.0, 1e8, "assumption: about a million active offenders (brief); ukdpc_arrestee_pdu_people"),
    p!("population.entrants_per_year", "people per year", 0.0, 1e7, "assumption: keeps the active population near a million"),
    p!("population.substance_share.*", "share of entrants", 0.0, 1.0, "calibrated to ukdpc_arrestee_pdu_share; ukdpc_general_pop_pdu_share gives about 300,000 PDUs"),
    p!("population.male_share", "share", 0.0, 1.0, "assumption: 85% of proven offenders are male (MoJ statistics, not a seed)"),
    p!("population.entry_age_min", "years", 10.0, 80.0, "assumption: age of criminal responsibility and youth careers"),
    p!("population.entry_age_mean_excess", "years", 0.0, 60.0, "assumption: careers start mostly in the late teens and twenties"),
    p!("population.propensity_shape.*", "gamma shape", 0.05, 100.0, "assumption: heterogeneous propensity, a few prolific offenders (Best et al. 3+ tests a year exist)"),
    p!("population.unstable_housing_share.*", "share", 0.0, 1.0, "assumption: housing need higher among PDUs"),
    p!("population.mental_health_share.*", "share", 0.0, 1.0, "assumption: mental health need common among offenders"),
    p!("offending.arrest_rate.*", "arrests per year", 0.0, 100.0, "calibrated to ukdpc_arrestee_pdu_share, nao_pilot_reconviction_2y, ukdpc_reconviction_noncompleters"),
    p!("offending.age_decline", "per year of age", 0.0, 1.0, "assumption: age-crime curve"),
    p!("offending.unstable_housing_multiplier", "multiplier", 0.0, 100.0, "assumption"),
    p!("offending.mental_health_multiplier", "multiplier", 0.0, 100.0, "assumption"),
    p!("offending.crisis_onset_rate.*", "per year", 0.0, 100.0, "assumption: periods of chaotic use drive selection into treatment (regression to the mean)"),
    p!("offending.crisis_recovery_rate", "per year", 0.0, 100.0, "assumption: crises last months, not years"),
    p!("offending.crisis_offending_multiplier", "multiplier", 1.0, 100.0, "calibrated to nta_dropout_reduction (the before/after fall without much treatment)"),
    p!("offending.trigger_share.*", "share of arrests", 0.0, 1.0, "assumption: PDU offending is mostly acquisitive (ukdpc_weekly_user_acquisitive_12m vs ukdpc_other_arrestee_acquisitive_12m)"),
    p!("offending.desistance_rate.*", "per year", 0.0, 10.0, "assumption: careers of about 10 years, longer for PDUs"),
    p!("offending.desistance_age_increase", "per year of age", 0.0, 1.0, "assumption"),
    p!("court.conviction_probability", "probability", 0.0, 1.0, "assumption: under half of arrests end in conviction"),
    p!("court.delay_days_mean", "days", 0.0, 3650.0, "assumption: cases take a few months"),
    p!("testing.pilot_coverage", "share of trigger arrests", 0.0, 1.0, "assumption: pilot areas"),
    p!("testing.coverage", "share of trigger arrests", 0.0, 1.0, "assumption: DIP intensive areas first"),
    p!("testing.expansion_coverage", "share of trigger arrests", 0.0, 1.0, "assumption: most custody suites by 2006/07"),
    p!("testing.positive_probability.*", "probability", 0.0, 1.0, "calibrated to ukdpc_positive_test_rate"),
    p!("testing.in_treatment_positive_multiplier", "multiplier", 0.0, 1.0, "assumption: treatment reduces but does not stop use"),
    p!("dip.voluntary_assessment_probability", "probability", 0.0, 1.0, "assumption"),
    p!("dip.required_assessment_probability", "probability", 0.0, 1.0, "assumption: required assessment (2006) made assessment near universal"),
    p!("dip.treatment_probability.*", "probability", 0.0, 1.0, "calibrated to ukdpc_dip_treatment_entries"),
    p!("dip.treatment_delay_days_mean", "days", 0.0, 3650.0, "assumption: DIP fast-tracks entry within weeks"),
    p!("sentencing.weight_discharge_fine", "relative weight", 0.0, INF, "assumption: sentencing statistics shape"),
    p!("sentencing.weight_community", "relative weight", 0.0, INF, "assumption"),
    p!("sentencing.weight_suspended", "relative weight", 0.0, INF, "assumption"),
    p!("sentencing.weight_short_custody", "relative weight", 0.0, INF, "calibrated to ukdpc_prison_reception_pdu_low/high"),
    p!("sentencing.weight_long_custody", "relative weight", 0.0, INF, "assumption"),
    p!("sentencing.custody_escalation_per_prior", "per prior conviction", 0.0, 10.0, "assumption: custody more likely with a longer record"),
    p!("sentencing.community_escalation_per_prior", "per prior conviction", 0.0, 10.0, "assumption"),
    p!("sentencing.pdu_custody_multiplier", "multiplier", 0.0, 100.0, "calibrated to ukdpc_prison_reception_pdu_low/high"),
    p!("sentencing.dtto_pilot_coverage", "share of courts", 0.0, 1.0, "assumption: three pilot areas then more (nao_pilot_reconviction_2y)"),
    p!("sentencing.dtto_share", "share of community sentences", 0.0, 1.0, "calibrated to ukdpc_dtto_drr_starts"),
    p!("sentencing.drr_share", "share of community sentences", 0.0, 1.0, "calibrated to ukdpc_dtto_drr_starts"),
    p!("sentencing.other_drugs_requirement_multiplier", "multiplier", 0.0, 10.0, "calibrated to bold_drr_opiates"),
    p!("sentencing.atr_share", "share of community sentences", 0.0, 1.0, "assumption: ATRs are fewer than DRRs (bold_records)"),
    p!("sentencing.requirement_min_priors", "prior convictions", 0.0, 100.0, "calibrated to nao_pilot_reconviction_2y (orders went to persistent offenders)"),
    p!("sentencing.requirement_decline_start", "date", 0.0, 0.0, "assumption: DRR use fell after the 2008 peak"),
    p!("sentencing.requirement_decline_per_year", "per year", 0.0, 1.0, "calibrated to bold_records (fewer DRR/ATR by 2018-22 than DTTO/DRR in 2006/07)"),
    p!("orders.community_months", "months", 0.1, 120.0, "assumption"),
    p!("orders.dtto_months", "months", 0.1, 120.0, "assumption: DTTOs ran 6 months to 3 years"),
    p!("orders.drr_months", "months", 0.1, 120.0, "assumption: DRRs run 6 months to 3 years"),
    p!("orders.atr_months", "months", 0.1, 120.0, "assumption: ATRs run 6 to 12 months"),
    p!("orders.community_breach_rate", "per year", 0.0, 100.0, "assumption"),
    p!("orders.dtto_breach_rate", "per year", 0.0, 100.0, "calibrated to ukdpc_order_completion_2003, nao_order_completion_2003"),
    p!("orders.drr_breach_rate", "per year", 0.0, 100.0, "calibrated to ukdpc_order_completion_2006"),
    p!("orders.atr_breach_rate", "per year", 0.0, 100.0, "assumption"),
    p!("orders.in_treatment_breach_multiplier", "multiplier", 0.0, 10.0, "assumption: engagement keeps people compliant"),
    p!("orders.revocation_custody_probability", "probability", 0.0, 1.0, "assumption"),
    p!("orders.dtto_engagement_probability", "probability", 0.0, 1.0, "assumption: treatment was the core of a DTTO"),
    p!("orders.drr_engagement_probability", "probability", 0.0, 1.0, "calibrated to bold_engaged_drr"),
    p!("orders.atr_engagement_probability", "probability", 0.0, 1.0, "calibrated to bold_engaged_atr"),
    p!("orders.engagement_delay_days_mean", "days", 0.0, 3650.0, "assumption; bold_in_treatment_3w_atr/drr validate it"),
    p!("treatment.voluntary_entry_rate.*", "per year", 0.0, 100.0, "calibrated to ukdpc_cjs_referral_share"),
    p!("treatment.crisis_entry_multiplier", "multiplier", 0.0, 100.0, "assumption: people seek treatment at a low point"),
    p!("treatment.entry_after_completion_multiplier", "multiplier", 0.0, 10.0, "assumption: completers return less often"),
    p!("treatment.dropout_rate_0_3m", "per year", 0.0, 100.0, "calibrated to bold_outcome_dropout"),
    p!("treatment.dropout_rate_3_12m", "per year", 0.0, 100.0, "calibrated to bold_outcome_dropout"),
    p!("treatment.dropout_rate_12m_plus", "per year", 0.0, 100.0, "calibrated to nta_retained_2y_n"),
    p!("treatment.criminal_justice_dropout_multiplier", "multiplier", 0.0, 10.0, "assumption: coerced clients drop out a little more"),
    p!("treatment.completion_min_days", "days", 0.0, 3650.0, "assumption: 12 weeks, NDTMS effective engagement"),
    p!("treatment.completion_rate.*", "per year", 0.0, 100.0, "calibrated to bold_outcome_completed"),
    p!("treatment.offending_multiplier_in_treatment", "multiplier", 0.0, 10.0, "calibrated to nta_retained_2y_reduction (the causal effect)"),
    p!("treatment.offending_multiplier_after_completion", "multiplier", 0.0, 10.0, "assumption: smaller than in treatment; nta_completed_no_return_reduction validates"),
    p!("treatment.mortality_multiplier_in_treatment", "multiplier", 0.0, 10.0, "assumption: opioid substitution halves mortality"),
    p!("treatment.release_continuity_probability", "probability", 0.0, 1.0, "assumption: few prison leavers pick up community treatment"),
    p!("treatment.release_continuity_delay_days_mean", "days", 0.0, 3650.0, "assumption"),
    p!("custody.short_days_mean", "days served", 1.0, 3650.0, "assumption: half of a sentence under 12 months"),
    p!("custody.long_days_mean", "days served", 1.0, 36500.0, "assumption"),
    p!("custody.breach_days_mean", "days served", 1.0, 3650.0, "assumption"),
    p!("mortality.base_rate_age25", "per year", 0.0, 1.0, "assumption: general population, England and Wales life tables"),
    p!("mortality.age_doubling_years", "years", 1.0, 100.0, "assumption: Gompertz law"),
    p!("mortality.multiplier.*", "multiplier", 0.0, 1000.0, "calibrated to bold_outcome_died (context: opiate users die at 10-20 times the general rate)"),
    p!("mortality.release_window_days", "days", 0.0, 365.0, "ukdpc_prison_release_death (2 weeks)"),
    p!("mortality.release_excess_rate.*", "per year", 0.0, 100.0, "calibrated to ukdpc_prison_release_death"),
    p!("run.start", "date", 0.0, 0.0, "assumption: a 10-year burn-in before the first study year"),
    p!("run.horizon", "date", 0.0, 0.0, "assumption: projections to 2035 inclusive"),
    p!("testing.pilot_start", "date", 0.0, 0.0, "assumption: arrest-referral testing pilots (UKDPC 2008 history)"),
    p!("testing.start", "date", 0.0, 0.0, "DIP launched April 2003 (UKDPC 2008)"),
    p!("testing.expansion_start", "date", 0.0, 0.0, "Tough Choices, April 2006 (UKDPC 2008)"),
    p!("dip.start", "date", 0.0, 0.0, "DIP launched April 2003 (UKDPC 2008)"),
    p!("dip.required_assessment_start", "date", 0.0, 0.0, "required assessment, Drugs Act 2005, from April 2006"),
    p!("sentencing.dtto_pilot_start", "date", 0.0, 0.0, "DTTO pilots from October 1998 (NAO 2004)"),
    p!("sentencing.dtto_start", "date", 0.0, 0.0, "national DTTO roll-out October 2000 (NAO 2004)"),
    p!("sentencing.drr_start", "date", 0.0, 0.0, "DRR replaces DTTO, April 2005 (UKDPC 2008)"),
    p!("levers.retention.enabled", "on/off", 0.0, 0.0, "policy lever: what-if"),
    p!("levers.retention.start", "date", 0.0, 0.0, "policy lever: what-if"),
    p!("levers.testing_extended.enabled", "on/off", 0.0, 0.0, "policy lever: what-if"),
    p!("levers.testing_extended.start", "date", 0.0, 0.0, "policy lever: what-if"),
    p!("levers.community_instead_of_short_custody.enabled", "on/off", 0.0, 0.0, "policy lever: what-if"),
    p!("levers.community_instead_of_short_custody.start", "date", 0.0, 0.0, "policy lever: what-if"),
    p!("levers.treatment_access.enabled", "on/off", 0.0, 0.0, "policy lever: what-if"),
    p!("levers.treatment_access.start", "date", 0.0, 0.0, "policy lever: what-if"),
    p!("levers.retention.dropout_multiplier", "multiplier", 0.0, 10.0, "policy lever: what-if"),
    p!("levers.testing_extended.non_trigger_coverage", "share of non-trigger arrests", 0.0, 1.0, "policy lever: what-if"),
    p!("levers.testing_extended.trigger_coverage", "share of trigger arrests", 0.0, 1.0, "policy lever: what-if"),
    p!("levers.community_instead_of_short_custody.share", "share of short custody", 0.0, 1.0, "policy lever: what-if"),
    p!("levers.treatment_access.entry_multiplier", "multiplier", 0.0, 100.0, "policy lever: what-if"),
];

impl ParamInfo {
    /// Dates and switches are listed for documentation; only numbers have ranges.
    pub fn is_numeric(&self) -> bool {
        !matches!(self.unit, "date" | "on/off")
    }
}

/// The registry entry for a dotted key (matching `.*` entries for substance groups;
/// intervention and capacity keys are in [`crate::interventions::REGISTRY`]).
pub fn info(key: &str) -> Option<&'static ParamInfo> {
    if key.starts_with("interventions.") || key.starts_with("capacity.") {
        return crate::interventions::info(key);
    }
    REGISTRY.iter().find(|p| {
        p.key == key
            || p.key.strip_suffix(".*").is_some_and(|stem| {
                key.strip_prefix(stem)
                    .and_then(|rest| rest.strip_prefix('.'))
                    .is_some_and(|g| Substance::ALL.iter().any(|s| s.name() == g))
            })
    })
}

/// One invalid value: the dotted key and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub key: String,
    pub message: String,
}

impl Params {
    /// Every numeric value as (dotted key, value), in declaration order.
    pub fn numeric_leaves(&self) -> Vec<(String, f64)> {
        let value = toml::Value::try_from(self).expect("parameters serialise");
        let mut out = Vec::new();
        collect_numeric("", &value, &mut out);
        out
    }

    /// All range and consistency checks, in one place. Empty means valid.
    pub fn validate(&self) -> Vec<Invalid> {
        let mut bad = Vec::new();
        let mut err = |key: &str, message: String| {
            bad.push(Invalid {
                key: key.to_string(),
                message,
            })
        };
        for (key, v) in self.numeric_leaves() {
            let Some(info) = info(&key).filter(|i| i.is_numeric()) else {
                err(&key, "is not a known parameter".into());
                continue;
            };
            if !v.is_finite() {
                err(&key, format!("must be a finite number, got {v}"));
            } else if v < info.min || v > info.max {
                err(
                    &key,
                    format!(
                        "must be between {} and {} ({}), got {v}",
                        info.min, info.max, info.unit
                    ),
                );
            }
        }
        let share_sum: f64 = Substance::ALL
            .iter()
            .map(|&s| self.population.substance_share.get(s))
            .sum();
        if (share_sum - 1.0).abs() > 1e-6 {
            err(
                "population.substance_share",
                format!("shares must sum to 1, they sum to {share_sum}"),
            );
        }
        let r = &self.run;
        if r.start < Date::ymd(1970, 1, 1) {
            err(
                "run.start",
                format!(
                    "must be 1970-01-01 or later (day numbers count from 1970), got {}",
                    r.start
                ),
            );
        }
        if r.start >= r.horizon {
            err(
                "run.horizon",
                format!("must come after run.start ({}), got {}", r.start, r.horizon),
            );
        }
        if r.observe_from < r.start.year() || r.observe_from >= r.horizon.year() {
            err(
                "run.observe_from",
                format!(
                    "must be a year from run.start ({}) to before run.horizon ({}), got {}",
                    r.start.year(),
                    r.horizon.year(),
                    r.observe_from
                ),
            );
        }
        let t = &self.testing;
        if t.pilot_start > t.start {
            err(
                "testing.start",
                format!(
                    "must not come before testing.pilot_start ({})",
                    t.pilot_start
                ),
            );
        }
        if t.start > t.expansion_start {
            err(
                "testing.expansion_start",
                format!("must not come before testing.start ({})", t.start),
            );
        }
        if self.dip.start > self.dip.required_assessment_start {
            err(
                "dip.required_assessment_start",
                format!("must not come before dip.start ({})", self.dip.start),
            );
        }
        let s = &self.sentencing;
        if s.dtto_pilot_start > s.dtto_start {
            err(
                "sentencing.dtto_start",
                format!(
                    "must not come before sentencing.dtto_pilot_start ({})",
                    s.dtto_pilot_start
                ),
            );
        }
        if s.dtto_start > s.drr_start {
            err(
                "sentencing.drr_start",
                format!(
                    "must not come before sentencing.dtto_start ({})",
                    s.dtto_start
                ),
            );
        }
        let w = s.weight_discharge_fine
            + s.weight_community
            + s.weight_suspended
            + s.weight_short_custody
            + s.weight_long_custody;
        if w.is_finite() && w <= 0.0 {
            err(
                "sentencing.weight_discharge_fine",
                "sentence weights must not all be zero".into(),
            );
        }
        // Through text, so dates come back as TOML dates.
        let iv: toml::Table = toml::to_string(&self.interventions)
            .ok()
            .and_then(|t| toml::from_str(&t).ok())
            .unwrap_or_default();
        for (name, block) in &iv {
            let date = |k: &str| {
                block.get(k).and_then(|v| match v {
                    toml::Value::Datetime(d) => Some(d.to_string()),
                    toml::Value::String(s) => Some(s.clone()),
                    _ => None,
                })
            };
            if let (Some(start), Some(end)) = (date("start"), date("end")) {
                if start >= end {
                    err(
                        &format!("interventions.{name}.end"),
                        format!("must come after interventions.{name}.start ({start}), got {end}"),
                    );
                }
            }
        }
        let c = &self.capacity;
        if c.start >= c.end {
            err(
                "capacity.end",
                format!(
                    "must come after capacity.start ({}), got {}",
                    c.start, c.end
                ),
            );
        }
        if c.enabled && c.community_places_per_year <= 0.0 {
            err(
                "capacity.community_places_per_year",
                "must be positive when capacity is enabled".into(),
            );
        }
        if self.run.scale > 0.0 {
            let people = (self.population.initial_offenders
                + self.population.entrants_per_year * (r.horizon.as_f64() - r.start.as_f64())
                    / crate::calendar::DAYS_PER_YEAR)
                / self.run.scale;
            if people > 4.0e9 {
                err(
                    "run.scale",
                    format!("would simulate {people:.0} people; raise the scale"),
                );
            }
        }
        bad
    }
}

/// The numeric keys a partial scenario sets (None if the file is absent).
pub fn fitted_keys(path: &std::path::Path) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(path).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    let mut out = Vec::new();
    collect_numeric("", &toml::Value::Table(table), &mut out);
    Some(out.into_iter().map(|(k, _)| k).collect())
}

/// The shipped baseline: the defaults, named.
pub fn baseline() -> Params {
    Params {
        name: "baseline".into(),
        description: "England and Wales as it was and as it will be if nothing changes.".into(),
        ..Params::default()
    }
}

/// `scenarios/baseline.toml`: every parameter, each with its unit and source.
///
/// `fitted` lists the keys set by `calibrated` (the partial scenario written by
/// `pathsim calibrate`): the baseline takes them from there (`base`), so here they
/// appear only as comments.
pub fn baseline_toml(calibrated: Option<(&str, &[String])>) -> String {
    let body = toml::to_string_pretty(&baseline()).expect("parameters serialise");
    let mut out = String::from(
        "# pathsim baseline scenario: every parameter, with its unit and source.\n\
         # Generated by `pathsim params --toml > scenarios/baseline.toml`; edit the\n\
         # defaults in src/params.rs. Sources are seed figure ids\n\
         # (shared/seed_figures.csv) or \"assumption: why\". Rates are per year unless\n\
         # the unit says otherwise; dates are YYYY-MM-DD.\n",
    );
    let fitted: &[String] = match calibrated {
        Some((file, keys)) => {
            out.push_str(&format!(
                "# Parameters fitted by `pathsim calibrate` come from {file} (see\n\
                 # docs/calibration.md); they appear below as comments.\n\nbase = \"{file}\"\n"
            ));
            keys
        }
        None => {
            out.push('\n');
            &[]
        }
    };
    let mut section = String::new();
    for line in body.lines() {
        let trimmed = line.trim();
        if let Some(name) = trimmed.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_string();
            out.push_str(line);
            out.push('\n');
            continue;
        }
        if let Some((key, _)) = trimmed.split_once(" = ") {
            let full = if section.is_empty() {
                key.to_string()
            } else {
                format!("{section}.{key}")
            };
            if let Some(i) = info(&full) {
                let first_of_group = !i.key.ends_with(".*") || full.ends_with(".opiates_crack");
                if first_of_group {
                    out.push_str(&format!("# {}; {}\n", i.unit, i.source));
                }
            }
            if fitted.contains(&full) {
                out.push_str(&format!("# {line}  (fitted: see the base file)\n"));
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The parameter registry as a table, with defaults.
pub fn params_table(markdown: bool) -> String {
    let defaults = crate::params::baseline().numeric_leaves();
    let mut out = String::new();
    if markdown {
        out.push_str(
            "| key | default | unit | range | source |\n| --- | --- | --- | --- | --- |\n",
        );
    }
    for (key, v) in defaults {
        let info = crate::params::info(&key).expect("registry covers every parameter");
        let range = format!("{} to {}", info.min, info.max);
        if markdown {
            out.push_str(&format!(
                "| `{key}` | {v} | {} | {range} | {} |\n",
                info.unit, info.source
            ));
        } else {
            out.push_str(&format!(
                "{key:<52} {v:>12} {:<32} {}\n",
                info.unit, info.source
            ));
        }
    }
    for info in REGISTRY.iter().filter(|i| !i.is_numeric()) {
        if markdown {
            out.push_str(&format!(
                "| `{}` | see baseline.toml | {} | | {} |\n",
                info.key, info.unit, info.source
            ));
        } else {
            out.push_str(&format!(
                "{:<52} {:>12} {:<32} {}\n",
                info.key, "", info.unit, info.source
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_covers_every_numeric_parameter_and_nothing_else() {
        let leaves = Params::default().numeric_leaves();
        for (key, _) in &leaves {
            assert!(info(key).is_some(), "no registry entry for {key}");
        }
        for p in REGISTRY
            .iter()
            .chain(crate::interventions::REGISTRY)
            .filter(|p| p.is_numeric() && !p.key.contains(".*."))
        {
            let covered = leaves
                .iter()
                .any(|(k, _)| info(k).is_some_and(|i| i.key == p.key));
            assert!(covered, "registry entry {} matches no parameter", p.key);
        }
    }

    #[test]
    fn baseline_file_is_the_generated_one_and_the_defaults_are_the_calibrated_values() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let path = dir.join("baseline.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let calibrated = fitted_keys(&dir.join("calibrated.toml"));
        let generated = baseline_toml(
            calibrated
                .as_ref()
                .map(|keys| ("calibrated.toml", keys.as_slice())),
        );
        assert_eq!(
            text, generated,
            "scenarios/baseline.toml is out of date: run `pathsim params --toml > scenarios/baseline.toml`"
        );
        // Loading the baseline (with its calibrated base) gives exactly the defaults:
        // the code's defaults are the calibrated values.
        let loaded = crate::scenario::load(&path).unwrap().params;
        let defaults: std::collections::HashMap<String, f64> =
            baseline().numeric_leaves().into_iter().collect();
        for (key, v) in loaded.numeric_leaves() {
            let d = defaults[&key];
            assert!(
                (v - d).abs() <= 1e-9 * d.abs().max(1.0),
                "{key}: calibrated.toml has {v}, src/params.rs has {d}"
            );
        }
    }

    #[test]
    fn defaults_are_valid() {
        assert_eq!(Params::default().validate(), vec![]);
    }

    #[test]
    fn out_of_range_values_are_named() {
        let mut p = Params::default();
        p.treatment.dropout_rate_0_3m = -1.0;
        p.court.conviction_probability = 1.5;
        p.offending.age_decline = f64::NAN;
        p.run.horizon = Date::ymd(1980, 1, 1);
        p.interventions.diversion.end = Date::ymd(2020, 1, 1);
        let keys: Vec<String> = p.validate().into_iter().map(|i| i.key).collect();
        assert!(keys.contains(&"interventions.diversion.end".to_string()));
        assert!(keys.contains(&"treatment.dropout_rate_0_3m".to_string()));
        assert!(keys.contains(&"court.conviction_probability".to_string()));
        assert!(keys.contains(&"offending.age_decline".to_string()));
        assert!(keys.contains(&"run.horizon".to_string()));
    }
}

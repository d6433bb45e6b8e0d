//! Yearly metrics, counted from recorded histories.
//!
//! Every metric is declared once in [`METRICS`] (name, label, unit, grouping);
//! writers iterate the declarations, so no column appears anywhere else. Counts
//! are integers while a run is in progress and are scaled to real people only
//! when written.

use crate::calendar::{Date, DAYS_PER_YEAR};
use crate::history::Observer;
use crate::history::{
    CustodyKind, DeathCause, DeathCircumstances, Disposal, EventKind, Histories, LengthBand,
    Modality, OffenceGroup, OrderKind, OrderOutcome, ReleaseWeeks, Route, Sentence, Substance,
    TreatmentExit,
};
use crate::params::Params;

/// What the `group` column of a metric holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    Substance,
    Route,
    Order,
    Custody,
    Sentence,
    /// Intervention schemes ([`crate::interventions::Scheme`]).
    Scheme,
    /// Offence groups ([`OffenceGroup`]).
    Offence,
    /// Police disposals of arrests ([`Disposal`]).
    Disposal,
    /// Custodial sentence length bands ([`LengthBand`]).
    Length,
    /// What put an offender in the proven-reoffending cohort ([`IndexKind`]).
    Index,
    /// Previous proven offences at the cohort entry ([`PriorBand`]).
    Priors,
    /// Treatment modality ([`Modality`]).
    Modality,
    /// Cause of death ([`DeathCause`]).
    Cause,
    /// Weeks since release from custody ([`ReleaseWeeks`]).
    ReleaseWeeks,
    /// In or out of treatment at death ([`TreatmentStatus`]).
    TreatmentStatus,
    /// Treatment by modality and setting ([`TreatmentSetting`]).
    Setting,
    /// Where a person's time is spent, for health outcomes ([`HealthState`]).
    Health,
    /// Age at the event, in the Ministry of Justice's bands ([`AgeBand`]).
    Age,
    /// Sex ([`Sex`]).
    Sex,
}

/// Age at the event, in the bands of the Ministry of Justice's proven
/// reoffending tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum AgeBand {
    Under18 = 0,
    From18To20 = 1,
    From21To24 = 2,
    From25To29 = 3,
    From30To34 = 4,
    From35To39 = 5,
    From40To44 = 6,
    From45To49 = 7,
    From50 = 8,
}

impl AgeBand {
    pub const NAMES: [&'static str; 9] = [
        "under_18", "18_20", "21_24", "25_29", "30_34", "35_39", "40_44", "45_49", "50_plus",
    ];
    pub fn of(age: i32) -> AgeBand {
        match age {
            ..=17 => AgeBand::Under18,
            18..=20 => AgeBand::From18To20,
            21..=24 => AgeBand::From21To24,
            25..=29 => AgeBand::From25To29,
            30..=34 => AgeBand::From30To34,
            35..=39 => AgeBand::From35To39,
            40..=44 => AgeBand::From40To44,
            45..=49 => AgeBand::From45To49,
            _ => AgeBand::From50,
        }
    }
}

/// Sex.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Sex {
    Male = 0,
    Female = 1,
}

impl Sex {
    pub const NAMES: [&'static str; 2] = ["male", "female"];
    pub fn of(male: bool) -> Sex {
        if male {
            Sex::Male
        } else {
            Sex::Female
        }
    }
}

/// A treatment journey is engaged when it lasts 12 weeks or ends in a
/// successful completion sooner (NDTMS "effective engagement").
pub const ENGAGEMENT_DAYS: i32 = 84;

/// Days after each counted event a metric needs before a year's count is
/// final: proven reoffending's conviction window, engagement's 12 weeks. A
/// year is reported only once its last event's follow-up ends before the
/// horizon.
fn follow_up_days(m: M) -> i32 {
    match m {
        M::REOFFENDERS
        | M::REOFFENDING_COHORT
        | M::COHORT_BY_AGE
        | M::REOFFENDERS_BY_AGE
        | M::COHORT_BY_SEX
        | M::REOFFENDERS_BY_SEX
        | M::ADULT_COHORT_BY_INDEX
        | M::ADULT_REOFFENDERS_BY_INDEX
        | M::ADULT_COHORT_BY_PRIORS
        | M::ADULT_REOFFENDERS_BY_PRIORS => REOFFENDING_CONVICTION_DAYS,
        M::ENGAGED_BY_AGE | M::ENGAGED_BY_SEX | M::ENGAGED_BY_PRIORS => ENGAGEMENT_DAYS,
        _ => 0,
    }
}

/// Treatment by modality and setting: what a month of it costs differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum TreatmentSetting {
    CommunityOst = 0,
    CommunityPsychosocial = 1,
    PrisonOst = 2,
    PrisonPsychosocial = 3,
}

impl TreatmentSetting {
    pub const NAMES: [&'static str; 4] = [
        "community_ost",
        "community_psychosocial",
        "prison_ost",
        "prison_psychosocial",
    ];
    pub fn of(ost: bool, in_prison: bool) -> TreatmentSetting {
        match (in_prison, ost) {
            (false, true) => TreatmentSetting::CommunityOst,
            (false, false) => TreatmentSetting::CommunityPsychosocial,
            (true, true) => TreatmentSetting::PrisonOst,
            (true, false) => TreatmentSetting::PrisonPsychosocial,
        }
    }
}

/// Exclusive states of a living person's time, each with a health-state
/// utility (`data/costs/utilities.csv`): prison first, then community treatment
/// by modality, then use or abstinence out of treatment. Custody and use are
/// split by problem, so that prison is not a loss of health for people with no
/// problem and the NHS cost of opiate and crack use falls on its users alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum HealthState {
    /// In custody, with a drug or alcohol problem.
    InCustody = 0,
    /// In custody, with no problem substance use.
    InCustodyNoProblemUse = 1,
    InOst = 2,
    InPsychosocial = 3,
    /// Opiate or crack use, out of treatment and out of prison.
    UsingOpiatesCrack = 4,
    /// Alcohol or other drug problems, out of treatment and out of prison.
    UsingOther = 5,
    /// After a recovery, or after a successful completion (free of dependence,
    /// the NDTMS definition) until the next treatment start.
    Abstinent = 6,
    /// People with no problem substance use.
    NoProblemUse = 7,
}

impl HealthState {
    pub const N: usize = 8;
    pub const NAMES: [&'static str; HealthState::N] = [
        "in_custody",
        "in_custody_no_problem_use",
        "in_ost",
        "in_psychosocial",
        "using_opiates_crack",
        "using_other",
        "abstinent",
        "no_problem_use",
    ];
}

/// In or out of treatment at death.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum TreatmentStatus {
    InOst = 0,
    /// In psychosocial treatment.
    InOtherTreatment = 1,
    /// Out of treatment, within the weeks after leaving OST.
    AfterOst = 2,
    OutOfTreatment = 3,
}

impl TreatmentStatus {
    pub const NAMES: [&'static str; 4] = [
        "in_ost",
        "in_other_treatment",
        "weeks_after_leaving_ost",
        "out_of_treatment",
    ];
    pub fn of(c: DeathCircumstances) -> TreatmentStatus {
        if c.in_ost {
            TreatmentStatus::InOst
        } else if c.in_treatment {
            TreatmentStatus::InOtherTreatment
        } else if c.after_ost {
            TreatmentStatus::AfterOst
        } else {
            TreatmentStatus::OutOfTreatment
        }
    }
}

/// What put an offender in the proven-reoffending cohort (the MoJ's groups).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum IndexKind {
    Caution = 0,
    /// Discharge or fine.
    NonCustodial = 1,
    /// A community or suspended order.
    CourtOrder = 2,
    /// Released from a custodial sentence under 12 months.
    CustodyUnder12m = 3,
    /// Released from a custodial sentence of 12 months or more.
    Custody12mPlus = 4,
}

impl IndexKind {
    pub const NAMES: [&'static str; 5] = [
        "caution",
        "discharge_fine",
        "court_order",
        "custody_under_12m",
        "custody_12m_plus",
    ];
}

/// Previous proven offences, in the MoJ's bands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum PriorBand {
    None = 0,
    OneToTwo = 1,
    ThreeToSix = 2,
    SevenToTen = 3,
    ElevenPlus = 4,
}

impl PriorBand {
    pub const NAMES: [&'static str; 5] = ["0", "1_2", "3_6", "7_10", "11_plus"];
    pub fn of(priors: u32) -> PriorBand {
        match priors {
            0 => PriorBand::None,
            1..=2 => PriorBand::OneToTwo,
            3..=6 => PriorBand::ThreeToSix,
            7..=10 => PriorBand::SevenToTen,
            _ => PriorBand::ElevenPlus,
        }
    }
}

impl Grouping {
    pub fn names(self) -> Vec<&'static str> {
        match self {
            Grouping::Substance => Substance::ALL.iter().map(|s| s.name()).collect(),
            Grouping::Route => Route::ALL.iter().map(|s| s.name()).collect(),
            Grouping::Order => OrderKind::ALL.iter().map(|s| s.name()).collect(),
            Grouping::Custody => CustodyKind::ALL.iter().map(|s| s.name()).collect(),
            Grouping::Sentence => Sentence::ALL.iter().map(|s| s.name()).collect(),
            Grouping::Scheme => crate::interventions::Scheme::ALL
                .iter()
                .map(|s| s.name())
                .collect(),
            Grouping::Offence => OffenceGroup::ALL.iter().map(|s| s.name()).collect(),
            Grouping::Disposal => Disposal::ALL.iter().map(|s| s.name()).collect(),
            Grouping::Length => LengthBand::ALL.iter().map(|s| s.name()).collect(),
            Grouping::Index => IndexKind::NAMES.to_vec(),
            Grouping::Priors => PriorBand::NAMES.to_vec(),
            Grouping::Modality => Modality::ALL.iter().map(|s| s.name()).collect(),
            Grouping::Cause => DeathCause::ALL.iter().map(|s| s.name()).collect(),
            Grouping::ReleaseWeeks => ReleaseWeeks::ALL.iter().map(|s| s.name()).collect(),
            Grouping::TreatmentStatus => TreatmentStatus::NAMES.to_vec(),
            Grouping::Setting => TreatmentSetting::NAMES.to_vec(),
            Grouping::Health => HealthState::NAMES.to_vec(),
            Grouping::Age => AgeBand::NAMES.to_vec(),
            Grouping::Sex => Sex::NAMES.to_vec(),
        }
    }
}

/// How a metric's value is made from counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Events, scaled to real people.
    Count,
    /// Days in a state, reported as real person-years.
    PersonYears,
    /// An expected count kept in thousandths (offences as a rate's integral),
    /// scaled to real people.
    Thousandths,
    /// numerator / denominator, both metric indices.
    Ratio(usize, usize),
}

/// A declared metric.
#[derive(Clone, Copy, Debug)]
pub struct MetricDef {
    pub id: M,
    pub name: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub grouping: Grouping,
    pub kind: Kind,
}

macro_rules! metrics {
    ($( $id:ident = $name:literal, $label:literal, $unit:literal, $grouping:ident, $kind:expr; )*) => {
        /// A metric's typed id: every consumer names metrics by these, so a
        /// misspelt metric does not compile. Its index is its place in [`METRICS`].
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum M { $( $id, )* }
        impl M {
            /// Every metric, in output order.
            pub const ALL: &[M] = &[ $( M::$id, )* ];
        }
        /// Every metric, in output order.
        pub const METRICS: &[MetricDef] = &[
            $( MetricDef { id: M::$id, name: $name, label: $label, unit: $unit, grouping: Grouping::$grouping, kind: $kind }, )*
        ];
    };
}

metrics! {
    ACTIVE = "active_offenders", "Offenders with an active career", "person-years", Substance, Kind::PersonYears;
    POPULATION = "population", "People alive in the model on 30 June: offenders, past offenders, and people with a drug or alcohol problem who never offend", "people", Substance, Kind::Count;
    OFFENCES = "offences", "Offences committed, detected or not (expected count)", "offences", Offence, Kind::Thousandths;
    ARRESTS = "arrests", "Arrests", "arrests", Substance, Kind::Count;
    DETECTED_OFFENCES = "detected_offences", "Offences detected (arrests) by offence group", "offences", Offence, Kind::Count;
    TRIGGER_ARRESTS = "trigger_arrests", "Arrests for trigger offences", "arrests", Substance, Kind::Count;
    TESTS = "tests", "Drug tests on arrest", "tests", Substance, Kind::Count;
    POSITIVE_TESTS = "positive_tests", "Positive tests (opiates/cocaine)", "tests", Substance, Kind::Count;
    DIP_ASSESSMENTS = "dip_assessments", "DIP assessments", "assessments", Substance, Kind::Count;
    DISPOSALS = "disposals", "Arrests by police disposal: no further action, penalty notice, caution, conditional caution, charge", "arrests", Disposal, Kind::Count;
    CAUTIONS = "cautions", "Cautions (simple and conditional)", "cautions", Substance, Kind::Count;
    CONVICTIONS = "convictions", "Convictions", "convictions", Substance, Kind::Count;
    SENTENCES = "sentences", "Sentences by type", "sentences", Sentence, Kind::Count;
    TREATMENT_STARTS = "treatment_starts", "Treatment journeys started (new presentations) by referral route", "journeys", Route, Kind::Count;
    TREATMENT_STARTS_SUBSTANCE = "treatment_starts_by_substance", "Treatment journeys started (new presentations) by substance", "journeys", Substance, Kind::Count;
    TREATMENT_STARTS_BY_AGE = "treatment_starts_by_age", "Treatment journeys started, by age band at the start", "journeys", Age, Kind::Count;
    TREATMENT_STARTS_BY_SEX = "treatment_starts_by_sex", "Treatment journeys started, by sex", "journeys", Sex, Kind::Count;
    TREATMENT_STARTS_BY_PRIORS = "treatment_starts_by_priors", "Treatment journeys started, by previous proven offences at the start", "journeys", Priors, Kind::Count;
    ENGAGED_BY_AGE = "engaged_journeys_by_age", "Journeys engaged (12 weeks in treatment, or completed sooner), by age band at the start, in the year of the start", "journeys", Age, Kind::Count;
    ENGAGED_BY_SEX = "engaged_journeys_by_sex", "Journeys engaged (12 weeks in treatment, or completed sooner), by sex, in the year of the start", "journeys", Sex, Kind::Count;
    ENGAGED_BY_PRIORS = "engaged_journeys_by_priors", "Journeys engaged (12 weeks in treatment, or completed sooner), by previous proven offences at the start", "journeys", Priors, Kind::Count;
    ENGAGEMENT_BY_AGE = "engagement_rate_by_age", "Share of journeys started that engaged (12 weeks, or a completion sooner), by age band", "share", Age, Kind::Ratio(M::ENGAGED_BY_AGE as usize, M::TREATMENT_STARTS_BY_AGE as usize);
    ENGAGEMENT_BY_SEX = "engagement_rate_by_sex", "Share of journeys started that engaged (12 weeks, or a completion sooner), by sex", "share", Sex, Kind::Ratio(M::ENGAGED_BY_SEX as usize, M::TREATMENT_STARTS_BY_SEX as usize);
    ENGAGEMENT_BY_PRIORS = "engagement_rate_by_priors", "Share of journeys started that engaged (12 weeks, or a completion sooner), by previous proven offences", "share", Priors, Kind::Ratio(M::ENGAGED_BY_PRIORS as usize, M::TREATMENT_STARTS_BY_PRIORS as usize);
    TREATMENT_STARTS_MODALITY = "treatment_starts_by_modality", "Treatment journeys started by modality (OST or psychosocial)", "journeys", Modality, Kind::Count;
    DROPOUTS = "dropouts", "Treatment dropouts", "journeys", Substance, Kind::Count;
    COMPLETIONS = "completions", "Successful treatment completions", "journeys", Substance, Kind::Count;
    COMPLETIONS_BY_ROUTE = "completions_by_route", "Successful treatment completions by referral route", "journeys", Route, Kind::Count;
    COMPLETIONS_NO_RETURN = "completions_not_re_presenting", "Successful completions not followed by a new journey within 6 months (182 days)", "journeys", Substance, Kind::Count;
    COMPLETIONS_NO_RETURN_BY_ROUTE = "completions_not_re_presenting_by_route", "Successful completions not re-presenting within 6 months, by referral route", "journeys", Route, Kind::Count;
    NOT_CONTINUED = "journeys_not_continued_after_release", "Treatment journeys that went on in prison and ended at release with no community pick-up", "journeys", Substance, Kind::Count;
    IN_TREATMENT = "in_treatment", "Time in treatment (journeys, in the community and in prison)", "person-years", Substance, Kind::PersonYears;
    IN_OST = "in_ost", "Time in opioid substitution treatment", "person-years", Substance, Kind::PersonYears;
    TREATMENT_TIME_BY_SETTING = "treatment_time_by_setting", "Time in treatment by modality and setting (community or prison)", "person-years", Setting, Kind::PersonYears;
    ADULTS_IN_TREATMENT = "adults_in_treatment", "Adults (18+) in treatment during the year (distinct people)", "people", Substance, Kind::Count;
    ADULTS_IN_TREATMENT_NON_OFFENDERS = "adults_in_treatment_non_offenders", "Adults in treatment during the year who never offend (the demand from outside the criminal justice system)", "people", Substance, Kind::Count;
    ADULTS_IN_TREATMENT_BY_ROUTE = "adults_in_treatment_by_route", "Adults in treatment during the year by referral route of their journey (distinct people per route)", "people", Route, Kind::Count;
    TREATMENT_CASELOAD = "treatment_caseload", "People in treatment on 30 June", "people", Substance, Kind::Count;
    OST_CASELOAD = "ost_caseload", "People in opioid substitution treatment on 30 June", "people", Substance, Kind::Count;
    ORDER_STARTS = "order_starts", "Order starts by type", "orders", Order, Kind::Count;
    ORDER_COMPLETIONS = "order_completions", "Orders completed", "orders", Order, Kind::Count;
    ORDER_REVOCATIONS = "order_revocations", "Orders breached and revoked", "orders", Order, Kind::Count;
    ORDER_REVOCATIONS_ON_RECONVICTION = "order_revocations_on_reconviction", "Orders breached by a new conviction and revoked", "orders", Order, Kind::Count;
    CUSTODY_RECEPTIONS = "custody_receptions", "Custody receptions", "receptions", Custody, Kind::Count;
    FIRST_RECEPTIONS = "first_receptions", "First receptions into prison (remand, or sentenced from liberty)", "receptions", Substance, Kind::Count;
    SENTENCED_RECEPTIONS = "sentenced_receptions", "Receptions under an immediate custodial sentence (from liberty or from remand)", "receptions", Substance, Kind::Count;
    SENTENCED_RECEPTIONS_BY_LENGTH = "sentenced_receptions_by_length", "Sentenced receptions by sentence length band", "receptions", Length, Kind::Count;
    RECALLS = "recalls", "Recalls to custody from licence", "recalls", Substance, Kind::Count;
    IN_CUSTODY = "in_custody", "Time in custody", "person-years", Substance, Kind::PersonYears;
    PRISON_POPULATION = "prison_population", "People in custody on 30 June (remand, sentenced, recalled)", "people", Substance, Kind::Count;
    PRISON_POPULATION_BY_KIND = "prison_population_by_kind", "People in custody on 30 June by what holds them: on remand, under a sentence (short, long, after a breach) or recalled", "people", Custody, Kind::Count;
    ORDER_TIME = "order_time", "Time on a community or suspended order, by order type", "person-years", Order, Kind::PersonYears;
    LICENCE_TIME = "licence_time", "Time on licence or post-sentence supervision after release, until the next reception", "person-years", Substance, Kind::PersonYears;
    PROBATION_CASELOAD = "probation_caseload", "People on a community or suspended order, or on licence or post-sentence supervision, on 30 June", "people", Substance, Kind::Count;
    RELEASES = "releases", "Releases from custody", "releases", Substance, Kind::Count;
    DEATHS = "deaths", "Deaths", "deaths", Substance, Kind::Count;
    DEATHS_BY_CAUSE = "deaths_by_cause", "Deaths by cause", "deaths", Cause, Kind::Count;
    POISONING_DEATHS = "drug_poisoning_deaths", "Deaths from drug poisoning", "deaths", Substance, Kind::Count;
    DEATHS_BY_RELEASE_WEEKS = "deaths_by_weeks_since_release", "Deaths by weeks since release from custody (1, 2, 3-4, 5-12; or not released in the last 12 weeks)", "deaths", ReleaseWeeks, Kind::Count;
    POISONING_DEATHS_BY_RELEASE_WEEKS = "drug_poisoning_deaths_by_weeks_since_release", "Drug-poisoning deaths by weeks since release from custody", "deaths", ReleaseWeeks, Kind::Count;
    DEATHS_BY_TREATMENT = "deaths_by_treatment_status", "Deaths in OST, in other treatment, in the weeks after leaving OST, and out of treatment", "deaths", TreatmentStatus, Kind::Count;
    POISONING_DEATHS_BY_TREATMENT = "drug_poisoning_deaths_by_treatment_status", "Drug-poisoning deaths by treatment status", "deaths", TreatmentStatus, Kind::Count;
    YEARS_OF_LIFE_LOST = "years_of_life_lost", "Years of life lost: at each death, the remaining life expectancy of the general population of that age and sex (ONS national life tables, UK 2021-2023)", "years", Cause, Kind::Thousandths;
    HEALTH_STATE_TIME = "person_years_by_health_state", "Time alive by health state: in custody, in community OST or psychosocial treatment, using out of treatment, abstinent, no problem use", "person-years", Health, Kind::PersonYears;
    DESISTANCES = "desistances", "Careers ended by desistance", "people", Substance, Kind::Count;
    RECOVERIES = "recoveries", "Drug or alcohol problems ended out of treatment (recovery)", "people", Substance, Kind::Count;
    REOFFENDING_COHORT = "reoffending_cohort", "Offenders in the proven-reoffending cohort", "people", Substance, Kind::Count;
    REOFFENDERS = "reoffenders", "Proven reoffenders within 12 months (+6 for conviction)", "people", Substance, Kind::Count;
    PROVEN_REOFFENDING = "proven_reoffending_rate", "Proven reoffending rate", "share", Substance, Kind::Ratio(M::REOFFENDERS as usize, M::REOFFENDING_COHORT as usize);
    COHORT_BY_AGE = "reoffending_cohort_by_age", "Offenders in the proven-reoffending cohort, by age band at the index event", "people", Age, Kind::Count;
    REOFFENDERS_BY_AGE = "reoffenders_by_age", "Proven reoffenders, by age band at the index event", "people", Age, Kind::Count;
    REOFFENDING_BY_AGE = "proven_reoffending_rate_by_age", "Proven reoffending rate, by age band at the index event", "share", Age, Kind::Ratio(M::REOFFENDERS_BY_AGE as usize, M::COHORT_BY_AGE as usize);
    COHORT_BY_SEX = "reoffending_cohort_by_sex", "Offenders in the proven-reoffending cohort, by sex", "people", Sex, Kind::Count;
    REOFFENDERS_BY_SEX = "reoffenders_by_sex", "Proven reoffenders, by sex", "people", Sex, Kind::Count;
    REOFFENDING_BY_SEX = "proven_reoffending_rate_by_sex", "Proven reoffending rate, by sex", "share", Sex, Kind::Ratio(M::REOFFENDERS_BY_SEX as usize, M::COHORT_BY_SEX as usize);
    ADULT_COHORT_BY_INDEX = "adult_reoffending_cohort_by_index", "Adults (18+) in the proven-reoffending cohort, by what put them there", "people", Index, Kind::Count;
    ADULT_REOFFENDERS_BY_INDEX = "adult_reoffenders_by_index", "Adult proven reoffenders, by what put them in the cohort", "people", Index, Kind::Count;
    ADULT_REOFFENDING_BY_INDEX = "adult_proven_reoffending_rate_by_index", "Adult proven reoffending rate, by what put them in the cohort (all: every adult)", "share", Index, Kind::Ratio(M::ADULT_REOFFENDERS_BY_INDEX as usize, M::ADULT_COHORT_BY_INDEX as usize);
    ADULT_COHORT_BY_PRIORS = "adult_reoffending_cohort_by_priors", "Adults in the proven-reoffending cohort, by previous proven offences", "people", Priors, Kind::Count;
    ADULT_REOFFENDERS_BY_PRIORS = "adult_reoffenders_by_priors", "Adult proven reoffenders, by previous proven offences", "people", Priors, Kind::Count;
    ADULT_REOFFENDING_BY_PRIORS = "adult_proven_reoffending_rate_by_priors", "Adult proven reoffending rate, by previous proven offences", "share", Priors, Kind::Ratio(M::ADULT_REOFFENDERS_BY_PRIORS as usize, M::ADULT_COHORT_BY_PRIORS as usize);
    POSITIVE_RATE = "positive_test_rate", "Share of tests positive", "share", Substance, Kind::Ratio(M::POSITIVE_TESTS as usize, M::TESTS as usize);
    COMPLETION_SHARE = "completion_share", "Completions among treatment exits (completed or dropped out)", "share", Substance, Kind::Ratio(M::COMPLETIONS as usize, M::EXITS as usize);
    EXITS = "treatment_exits", "Treatment exits by dropout or completion", "episodes", Substance, Kind::Count;
    INTERVENTION_STARTS = "intervention_starts", "People starting each intervention scheme (volumes)", "people", Scheme, Kind::Count;
    NO_PLACE = "intervention_no_place", "Eligible for a prison programme, no place free", "people", Scheme, Kind::Count;
    WAITLIST_JOINS = "waitlist_joins", "Treatment requests meeting a waiting list", "requests", Route, Kind::Count;
    WAIT_DAYS = "waitlist_days", "Days of waiting ahead on joining the list (sum)", "days", Route, Kind::Count;
    MEAN_WAIT = "mean_wait_days", "Mean wait for a treatment place on joining the list", "days", Route, Kind::Ratio(M::WAIT_DAYS as usize, M::WAITLIST_JOINS as usize);
    WAIT_GIVE_UPS = "waitlist_give_ups", "People giving up waiting (displaced)", "people", Route, Kind::Count;
    FAILED_ASSESSMENTS = "failed_assessments", "Required assessments not attended", "people", Substance, Kind::Count;
    REVOCATIONS_AFTER_ASSESSMENT = "revocations_after_assessment", "Orders revoked within a year of a DIP assessment or failed assessment", "orders", Substance, Kind::Count;
    CUSTODY_AFTER_ASSESSMENT = "custody_after_assessment", "Custody receptions within a year of a DIP assessment or failed assessment", "receptions", Substance, Kind::Count;
}

impl M {
    /// The declaration of this metric.
    pub fn def(self) -> &'static MetricDef {
        &METRICS[self as usize]
    }
    /// The name written in `results.csv` (e.g. `proven_reoffending_rate`).
    pub fn name(self) -> &'static str {
        self.def().name
    }
    /// The metric of a name read from a file (sweep outputs), if any.
    pub fn from_name(name: &str) -> Option<M> {
        METRICS.iter().find(|d| d.name == name).map(|d| d.id)
    }
}

impl std::fmt::Display for M {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Grouping {
    /// Groups of this grouping (without the "all" total).
    pub const fn size(self) -> usize {
        match self {
            Grouping::Substance => Substance::ALL.len(),
            Grouping::Route => Route::ALL.len(),
            Grouping::Order => OrderKind::ALL.len(),
            Grouping::Custody => CustodyKind::ALL.len(),
            Grouping::Sentence => Sentence::ALL.len(),
            Grouping::Scheme => crate::interventions::Scheme::ALL.len(),
            Grouping::Offence => OffenceGroup::N,
            Grouping::Disposal => Disposal::ALL.len(),
            Grouping::Length => LengthBand::ALL.len(),
            Grouping::Index => IndexKind::NAMES.len(),
            Grouping::Priors => PriorBand::NAMES.len(),
            Grouping::Modality => Modality::ALL.len(),
            Grouping::Cause => DeathCause::ALL.len(),
            Grouping::ReleaseWeeks => ReleaseWeeks::ALL.len(),
            Grouping::TreatmentStatus => TreatmentStatus::NAMES.len(),
            Grouping::Setting => TreatmentSetting::NAMES.len(),
            Grouping::Health => HealthState::NAMES.len(),
            Grouping::Age => AgeBand::NAMES.len(),
            Grouping::Sex => Sex::NAMES.len(),
        }
    }
}

/// Maximum groups of any grouping a metric uses: the stride of the count table,
/// so a grouping that grows (a new scheme) widens it instead of writing into the
/// next metric's counts.
const MAX_GROUPS: usize = {
    let mut max = 0;
    let mut i = 0;
    while i < METRICS.len() {
        let n = METRICS[i].grouping.size();
        if n > max {
            max = n;
        }
        i += 1;
    }
    max
};

/// Proven-reoffending follow-up: offences within a year, convicted within a further 6 months.
pub const REOFFENDING_OFFENCE_DAYS: i32 = 365;
pub const REOFFENDING_CONVICTION_DAYS: i32 = 365 + 183;

/// Yearly counts for every metric and group.
#[derive(Clone, Debug)]
pub struct Metrics {
    pub first_year: i32,
    pub n_years: usize,
    year_starts: Vec<i32>,
    horizon_day: i32,
    counts: Vec<u64>,
    /// Events recorded, all years including burn-in (for throughput figures).
    pub events: u64,
    /// Person-days simulated, all years including burn-in.
    pub person_days: u64,
    /// Share of each substance group's offences in each offence group.
    offence_share: [[f64; OffenceGroup::N]; 4],
    /// The snapshot day (30 June) of each observed year.
    snapshot_days: Vec<i32>,
    /// One person's spells under supervision (a buffer reused person to person).
    supervised: Vec<(i32, i32)>,
    /// One person's treatment journeys: start, end (exclusive), route.
    journeys: Vec<Journey>,
    /// One person's stays in custody, [from, to), in order.
    custody: Vec<(i32, i32)>,
    /// One person's spells of abstinence (may overlap).
    abstinent: Vec<(i32, i32)>,
    /// Boundaries of one person's health-state segments.
    cuts: Vec<i32>,
    /// One person's orders: start, end, order kind.
    orders: Vec<(i32, i32, usize)>,
    /// Remaining life expectancy by age and sex, for years of life lost.
    life: &'static crate::life_table::LifeTable,
}

/// A treatment journey as the metrics see it.
#[derive(Clone, Copy, Debug)]
struct Journey {
    from: i32,
    to: i32,
    route: u8,
    ost: bool,
}

impl Metrics {
    pub fn new(p: &Params) -> Metrics {
        let first_year = p.run.observe_from;
        let last_year = (p.run.horizon.day() - 1).max(0);
        let last_year = crate::calendar::civil_from_days(last_year).0;
        let n_years = (last_year - first_year + 1).max(0) as usize;
        let year_starts = (first_year..=last_year + 1)
            .map(|y| Date::year_start(y).day())
            .collect();
        Metrics {
            first_year,
            n_years,
            year_starts,
            horizon_day: p.run.horizon.day(),
            counts: vec![0; METRICS.len() * MAX_GROUPS * n_years],
            events: 0,
            person_days: 0,
            offence_share: crate::pathway::arrest::offence_group_shares(&p.offending),
            snapshot_days: (first_year..=last_year)
                .map(|y| Date::ymd(y, 6, 30).day())
                .collect(),
            supervised: Vec::new(),
            journeys: Vec::new(),
            custody: Vec::new(),
            abstinent: Vec::new(),
            cuts: Vec::new(),
            orders: Vec::new(),
            life: crate::life_table::shipped(),
        }
    }

    #[inline]
    fn slot(&self, m: M, group: usize, year: usize) -> usize {
        ((m as usize) * MAX_GROUPS + group) * self.n_years + year
    }

    /// Year index of a day, if observed.
    #[inline]
    fn year_index(&self, day: i32) -> Option<usize> {
        let first = self.year_starts[0];
        if day < first || day >= *self.year_starts.last()? {
            return None;
        }
        // A near-exact guess from the mean year length, corrected by at most one.
        let mut y = (((day - first) as f64) / DAYS_PER_YEAR) as usize;
        y = y.min(self.n_years - 1);
        if day < self.year_starts[y] {
            y -= 1;
        } else if day >= self.year_starts[y + 1] {
            y += 1;
        }
        Some(y)
    }

    #[inline]
    fn add(&mut self, m: M, group: usize, day: i32) {
        if let Some(y) = self.year_index(day) {
            let s = self.slot(m, group, y);
            self.counts[s] += 1;
        }
    }

    #[inline]
    fn add_n(&mut self, m: M, group: usize, day: i32, n: u64) {
        if let Some(y) = self.year_index(day) {
            let s = self.slot(m, group, y);
            self.counts[s] += n;
        }
    }

    /// The observed years that [a, b) may overlap (empty if none).
    fn years_of(&self, a: i32, b: i32) -> std::ops::Range<usize> {
        if b <= a || self.n_years == 0 {
            return 0..0;
        }
        // Days are whole, so the starts before b are the starts on or before b - 1.
        let first = self.starts_on_or_before(a).saturating_sub(1);
        let last = self.starts_on_or_before(b - 1).min(self.n_years);
        first..last
    }

    /// How many of `year_starts` fall on or before `day` (the end included).
    #[inline]
    fn starts_on_or_before(&self, day: i32) -> usize {
        match self.year_index(day) {
            Some(y) => y + 1,
            None if day < self.year_starts[0] => 0,
            None => self.year_starts.len(),
        }
    }

    /// Days of [a, b) in observed year `y`.
    fn days_in_year(&self, y: usize, a: i32, b: i32) -> i32 {
        b.min(self.year_starts[y + 1]) - a.max(self.year_starts[y])
    }

    /// Add the days of [a, b) to a person-years metric, split by year.
    fn add_days(&mut self, m: M, group: usize, a: i32, b: i32) {
        for y in self.years_of(a, b) {
            let days = self.days_in_year(y, a, b);
            if days > 0 {
                let s = self.slot(m, group, y);
                self.counts[s] += days as u64;
            }
        }
    }

    /// The raw count of a metric, group index and year.
    pub fn count(&self, m: M, group: usize, year: i32) -> u64 {
        let y = (year - self.first_year) as usize;
        self.counts[self.slot(m, group, y)]
    }

    /// Whether year `y` (index) is complete for a count that needs `days` of
    /// follow-up after each event (none: always).
    fn followed_up(&self, y: usize, days: i32) -> bool {
        days == 0 || self.year_starts[y + 1] - 1 + days < self.horizon_day
    }

    /// Rows of (metric, group, period, value) with values in real-world units.
    pub fn rows(&self, scale: f64) -> Vec<Row> {
        let mut out = Vec::new();
        for (mi, def) in METRICS.iter().enumerate() {
            let names = def.grouping.names();
            for y in 0..self.n_years {
                let year = self.first_year + y as i32;
                let days = match def.kind {
                    Kind::Ratio(n, _) => follow_up_days(M::ALL[n]),
                    _ => follow_up_days(def.id),
                };
                if !self.followed_up(y, days) {
                    continue;
                }
                let get = |m: usize, g: usize| {
                    self.counts[(m * MAX_GROUPS + g) * self.n_years + y] as f64
                };
                let mut emit = |group: String, num: f64, den: f64| {
                    let value = match def.kind {
                        Kind::Count => Some(num * scale),
                        Kind::PersonYears => Some(num / DAYS_PER_YEAR * scale),
                        Kind::Thousandths => Some(num / 1000.0 * scale),
                        Kind::Ratio(..) => (den > 0.0).then(|| num / den),
                    };
                    if let Some(value) = value {
                        out.push(Row {
                            metric: def.id,
                            group,
                            period: year,
                            value,
                        });
                    }
                };
                let (mut tn, mut td) = (0.0, 0.0);
                for (g, name) in names.iter().enumerate() {
                    let (n, d) = match def.kind {
                        Kind::Ratio(a, b) => (get(a, g), get(b, g)),
                        _ => (get(mi, g), 0.0),
                    };
                    tn += n;
                    td += d;
                    emit(name.to_string(), n, d);
                }
                emit("all".to_string(), tn, td);
            }
        }
        out
    }
}

/// One tidy output row.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub metric: M,
    pub group: String,
    pub period: i32,
    pub value: f64,
}

impl Observer for Metrics {
    fn observe(&mut self, h: &Histories) {
        self.events += h.events.len() as u64;
        for (p, events) in h.iter() {
            let g = p.substance.index();
            self.person_days += (p.exit_day + 1 - p.entry_day).max(0) as u64;
            // The open journey: its start, route and whether it is OST.
            let mut treat_from: Option<(i32, u8, bool)> = None;
            // The open journey's groups at its start: age band, sex, priors band.
            let mut treat_groups = (0usize, 0usize, 0usize);
            let mut custody_from: Option<i32> = None;
            // What holds the person in the open stay, and since when.
            let mut held: (i32, usize) = (0, 0);
            let mut reoff_year: Option<usize> = None;
            // Last DIP assessment or failed assessment: what follows within a year
            // is the net-widening cost the UKDPC warned of.
            let mut assessed: Option<i32> = None;
            // The offence rate in force since a day (encoded), and the end of the
            // active career.
            let mut rate: Option<(i32, u32)> = None;
            let mut active_until = p.exit_day + 1;
            // Proven offences so far, the band of the last custodial sentence, and
            // the spells of supervision (orders, licence) for the caseload.
            let mut proven = p.prior_offences as u32;
            let mut last_band = LengthBand::UpTo6m;
            let mut order_from: Option<(i32, usize)> = None;
            // Licence after the last release, until the next reception.
            let mut licence: Option<(i32, i32)> = None;
            // Abstinent since a successful completion, until the next start.
            let mut abstinent_from: Option<i32> = None;
            self.supervised.clear();
            self.journeys.clear();
            self.custody.clear();
            self.abstinent.clear();
            self.orders.clear();
            // A licence a remand interrupted: its end, resumed if the remand
            // ends in release rather than a sentence.
            let mut licence_held: Option<i32> = None;
            for (i, e) in events.iter().enumerate() {
                let d = e.day;
                match e.kind {
                    EventKind::Arrest => {
                        self.add(M::ARRESTS, g, d);
                        self.add(
                            M::DETECTED_OFFENCES,
                            OffenceGroup::from_u16(e.extra) as usize,
                            d,
                        );
                        if e.detail == 1 {
                            self.add(M::TRIGGER_ARRESTS, g, d);
                        }
                    }
                    EventKind::Test => {
                        self.add(M::TESTS, g, d);
                        if e.detail == 1 {
                            self.add(M::POSITIVE_TESTS, g, d);
                        }
                    }
                    EventKind::DipAssessment => {
                        self.add(M::DIP_ASSESSMENTS, g, d);
                        assessed = Some(d);
                    }
                    EventKind::AssessmentFailed => {
                        self.add(M::FAILED_ASSESSMENTS, g, d);
                        assessed = Some(d);
                    }
                    EventKind::Intervention => {
                        self.add(M::INTERVENTION_STARTS, e.detail as usize, d)
                    }
                    EventKind::NoPlace => self.add(M::NO_PLACE, e.detail as usize, d),
                    EventKind::WaitlistJoin => {
                        self.add(M::WAITLIST_JOINS, e.detail as usize, d);
                        self.add_n(M::WAIT_DAYS, e.detail as usize, d, e.extra as u64);
                    }
                    EventKind::WaitlistGiveUp => self.add(M::WAIT_GIVE_UPS, e.detail as usize, d),
                    EventKind::Conviction => {
                        self.add(M::CONVICTIONS, g, d);
                        self.add(M::SENTENCES, e.detail as usize, d);
                        let index = match Sentence::from_u8(e.detail) {
                            Sentence::DischargeFine => Some(IndexKind::NonCustodial),
                            Sentence::Community | Sentence::Suspended => {
                                Some(IndexKind::CourtOrder)
                            }
                            _ => None,
                        };
                        if let Some(kind) = index {
                            self.reoffending_index(p, g, events, i, &mut reoff_year, kind, proven);
                        }
                        proven += 1;
                    }
                    EventKind::Release => {
                        self.add(M::RELEASES, g, d);
                        if let Some(a) = custody_from.take() {
                            self.add_days(M::IN_CUSTODY, g, a, d);
                            self.add_snapshots(M::PRISON_POPULATION, g, a, d);
                            self.add_snapshots(M::PRISON_POPULATION_BY_KIND, held.1, held.0, d);
                            self.custody.push((a, d));
                        }
                        // Releases from remand are not in the cohort (MoJ).
                        if e.detail == 0 {
                            let kind = if (last_band as u8) <= LengthBand::Over6m as u8 {
                                IndexKind::CustodyUnder12m
                            } else {
                                IndexKind::Custody12mPlus
                            };
                            self.reoffending_index(p, g, events, i, &mut reoff_year, kind, proven);
                        }
                        if e.extra > 0 {
                            self.supervised.push((d, d + e.extra as i32));
                            licence = Some((d, d + e.extra as i32));
                        } else if let Some(b) = licence_held.take() {
                            // Released from remand: the licence goes on.
                            if e.detail == 1 && b > d {
                                licence = Some((d, b));
                            }
                        }
                    }
                    EventKind::Disposal => {
                        self.add(M::DISPOSALS, e.detail as usize, d);
                        if Disposal::from_u8(e.detail).is_caution() {
                            self.add(M::CAUTIONS, g, d);
                            self.reoffending_index(
                                p,
                                g,
                                events,
                                i,
                                &mut reoff_year,
                                IndexKind::Caution,
                                proven,
                            );
                            proven += 1;
                        }
                    }
                    EventKind::TreatmentStart => {
                        self.add(M::TREATMENT_STARTS, e.detail as usize, d);
                        self.add(M::TREATMENT_STARTS_SUBSTANCE, g, d);
                        let modality = Modality::from_u16(e.extra);
                        self.add(M::TREATMENT_STARTS_MODALITY, modality.index(), d);
                        treat_from = Some((d, e.detail, modality == Modality::Ost));
                        treat_groups = (
                            AgeBand::of(p.age_on(d)) as usize,
                            Sex::of(p.male) as usize,
                            PriorBand::of(proven) as usize,
                        );
                        self.add(M::TREATMENT_STARTS_BY_AGE, treat_groups.0, d);
                        self.add(M::TREATMENT_STARTS_BY_SEX, treat_groups.1, d);
                        self.add(M::TREATMENT_STARTS_BY_PRIORS, treat_groups.2, d);
                        if let Some(a) = abstinent_from.take() {
                            self.abstinent.push((a, d));
                        }
                    }
                    EventKind::TreatmentEnd => {
                        let route = e.detail as usize;
                        match TreatmentExit::from_u16(e.extra) {
                            TreatmentExit::Dropout => {
                                self.add(M::DROPOUTS, g, d);
                                self.add(M::EXITS, g, d);
                            }
                            TreatmentExit::Completed => {
                                self.add(M::COMPLETIONS, g, d);
                                self.add(M::COMPLETIONS_BY_ROUTE, route, d);
                                self.add(M::EXITS, g, d);
                                abstinent_from = Some(d);
                                let returned = events[i + 1..]
                                    .iter()
                                    .take_while(|x| x.day <= d + 182)
                                    .any(|x| x.kind == EventKind::TreatmentStart);
                                if !returned {
                                    self.add(M::COMPLETIONS_NO_RETURN, g, d);
                                    self.add(M::COMPLETIONS_NO_RETURN_BY_ROUTE, route, d);
                                }
                            }
                            TreatmentExit::NotContinued => self.add(M::NOT_CONTINUED, g, d),
                            TreatmentExit::Died => {}
                        }
                        if let Some((a, route, ost)) = treat_from.take() {
                            self.add_journey(g, a, d, route, ost);
                            let completed =
                                TreatmentExit::from_u16(e.extra) == TreatmentExit::Completed;
                            if completed || d - a >= ENGAGEMENT_DAYS {
                                self.add_engaged(treat_groups, a);
                            }
                        }
                    }
                    EventKind::TreatmentTransfer => {}
                    EventKind::OrderStart => {
                        self.add(M::ORDER_STARTS, e.detail as usize, d);
                        order_from = Some((d, e.detail as usize));
                    }
                    EventKind::OrderEnd => {
                        if let Some((a, kind)) = order_from.take() {
                            self.supervised.push((a, d));
                            self.orders.push((a, d, kind));
                        }
                        if e.extra == OrderOutcome::Completed as u16 {
                            self.add(M::ORDER_COMPLETIONS, e.detail as usize, d);
                        } else if e.extra == OrderOutcome::Revoked as u16
                            || e.extra == OrderOutcome::RevokedOnReconviction as u16
                        {
                            if e.extra == OrderOutcome::RevokedOnReconviction as u16 {
                                self.add(
                                    M::ORDER_REVOCATIONS_ON_RECONVICTION,
                                    e.detail as usize,
                                    d,
                                );
                            }
                            self.add(M::ORDER_REVOCATIONS, e.detail as usize, d);
                            if assessed.is_some_and(|a| d - a <= 365) {
                                self.add(M::REVOCATIONS_AFTER_ASSESSMENT, g, d);
                            }
                        }
                    }
                    EventKind::CustodyStart => {
                        self.add(M::CUSTODY_RECEPTIONS, e.detail as usize, d);
                        let kind = CustodyKind::from_u8(e.detail);
                        let from_remand = e.extra & 1 == 1;
                        match kind {
                            CustodyKind::Recall => self.add(M::RECALLS, g, d),
                            CustodyKind::Remand => self.add(M::FIRST_RECEPTIONS, g, d),
                            _ => {
                                last_band = LengthBand::from_u16(e.extra >> 1);
                                if !from_remand {
                                    self.add(M::FIRST_RECEPTIONS, g, d);
                                }
                                self.add(M::SENTENCED_RECEPTIONS, g, d);
                                self.add(M::SENTENCED_RECEPTIONS_BY_LENGTH, last_band as usize, d);
                            }
                        }
                        if from_remand {
                            // Sentenced where they were: the stay goes on, and
                            // the new sentence supersedes an interrupted licence.
                            licence_held = None;
                            self.add_snapshots(M::PRISON_POPULATION_BY_KIND, held.1, held.0, d);
                            held = (d, e.detail as usize);
                            continue;
                        }
                        custody_from = Some(d);
                        held = (d, e.detail as usize);
                        if let Some((a, b)) = licence.take() {
                            self.add_days(M::LICENCE_TIME, g, a, b.min(d));
                            if kind == CustodyKind::Remand && b > d {
                                licence_held = Some(b);
                            }
                        }
                        if assessed.is_some_and(|a| d - a <= 365) {
                            self.add(M::CUSTODY_AFTER_ASSESSMENT, g, d);
                        }
                    }
                    EventKind::Death => {
                        self.add(M::DEATHS, g, d);
                        let cause = DeathCause::from_u8(e.detail);
                        let c = DeathCircumstances::decode(e.extra);
                        let weeks = c.release_weeks() as usize;
                        let status = TreatmentStatus::of(c) as usize;
                        self.add(M::DEATHS_BY_CAUSE, cause as usize, d);
                        self.add(M::DEATHS_BY_RELEASE_WEEKS, weeks, d);
                        self.add(M::DEATHS_BY_TREATMENT, status, d);
                        let age = (d - p.birth_day) as f64 / DAYS_PER_YEAR;
                        let left = self.life.remaining(age, p.male);
                        self.add_n(
                            M::YEARS_OF_LIFE_LOST,
                            cause as usize,
                            d,
                            (left * 1000.0).round() as u64,
                        );
                        if cause == DeathCause::DrugPoisoning {
                            self.add(M::POISONING_DEATHS, g, d);
                            self.add(M::POISONING_DEATHS_BY_RELEASE_WEEKS, weeks, d);
                            self.add(M::POISONING_DEATHS_BY_TREATMENT, status, d);
                        }
                    }
                    EventKind::Recovery => {
                        self.add(M::RECOVERIES, g, d);
                        self.abstinent.push((d, p.exit_day + 1));
                    }
                    EventKind::Desistance => {
                        self.add(M::DESISTANCES, g, d);
                        active_until = d;
                    }
                    EventKind::OffendingRate => {
                        if let Some((from, r)) = rate.take() {
                            self.add_offences(g, from, d, r);
                        }
                        rate = Some((d, e.offending_rate()));
                    }
                    EventKind::CareerStart => {}
                }
            }
            let end = p.exit_day + 1;
            if let Some((from, r)) = rate {
                self.add_offences(g, from, end, r);
            }
            if p.offends {
                self.add_days(M::ACTIVE, g, p.entry_day, active_until);
            }
            self.add_snapshots(M::POPULATION, g, p.entry_day, end);
            if let Some((a, route, ost)) = treat_from {
                self.add_journey(g, a, end, route, ost);
                if end - a >= ENGAGEMENT_DAYS {
                    self.add_engaged(treat_groups, a);
                }
            }
            self.add_treatment_counts(p, g);
            if let Some(a) = custody_from {
                self.add_days(M::IN_CUSTODY, g, a, end);
                self.add_snapshots(M::PRISON_POPULATION, g, a, end);
                self.add_snapshots(M::PRISON_POPULATION_BY_KIND, held.1, held.0, end);
                self.custody.push((a, end));
            }
            if let Some((a, kind)) = order_from {
                self.supervised.push((a, end));
                self.orders.push((a, end, kind));
            }
            if let Some((a, b)) = licence {
                self.add_days(M::LICENCE_TIME, g, a, b.min(end));
            }
            if let Some(a) = abstinent_from {
                self.abstinent.push((a, end));
            }
            self.add_caseload(g, end);
            self.add_order_time();
            self.add_health_states(p, end);
        }
    }

    fn merge(&mut self, other: Self) {
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
        self.events += other.events;
        self.person_days += other.person_days;
    }
}

impl Metrics {
    /// Offences in [a, b) at an encoded yearly rate, split by offence group in the
    /// substance group's shares and by calendar year, in thousandths.
    fn add_offences(&mut self, g: usize, a: i32, b: i32, code: u32) {
        if code == 0 {
            return;
        }
        // code is thousandths of an offence a year: per day, in thousandths.
        let per_day = code as f64 / DAYS_PER_YEAR;
        for y in self.years_of(a, b) {
            let days = self.days_in_year(y, a, b);
            if days > 0 {
                let total = per_day * days as f64;
                for k in 0..OffenceGroup::N {
                    let s = self.slot(M::OFFENCES, k, y);
                    self.counts[s] +=
                        crate::history::round(total * self.offence_share[g][k]) as u64;
                }
            }
        }
    }

    /// Count one for each 30 June in [a, b).
    fn add_snapshots(&mut self, m: M, g: usize, a: i32, b: i32) {
        // A year's 30 June lies in the year, so only the years [a, b) overlaps.
        for y in self.years_of(a, b) {
            let s = self.snapshot_days[y];
            if a <= s && s < b {
                let slot = self.slot(m, g, y);
                self.counts[slot] += 1;
            }
        }
    }

    /// A treatment journey over [a, b): its person-years and the 30 June
    /// caseloads it is on (a person's journeys never overlap, so each counts a
    /// person once), kept for the person's distinct yearly counts.
    fn add_journey(&mut self, g: usize, a: i32, b: i32, route: u8, ost: bool) {
        self.add_days(M::IN_TREATMENT, g, a, b);
        self.add_snapshots(M::TREATMENT_CASELOAD, g, a, b);
        if ost {
            self.add_days(M::IN_OST, g, a, b);
            self.add_snapshots(M::OST_CASELOAD, g, a, b);
        }
        self.journeys.push(Journey {
            from: a,
            to: b,
            route,
            ost,
        });
    }

    /// An engaged journey, counted in the year of its start by its groups then.
    fn add_engaged(&mut self, (age, sex, priors): (usize, usize, usize), start: i32) {
        self.add(M::ENGAGED_BY_AGE, age, start);
        self.add(M::ENGAGED_BY_SEX, sex, start);
        self.add(M::ENGAGED_BY_PRIORS, priors, start);
    }

    /// Each order's days outside custody (an order stays open through a
    /// remand, when the prison, not probation, holds the person).
    fn add_order_time(&mut self) {
        let orders = std::mem::take(&mut self.orders);
        let custody = std::mem::take(&mut self.custody);
        for &(a, b, kind) in &orders {
            let mut from = a;
            for &(ca, cb) in &custody {
                if cb <= from || ca >= b {
                    continue;
                }
                if ca > from {
                    self.add_days(M::ORDER_TIME, kind, from, ca);
                }
                from = from.max(cb);
            }
            if from < b {
                self.add_days(M::ORDER_TIME, kind, from, b);
            }
        }
        self.orders = orders;
        self.custody = custody;
    }

    /// A person's time from entry to `end` in exclusive health states, and
    /// their treatment time by setting: custody first, then treatment (in
    /// prison it counts as prison treatment), then abstinence, then use.
    fn add_health_states(&mut self, p: &crate::history::Person, end: i32) {
        let (free, custody) = match p.substance {
            Substance::None => (
                HealthState::NoProblemUse,
                HealthState::InCustodyNoProblemUse,
            ),
            Substance::OpiatesCrack => (HealthState::UsingOpiatesCrack, HealthState::InCustody),
            _ => (HealthState::UsingOther, HealthState::InCustody),
        };
        let start = p.entry_day;
        if end <= start {
            return;
        }
        if self.custody.is_empty() && self.journeys.is_empty() && self.abstinent.is_empty() {
            self.add_days(M::HEALTH_STATE_TIME, free as usize, start, end);
            return;
        }
        let mut cuts = std::mem::take(&mut self.cuts);
        cuts.clear();
        cuts.push(start);
        cuts.push(end);
        for &(a, b) in self.custody.iter().chain(&self.abstinent) {
            cuts.extend([a, b]);
        }
        for j in &self.journeys {
            cuts.extend([j.from, j.to]);
        }
        cuts.retain(|&c| c >= start && c <= end);
        cuts.sort_unstable();
        cuts.dedup();
        let inside = |spells: &[(i32, i32)], x: i32| spells.iter().any(|&(a, b)| a <= x && x < b);
        for w in cuts.windows(2) {
            let (a, b) = (w[0], w[1]);
            let in_prison = inside(&self.custody, a);
            let journey = self
                .journeys
                .iter()
                .find(|j| j.from <= a && a < j.to)
                .map(|j| j.ost);
            if let Some(ost) = journey {
                let setting = TreatmentSetting::of(ost, in_prison);
                self.add_days(M::TREATMENT_TIME_BY_SETTING, setting as usize, a, b);
            }
            let state = if in_prison {
                custody
            } else if let Some(ost) = journey {
                if ost {
                    HealthState::InOst
                } else {
                    HealthState::InPsychosocial
                }
            } else if free != HealthState::NoProblemUse && inside(&self.abstinent, a) {
                HealthState::Abstinent
            } else {
                free
            };
            self.add_days(M::HEALTH_STATE_TIME, state as usize, a, b);
        }
        self.cuts = cuts;
    }

    /// The person once a year in treatment as an adult, and once per route.
    fn add_treatment_counts(&mut self, p: &crate::history::Person, g: usize) {
        let (Some(first), Some(last)) = (self.journeys.first(), self.journeys.last()) else {
            return;
        };
        let adult_from = p.birth_day + (18.0 * DAYS_PER_YEAR).ceil() as i32;
        for y in self.years_of(first.from.max(adult_from), last.to) {
            let (ys, ye) = (self.year_starts[y], self.year_starts[y + 1]);
            let mut routes = [false; Route::ALL.len()];
            for j in &self.journeys {
                if j.from.max(ys).max(adult_from) < j.to.min(ye) {
                    routes[j.route as usize] = true;
                }
            }
            let mut add = |m: M, group: usize| {
                let s = self.slot(m, group, y);
                self.counts[s] += 1;
            };
            if routes.contains(&true) {
                add(M::ADULTS_IN_TREATMENT, g);
                if !p.offends {
                    add(M::ADULTS_IN_TREATMENT_NON_OFFENDERS, g);
                }
            }
            for (r, &hit) in routes.iter().enumerate() {
                if hit {
                    add(M::ADULTS_IN_TREATMENT_BY_ROUTE, r);
                }
            }
        }
    }

    /// The person on the probation caseload on each 30 June inside one of their
    /// spells of supervision (at most once a year, however many overlap).
    fn add_caseload(&mut self, g: usize, end: i32) {
        let Some(from) = self.supervised.iter().map(|&(a, _)| a).min() else {
            return;
        };
        for y in self.years_of(from, end) {
            let s = self.snapshot_days[y];
            if s < end && self.supervised.iter().any(|&(a, b)| a <= s && s < b) {
                let slot = self.slot(M::PROBATION_CASELOAD, g, y);
                self.counts[slot] += 1;
            }
        }
    }

    /// A cohort entry (caution, non-custodial sentence or release from a
    /// sentence) at event `i`, with `proven` previous proven offences: the first
    /// in its year joins that year's cohort and is followed up for proven
    /// reoffending; adults (18+) also by what put them there and by their record.
    #[allow(clippy::too_many_arguments)]
    fn reoffending_index(
        &mut self,
        p: &crate::history::Person,
        g: usize,
        events: &[crate::history::Event],
        i: usize,
        last_year: &mut Option<usize>,
        kind: IndexKind,
        proven: u32,
    ) {
        let d = events[i].day;
        let Some(y) = self.year_index(d) else { return };
        if *last_year == Some(y) {
            return;
        }
        *last_year = Some(y);
        let reoffended = reoffended(events, i);
        let mut add = |m: M, group: usize| {
            let s = self.slot(m, group, y);
            self.counts[s] += 1;
        };
        add(M::REOFFENDING_COHORT, g);
        let age = AgeBand::of(p.age_on(d)) as usize;
        let sex = Sex::of(p.male) as usize;
        add(M::COHORT_BY_AGE, age);
        add(M::COHORT_BY_SEX, sex);
        if reoffended {
            add(M::REOFFENDERS, g);
            add(M::REOFFENDERS_BY_AGE, age);
            add(M::REOFFENDERS_BY_SEX, sex);
        }
        if p.age_on(d) >= 18 {
            let band = PriorBand::of(proven) as usize;
            add(M::ADULT_COHORT_BY_INDEX, kind as usize);
            add(M::ADULT_COHORT_BY_PRIORS, band);
            if reoffended {
                add(M::ADULT_REOFFENDERS_BY_INDEX, kind as usize);
                add(M::ADULT_REOFFENDERS_BY_PRIORS, band);
            }
        }
    }
}

/// Whether an offence committed within a year after event `i` was proven (a
/// conviction or a caution) within 18 months of it (the Ministry of Justice
/// proven-reoffending measure).
pub fn reoffended(events: &[crate::history::Event], i: usize) -> bool {
    let d = events[i].day;
    events[i + 1..]
        .iter()
        .take_while(|e| e.day <= d + REOFFENDING_CONVICTION_DAYS)
        .any(|e| {
            let offence = match e.kind {
                EventKind::Conviction => e.day - e.extra as i32,
                EventKind::Disposal if Disposal::from_u8(e.detail).is_caution() => e.day,
                _ => return false,
            };
            offence > d && offence <= d + REOFFENDING_OFFENCE_DAYS
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Event, Person};

    #[test]
    fn every_group_of_every_metric_has_its_own_count_slot() {
        let m = Metrics::new(&crate::params::baseline());
        let mut seen = std::collections::HashSet::new();
        for def in METRICS {
            assert!(def.grouping.size() <= MAX_GROUPS, "{} overflows", def.name);
            assert_eq!(def.grouping.names().len(), def.grouping.size());
            for g in 0..def.grouping.size() {
                for y in 0..m.n_years {
                    assert!(
                        seen.insert(m.slot(def.id, g, y)),
                        "{} shares a slot",
                        def.name
                    );
                }
            }
        }
        assert_eq!(MAX_GROUPS, crate::interventions::Scheme::ALL.len());
    }

    #[test]
    fn metric_ids_name_their_declarations() {
        for (i, &id) in M::ALL.iter().enumerate() {
            assert_eq!(id as usize, i);
            assert_eq!(M::from_name(id.name()), Some(id));
        }
        assert_eq!(M::PROVEN_REOFFENDING.name(), "proven_reoffending_rate");
        assert_eq!(M::from_name("proven_reoffend_rate"), None);
    }

    fn person(substance: Substance, entry: i32, exit: i32) -> Person {
        Person {
            id: 0,
            substance,
            male: true,
            birth_day: entry - 9000,
            entry_day: entry,
            exit_day: exit,
            propensity: 1.0,
            risk_score: 50,
            unstable_housing: false,
            mental_health: false,
            prior_offences: 0,
            offends: true,
        }
    }

    #[test]
    fn reoffending_counts_offence_and_conviction_windows() {
        let p = Params::default();
        let d = Date::ymd(2010, 3, 1).day();
        let conv =
            |day: i32, lag: u16, s: Sentence| Event::new(day, EventKind::Conviction, s as u8, lag);
        let mut h = Histories::default();
        // reoffends: offence 200 days later, convicted 100 days after that
        h.push(
            person(Substance::OpiatesCrack, d - 100, d + 2000),
            &[
                conv(d, 30, Sentence::Community),
                conv(d + 300, 100, Sentence::DischargeFine),
            ],
        );
        // offence inside 12 months but conviction after 18 months: not proven
        h.push(
            person(Substance::OpiatesCrack, d - 100, d + 2000),
            &[
                conv(d, 30, Sentence::Community),
                conv(d + 560, 250, Sentence::DischargeFine),
            ],
        );
        // offence after 12 months: not counted
        h.push(
            person(Substance::Alcohol, d - 100, d + 2000),
            &[
                conv(d, 30, Sentence::Suspended),
                conv(d + 400, 20, Sentence::DischargeFine),
            ],
        );
        let mut m = Metrics::new(&p);
        m.observe(&h);
        let g = Substance::OpiatesCrack.index();
        assert_eq!(m.count(M::REOFFENDING_COHORT, g, 2010), 2);
        assert_eq!(m.count(M::REOFFENDERS, g, 2010), 1);
        assert_eq!(
            m.count(M::REOFFENDING_COHORT, Substance::Alcohol.index(), 2010),
            1
        );
        assert_eq!(m.count(M::REOFFENDERS, Substance::Alcohol.index(), 2010), 0);
        let rows = m.rows(10.0);
        let rate = rows
            .iter()
            .find(|r| r.metric == M::PROVEN_REOFFENDING && r.group == "all" && r.period == 2010)
            .unwrap();
        assert!((rate.value - 1.0 / 3.0).abs() < 1e-12);
        let cohort = rows
            .iter()
            .find(|r| r.metric == M::REOFFENDING_COHORT && r.group == "all" && r.period == 2010)
            .unwrap();
        assert_eq!(cohort.value, 30.0);
    }

    #[test]
    fn the_prison_population_by_kind_follows_what_holds_each_person_on_30_june() {
        let p = Params::default();
        let ev = |y, m, d, kind, detail: u8, extra: u16| {
            Event::new(Date::ymd(y, m, d).day(), kind, detail, extra)
        };
        let (remand, long, recall) = (
            CustodyKind::Remand as u8,
            CustodyKind::Long as u8,
            CustodyKind::Recall as u8,
        );
        let mut h = Histories::default();
        // Remanded in May 2010, sentenced from remand in March 2011 (extra bit 0:
        // from remand), released in August 2012, recalled in May 2013 and still
        // held when the history ends in 2014.
        h.push(
            person(
                Substance::None,
                Date::ymd(2009, 1, 1).day(),
                Date::ymd(2014, 12, 31).day(),
            ),
            &[
                ev(2010, 5, 1, EventKind::CustodyStart, remand, 0),
                ev(
                    2011,
                    3,
                    1,
                    EventKind::CustodyStart,
                    long,
                    1 | (LengthBand::Under4y as u16) << 1,
                ),
                ev(2012, 8, 1, EventKind::Release, 0, 300),
                ev(2013, 5, 1, EventKind::CustodyStart, recall, 0),
            ],
        );
        let mut m = Metrics::new(&p);
        m.observe(&h);
        let k = |kind: CustodyKind, y| m.count(M::PRISON_POPULATION_BY_KIND, kind as usize, y);
        assert_eq!(k(CustodyKind::Remand, 2010), 1);
        assert_eq!(k(CustodyKind::Long, 2010), 0);
        assert_eq!(
            (k(CustodyKind::Remand, 2011), k(CustodyKind::Long, 2011)),
            (0, 1)
        );
        assert_eq!(
            k(CustodyKind::Long, 2012),
            1,
            "released in August, after 30 June"
        );
        assert_eq!(k(CustodyKind::Recall, 2013), 1);
        assert_eq!(k(CustodyKind::Recall, 2014), 1, "held to the history's end");
        // Every snapshot is one person, as in the total.
        for y in 2009..=2014 {
            let total: u64 = CustodyKind::ALL.iter().map(|&c| k(c, y)).sum();
            assert_eq!(
                total,
                m.count(M::PRISON_POPULATION, Substance::None.index(), y)
            );
        }
    }

    #[test]
    fn person_years_split_across_years() {
        let p = Params::default();
        let a = Date::ymd(2009, 7, 2).day();
        let b = Date::ymd(2010, 7, 2).day();
        let mut h = Histories::default();
        h.push(person(Substance::None, a, b - 1), &[]);
        let mut m = Metrics::new(&p);
        m.observe(&h);
        let y2009 = m.count(M::ACTIVE, Substance::None.index(), 2009);
        let y2010 = m.count(M::ACTIVE, Substance::None.index(), 2010);
        assert_eq!(y2009 + y2010, (b - a) as u64);
        assert_eq!(y2009, (Date::ymd(2010, 1, 1).day() - a) as u64);
    }

    #[test]
    fn a_remand_pauses_an_order_and_a_licence_and_a_release_from_it_resumes_the_licence() {
        let p = Params::default();
        let d = Date::ymd(2010, 2, 1).day();
        let ev = |day, kind, detail: u8, extra: u16| Event::new(day, kind, detail, extra);
        let remand = CustodyKind::Remand as u8;
        let mut h = Histories::default();
        // An order from d to d+300, with a remand from d+100 to d+130.
        h.push(
            person(Substance::OpiatesCrack, d - 10, d + 400),
            &[
                ev(d, EventKind::OrderStart, OrderKind::Drr as u8, 0),
                ev(d + 100, EventKind::CustodyStart, remand, 0),
                ev(d + 130, EventKind::Release, 1, 0),
                ev(
                    d + 300,
                    EventKind::OrderEnd,
                    OrderKind::Drr as u8,
                    OrderOutcome::Completed as u16,
                ),
            ],
        );
        // Released from a sentence with 200 days of licence; remanded on day 50
        // of it and released on day 80: 50 + 120 days on licence.
        h.push(
            person(Substance::None, d - 10, d + 400),
            &[
                ev(d, EventKind::Release, 0, 200),
                ev(d + 50, EventKind::CustodyStart, remand, 0),
                ev(d + 80, EventKind::Release, 1, 0),
            ],
        );
        let mut m = Metrics::new(&p);
        m.observe(&h);
        assert_eq!(m.count(M::ORDER_TIME, OrderKind::Drr as usize, 2010), 270);
        let g = Substance::None.index();
        assert_eq!(m.count(M::LICENCE_TIME, g, 2010), 170);
        // Custody is its own state, by problem: 30 days for the user, 30 for
        // the person with no problem (who is otherwise in no_problem_use).
        let hs = |s: HealthState| m.count(M::HEALTH_STATE_TIME, s as usize, 2010);
        assert_eq!(hs(HealthState::InCustody), 30);
        assert_eq!(hs(HealthState::InCustodyNoProblemUse), 30);
        assert_eq!(
            hs(HealthState::UsingOpiatesCrack) + 30,
            hs(HealthState::NoProblemUse) + 30
        );
        let days_2010 = (Date::ymd(2011, 1, 1).day() - (d - 10)) as u64;
        assert_eq!(hs(HealthState::NoProblemUse) + 30, days_2010);
    }

    #[test]
    fn reoffending_treatment_starts_and_engagement_break_down_by_age_sex_and_record() {
        let p = Params::default();
        let d = Date::ymd(2010, 3, 1).day();
        let ev = |day, kind, detail: u8, extra: u16| Event::new(day, kind, detail, extra);
        let mut woman = person(Substance::OpiatesCrack, d - 100, d + 2000);
        woman.male = false;
        // 31 on the index day, with 2 previous proven offences.
        woman.birth_day = d - (31.5 * DAYS_PER_YEAR) as i32;
        woman.prior_offences = 2;
        let caution = Disposal::Caution as u8;
        let (ost, done, out) = (
            Modality::Ost as u16,
            TreatmentExit::Completed as u16,
            TreatmentExit::Dropout as u16,
        );
        let mut h = Histories::default();
        h.push(
            woman,
            &[
                ev(d, EventKind::Disposal, caution, 0),
                // 100 days then dropout: engaged.
                ev(d + 10, EventKind::TreatmentStart, 0, ost),
                ev(d + 110, EventKind::TreatmentEnd, 0, out),
                // 50 days then dropout: not engaged.
                ev(d + 120, EventKind::TreatmentStart, 0, ost),
                ev(d + 170, EventKind::TreatmentEnd, 0, out),
                // 40 days then completed: engaged.
                ev(d + 180, EventKind::TreatmentStart, 0, ost),
                ev(d + 220, EventKind::TreatmentEnd, 0, done),
                // Reoffends: convicted 100 days after an offence on d + 250.
                ev(
                    d + 350,
                    EventKind::Conviction,
                    Sentence::DischargeFine as u8,
                    100,
                ),
            ],
        );
        let mut m = Metrics::new(&p);
        m.observe(&h);
        let (f, band, priors) = (
            Sex::Female as usize,
            AgeBand::From30To34 as usize,
            PriorBand::ThreeToSix as usize,
        );
        assert_eq!(m.count(M::COHORT_BY_SEX, f, 2010), 1);
        assert_eq!(m.count(M::REOFFENDERS_BY_SEX, f, 2010), 1);
        assert_eq!(m.count(M::COHORT_BY_AGE, band, 2010), 1);
        assert_eq!(m.count(M::REOFFENDERS_BY_AGE, band, 2010), 1);
        assert_eq!(m.count(M::COHORT_BY_SEX, Sex::Male as usize, 2010), 0);
        // The caution made 3 proven offences before the first start.
        assert_eq!(m.count(M::TREATMENT_STARTS_BY_SEX, f, 2010), 3);
        assert_eq!(m.count(M::TREATMENT_STARTS_BY_AGE, band, 2010), 3);
        assert_eq!(m.count(M::TREATMENT_STARTS_BY_PRIORS, priors, 2010), 3);
        assert_eq!(m.count(M::ENGAGED_BY_SEX, f, 2010), 2);
        assert_eq!(m.count(M::ENGAGED_BY_PRIORS, priors, 2010), 2);
        let rows = m.rows(1.0);
        let rate = |metric: M, group: &str| {
            rows.iter()
                .find(|r| r.metric == metric && r.group == group && r.period == 2010)
                .map(|r| r.value)
        };
        assert_eq!(rate(M::ENGAGEMENT_BY_SEX, "female"), Some(2.0 / 3.0));
        assert_eq!(rate(M::REOFFENDING_BY_AGE, "30_34"), Some(1.0));
        assert_eq!(rate(M::REOFFENDING_BY_SEX, "male"), None);
        assert_eq!(AgeBand::of(17), AgeBand::Under18);
        assert_eq!(AgeBand::of(50), AgeBand::From50);
    }
}

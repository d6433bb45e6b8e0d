//! Recorded histories: what happened to each simulated person, and when.
//!
//! The engine writes; metrics and studies only read. Each event is 8 bytes
//! (day, kind, detail, extra), and a chunk of people keeps its events in one
//! arena, so a history costs a few dozen bytes a person-year.

use serde::Serialize;

/// Substance group: fixed for a person's career (an assumption, see docs/model.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[repr(u8)]
pub enum Substance {
    /// Problem use of opiates and/or crack cocaine.
    OpiatesCrack = 0,
    /// Other drugs (cannabis, powder cocaine, amphetamines...).
    OtherDrugs = 1,
    /// Alcohol as the main problem substance.
    Alcohol = 2,
    /// No problem substance use.
    None = 3,
}

impl Substance {
    /// Words a reader understands, for a substance group.
    pub fn label(self) -> &'static str {
        match self {
            Substance::OpiatesCrack => "Opiates/crack",
            Substance::OtherDrugs => "Other drugs",
            Substance::Alcohol => "Alcohol",
            Substance::None => "No problem use",
        }
    }

    pub const ALL: [Substance; 4] = [
        Substance::OpiatesCrack,
        Substance::OtherDrugs,
        Substance::Alcohol,
        Substance::None,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Substance::OpiatesCrack => "opiates_crack",
            Substance::OtherDrugs => "other_drugs",
            Substance::Alcohol => "alcohol",
            Substance::None => "none",
        }
    }
    pub fn index(self) -> usize {
        self as usize
    }
    /// Problem drug users in the UKDPC's sense (heroin and/or crack).
    pub fn is_pdu(self) -> bool {
        self == Substance::OpiatesCrack
    }
    /// Eligible for a drug (not alcohol) treatment requirement.
    pub fn uses_drugs(self) -> bool {
        matches!(self, Substance::OpiatesCrack | Substance::OtherDrugs)
    }
}

/// What kind of event a record is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[repr(u8)]
pub enum EventKind {
    /// Entry into the model: the start of the offending career (or of the
    /// simulation, for people already active), or of a drug or alcohol problem for
    /// people who never offend.
    CareerStart = 0,
    /// Arrest. detail: 1 if for a trigger offence; extra: [`OffenceGroup`].
    Arrest = 1,
    /// Drug test on arrest. detail: 1 if positive for opiates or cocaine.
    Test = 2,
    /// DIP assessment after a test. detail: 1 if required (not voluntary).
    DipAssessment = 3,
    /// Conviction. detail: [`Sentence`]; extra: days from offence (arrest) to conviction.
    Conviction = 4,
    /// Start of a community or suspended order. detail: [`OrderKind`].
    OrderStart = 5,
    /// End of an order. detail: [`OrderKind`]; extra: [`OrderOutcome`].
    OrderEnd = 6,
    /// Start of a treatment journey. detail: [`Route`]; extra: [`Modality`].
    TreatmentStart = 7,
    /// End of a treatment journey. detail: [`Route`]; extra: [`TreatmentExit`].
    TreatmentEnd = 8,
    /// Reception into custody. detail: [`CustodyKind`]; extra: bit 0 set if
    /// sentenced while already on remand (a sentenced reception, not a first
    /// reception), bits 1-2 the sentence's [`LengthBand`].
    CustodyStart = 9,
    /// Release from custody. detail: 1 if from remand (not convicted, or not
    /// given custody); extra: days of licence and supervision that follow.
    Release = 10,
    /// Death. detail: [`DeathCause`]; extra: [`DeathCircumstances`] (weeks since
    /// release, in treatment, in OST, in the weeks after leaving OST).
    Death = 11,
    /// Desistance: the offending career ends and the person leaves the model.
    Desistance = 12,
    /// A person starts an intervention scheme. detail: [`crate::interventions::Scheme`].
    Intervention = 13,
    /// Joins the waiting list for a treatment place. detail: [`Route`]; extra:
    /// the wait the list has at that time (days).
    WaitlistJoin = 14,
    /// Gives up waiting. detail: [`Route`]; extra: days waited.
    WaitlistGiveUp = 15,
    /// Fails to attend a required assessment after a positive test.
    AssessmentFailed = 16,
    /// Eligible for a prison programme but no place was free. detail: the
    /// [`crate::interventions::Scheme`].
    NoPlace = 17,
    /// The person's offence rate (every offence, detected or not) from this day:
    /// thousandths of an offence a year, in 24 bits (detail: the high 8, extra:
    /// the low 16). Offences are counted as this rate's integral.
    OffendingRate = 18,
    /// What the police do with a detected offence. detail: [`Disposal`].
    Disposal = 19,
    /// An open treatment journey changes setting. detail: 0 into prison (the
    /// journey goes on in custody), 1 picked up by community treatment after
    /// release.
    TreatmentTransfer = 20,
    /// The person's drug or alcohol problem ends (recovery out of treatment).
    Recovery = 21,
}

impl EventKind {
    pub const ALL: [EventKind; 22] = [
        EventKind::CareerStart,
        EventKind::Arrest,
        EventKind::Test,
        EventKind::DipAssessment,
        EventKind::Conviction,
        EventKind::OrderStart,
        EventKind::OrderEnd,
        EventKind::TreatmentStart,
        EventKind::TreatmentEnd,
        EventKind::CustodyStart,
        EventKind::Release,
        EventKind::Death,
        EventKind::Desistance,
        EventKind::Intervention,
        EventKind::WaitlistJoin,
        EventKind::WaitlistGiveUp,
        EventKind::AssessmentFailed,
        EventKind::NoPlace,
        EventKind::OffendingRate,
        EventKind::Disposal,
        EventKind::TreatmentTransfer,
        EventKind::Recovery,
    ];
    /// The name microdata and study files use.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::CareerStart => "career_start",
            EventKind::Arrest => "arrest",
            EventKind::Test => "drug_test",
            EventKind::DipAssessment => "dip_assessment",
            EventKind::Conviction => "conviction",
            EventKind::OrderStart => "order_start",
            EventKind::OrderEnd => "order_end",
            EventKind::TreatmentStart => "treatment_start",
            EventKind::TreatmentEnd => "treatment_end",
            EventKind::CustodyStart => "custody_start",
            EventKind::Release => "release",
            EventKind::Death => "death",
            EventKind::Desistance => "desistance",
            EventKind::Intervention => "intervention_start",
            EventKind::WaitlistJoin => "waitlist_join",
            EventKind::WaitlistGiveUp => "waitlist_give_up",
            EventKind::AssessmentFailed => "assessment_failed",
            EventKind::NoPlace => "no_place",
            EventKind::OffendingRate => "offending_rate",
            EventKind::Disposal => "disposal",
            EventKind::TreatmentTransfer => "treatment_transfer",
            EventKind::Recovery => "recovery",
        }
    }
}

/// The value of `all` whose name is `s`.
pub fn by_name<T: Copy>(all: &[T], name: impl Fn(T) -> &'static str, s: &str) -> Option<T> {
    all.iter().copied().find(|&v| name(v) == s)
}

/// What kind of treatment a journey is: opioid substitution treatment (OST,
/// prescribing with keywork) or psychosocial and recovery-oriented treatment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[repr(u8)]
pub enum Modality {
    Psychosocial = 0,
    Ost = 1,
}

impl Modality {
    pub const ALL: [Modality; 2] = [Modality::Psychosocial, Modality::Ost];
    pub fn from_u16(v: u16) -> Modality {
        Modality::ALL[(v as usize).min(1)]
    }
    pub fn index(self) -> usize {
        self as usize
    }
    pub fn name(self) -> &'static str {
        match self {
            Modality::Psychosocial => "psychosocial",
            Modality::Ost => "ost",
        }
    }
}

/// The cause of a death.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[repr(u8)]
pub enum DeathCause {
    /// Every cause other than drug poisoning.
    Other = 0,
    /// Drug poisoning (overdose), the ONS definition's deaths of drug misuse.
    DrugPoisoning = 1,
}

impl DeathCause {
    pub const ALL: [DeathCause; 2] = [DeathCause::Other, DeathCause::DrugPoisoning];
    pub fn from_u8(v: u8) -> DeathCause {
        DeathCause::ALL[(v as usize).min(1)]
    }
    pub fn name(self) -> &'static str {
        match self {
            DeathCause::Other => "other_causes",
            DeathCause::DrugPoisoning => "drug_poisoning",
        }
    }
}

/// Weeks since the last release from custody, in the bands deaths are reported in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[repr(u8)]
pub enum ReleaseWeeks {
    /// Not released in the last 12 weeks (or never in custody).
    Beyond = 0,
    Week1 = 1,
    Week2 = 2,
    Weeks3To4 = 3,
    Weeks5To12 = 4,
}

impl ReleaseWeeks {
    pub const ALL: [ReleaseWeeks; 5] = [
        ReleaseWeeks::Beyond,
        ReleaseWeeks::Week1,
        ReleaseWeeks::Week2,
        ReleaseWeeks::Weeks3To4,
        ReleaseWeeks::Weeks5To12,
    ];
    /// Day after release at which each band ends (weeks 1, 2, 3-4, 5-12).
    pub const ENDS: [f64; 4] = [7.0, 14.0, 28.0, 84.0];
    /// The band of a time `days` after release.
    pub fn of_days(days: f64) -> ReleaseWeeks {
        match Self::ENDS.iter().position(|&e| days < e) {
            Some(k) => ReleaseWeeks::ALL[k + 1],
            None => ReleaseWeeks::Beyond,
        }
    }
    pub fn from_u16(v: u16) -> ReleaseWeeks {
        ReleaseWeeks::ALL[(v as usize).min(4)]
    }
    pub fn name(self) -> &'static str {
        match self {
            ReleaseWeeks::Beyond => "not_recently_released",
            ReleaseWeeks::Week1 => "week_1",
            ReleaseWeeks::Week2 => "week_2",
            ReleaseWeeks::Weeks3To4 => "weeks_3_4",
            ReleaseWeeks::Weeks5To12 => "weeks_5_12",
        }
    }
}

/// The circumstances of a death, packed in the event's `extra`: bits 0-2 the
/// [`ReleaseWeeks`] band, bit 3 in treatment, bit 4 in OST, bit 5 within the
/// weeks after leaving OST.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct DeathCircumstances {
    pub release_weeks: u8,
    pub in_treatment: bool,
    pub in_ost: bool,
    pub after_ost: bool,
}

impl DeathCircumstances {
    pub fn encode(self) -> u16 {
        self.release_weeks as u16
            | (self.in_treatment as u16) << 3
            | (self.in_ost as u16) << 4
            | (self.after_ost as u16) << 5
    }
    pub fn decode(v: u16) -> DeathCircumstances {
        DeathCircumstances {
            release_weeks: (v & 7).min(4) as u8,
            in_treatment: v & 8 != 0,
            in_ost: v & 16 != 0,
            after_ost: v & 32 != 0,
        }
    }
    pub fn release_weeks(self) -> ReleaseWeeks {
        ReleaseWeeks::from_u16(self.release_weeks as u16)
    }
}

/// The outcome of an arrest: no further action, an out-of-court disposal, or a
/// charge. Cautions are proven offences (the proven-reoffending measure counts
/// them); penalty notices are not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[repr(u8)]
pub enum Disposal {
    NoFurtherAction = 0,
    PenaltyNotice = 1,
    Caution = 2,
    /// A conditional caution (with a drug condition: the scheme).
    ConditionalCaution = 3,
    Charge = 4,
}

impl Disposal {
    pub const ALL: [Disposal; 5] = [
        Disposal::NoFurtherAction,
        Disposal::PenaltyNotice,
        Disposal::Caution,
        Disposal::ConditionalCaution,
        Disposal::Charge,
    ];
    pub fn from_u8(v: u8) -> Disposal {
        Disposal::ALL[(v as usize).min(4)]
    }
    pub fn name(self) -> &'static str {
        match self {
            Disposal::NoFurtherAction => "no_further_action",
            Disposal::PenaltyNotice => "penalty_notice",
            Disposal::Caution => "caution",
            Disposal::ConditionalCaution => "conditional_caution",
            Disposal::Charge => "charge",
        }
    }
    /// Cautions, simple or conditional: proven offences.
    pub fn is_caution(self) -> bool {
        matches!(self, Disposal::Caution | Disposal::ConditionalCaution)
    }
}

/// Offence group of an offence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[repr(u8)]
pub enum OffenceGroup {
    /// Shoplifting, theft, burglary, robbery, fraud.
    Acquisitive = 0,
    /// Violence against the person.
    Violence = 1,
    /// Possession and supply of drugs.
    Drugs = 2,
    /// Criminal damage, public order, motoring and the rest.
    Other = 3,
}

impl OffenceGroup {
    pub const N: usize = 4;
    pub const ALL: [OffenceGroup; 4] = [
        OffenceGroup::Acquisitive,
        OffenceGroup::Violence,
        OffenceGroup::Drugs,
        OffenceGroup::Other,
    ];
    pub fn from_u16(v: u16) -> OffenceGroup {
        OffenceGroup::ALL[(v as usize).min(3)]
    }
    pub fn name(self) -> &'static str {
        match self {
            OffenceGroup::Acquisitive => "acquisitive",
            OffenceGroup::Violence => "violence",
            OffenceGroup::Drugs => "drugs",
            OffenceGroup::Other => "other",
        }
    }
    /// Trigger offences for testing on arrest: acquisitive and drug offences.
    pub fn is_trigger(self) -> bool {
        matches!(self, OffenceGroup::Acquisitive | OffenceGroup::Drugs)
    }
}

/// Sentence passed at conviction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[repr(u8)]
pub enum Sentence {
    DischargeFine = 0,
    Community = 1,
    Suspended = 2,
    ShortCustody = 3,
    LongCustody = 4,
    /// Convicted while already in custody: served concurrently.
    Concurrent = 5,
}

impl Sentence {
    pub const ALL: [Sentence; 6] = [
        Sentence::DischargeFine,
        Sentence::Community,
        Sentence::Suspended,
        Sentence::ShortCustody,
        Sentence::LongCustody,
        Sentence::Concurrent,
    ];
    pub fn from_u8(v: u8) -> Sentence {
        Sentence::ALL[v as usize]
    }
    pub fn name(self) -> &'static str {
        match self {
            Sentence::DischargeFine => "discharge_fine",
            Sentence::Community => "community",
            Sentence::Suspended => "suspended",
            Sentence::ShortCustody => "short_custody",
            Sentence::LongCustody => "long_custody",
            Sentence::Concurrent => "concurrent",
        }
    }
    pub fn is_custody(self) -> bool {
        matches!(self, Sentence::ShortCustody | Sentence::LongCustody)
    }
}

/// Kind of community or suspended order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[repr(u8)]
pub enum OrderKind {
    /// Community order with no treatment requirement.
    Community = 0,
    /// Suspended sentence order with no treatment requirement.
    Suspended = 1,
    /// Drug Treatment and Testing Order (1998 pilots to April 2005).
    Dtto = 2,
    /// Drug Rehabilitation Requirement (from April 2005).
    Drr = 3,
    /// Alcohol Treatment Requirement (from April 2005).
    Atr = 4,
}

impl OrderKind {
    pub const ALL: [OrderKind; 5] = [
        OrderKind::Community,
        OrderKind::Suspended,
        OrderKind::Dtto,
        OrderKind::Drr,
        OrderKind::Atr,
    ];
    pub fn from_u8(v: u8) -> OrderKind {
        OrderKind::ALL[v as usize]
    }
    pub fn name(self) -> &'static str {
        match self {
            OrderKind::Community => "community",
            OrderKind::Suspended => "suspended",
            OrderKind::Dtto => "dtto",
            OrderKind::Drr => "drr",
            OrderKind::Atr => "atr",
        }
    }
    /// Orders that carry a treatment requirement.
    pub fn has_treatment(self) -> bool {
        matches!(self, OrderKind::Dtto | OrderKind::Drr | OrderKind::Atr)
    }
}

/// How an order ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[repr(u8)]
pub enum OrderOutcome {
    Completed = 0,
    /// Breached and revoked.
    Revoked = 1,
    /// Ended by a custodial sentence for another offence.
    Custody = 2,
    Died = 3,
    /// Replaced by a new order for another offence.
    Replaced = 4,
    /// Breached by a new conviction and revoked (the court resentences).
    RevokedOnReconviction = 5,
}

impl OrderOutcome {
    pub const ALL: [OrderOutcome; 6] = [
        OrderOutcome::Completed,
        OrderOutcome::Revoked,
        OrderOutcome::Custody,
        OrderOutcome::Died,
        OrderOutcome::Replaced,
        OrderOutcome::RevokedOnReconviction,
    ];
    pub fn from_u16(v: u16) -> OrderOutcome {
        OrderOutcome::ALL[(v as usize).min(5)]
    }
    pub fn name(self) -> &'static str {
        match self {
            OrderOutcome::Completed => "completed",
            OrderOutcome::Revoked => "revoked",
            OrderOutcome::Custody => "custody",
            OrderOutcome::Died => "died",
            OrderOutcome::Replaced => "replaced",
            OrderOutcome::RevokedOnReconviction => "revoked_on_reconviction",
        }
    }
}

/// How a person came into treatment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[repr(u8)]
pub enum Route {
    /// Self, GP or other non-criminal-justice referral.
    Voluntary = 0,
    /// Drug Interventions Programme, after a test on arrest.
    Dip = 1,
    /// Treatment requirement of a court order (DTTO, DRR, ATR).
    Order = 2,
    /// Continuity of care on release from custody.
    Release = 3,
}

impl Route {
    /// Words a reader understands, for a referral route.
    pub fn label(self) -> &'static str {
        match self {
            Route::Voluntary => "Voluntary (self, GP)",
            Route::Dip => "DIP (arrest referral)",
            Route::Order => "Court order (DTTO/DRR/ATR)",
            Route::Release => "On release from custody",
        }
    }

    pub const ALL: [Route; 4] = [Route::Voluntary, Route::Dip, Route::Order, Route::Release];
    pub fn from_u8(v: u8) -> Route {
        Route::ALL[v as usize]
    }
    pub fn name(self) -> &'static str {
        match self {
            Route::Voluntary => "voluntary",
            Route::Dip => "dip",
            Route::Order => "order",
            Route::Release => "release",
        }
    }
    /// Referred by criminal-justice staff (UKDPC's 35%).
    pub fn is_criminal_justice(self) -> bool {
        self != Route::Voluntary
    }
}

/// How a treatment episode ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[repr(u8)]
pub enum TreatmentExit {
    Dropout = 0,
    Completed = 1,
    /// The journey went on in custody, and no community service picked it up
    /// after release (recorded on the release day).
    NotContinued = 2,
    Died = 3,
}

impl TreatmentExit {
    pub const ALL: [TreatmentExit; 4] = [
        TreatmentExit::Dropout,
        TreatmentExit::Completed,
        TreatmentExit::NotContinued,
        TreatmentExit::Died,
    ];
    pub fn from_u16(v: u16) -> TreatmentExit {
        TreatmentExit::ALL[(v as usize).min(3)]
    }
    pub fn name(self) -> &'static str {
        match self {
            TreatmentExit::Dropout => "dropout",
            TreatmentExit::Completed => "completed",
            TreatmentExit::NotContinued => "not_continued",
            TreatmentExit::Died => "died",
        }
    }
}

/// Why a person was received into custody.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[repr(u8)]
pub enum CustodyKind {
    Short = 0,
    Long = 1,
    /// Resentenced after an order was breached and revoked.
    Breach = 2,
    /// Remanded in custody to await trial or sentence.
    Remand = 3,
    /// Recalled from licence.
    Recall = 4,
}

/// Length band of a custodial sentence (the MoJ's bands).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[repr(u8)]
pub enum LengthBand {
    /// Up to and including 6 months.
    UpTo6m = 0,
    /// Over 6 and under 12 months.
    Over6m = 1,
    /// 12 months to under 4 years.
    Under4y = 2,
    /// 4 years and over.
    Over4y = 3,
}

impl LengthBand {
    pub const ALL: [LengthBand; 4] = [
        LengthBand::UpTo6m,
        LengthBand::Over6m,
        LengthBand::Under4y,
        LengthBand::Over4y,
    ];
    pub fn from_u16(v: u16) -> LengthBand {
        LengthBand::ALL[(v as usize).min(3)]
    }
    pub fn name(self) -> &'static str {
        match self {
            LengthBand::UpTo6m => "up_to_6m",
            LengthBand::Over6m => "6m_to_12m",
            LengthBand::Under4y => "12m_to_4y",
            LengthBand::Over4y => "4y_plus",
        }
    }
    /// The band of a sentence of `days`.
    pub fn of_days(days: f64) -> LengthBand {
        let month = crate::calendar::DAYS_PER_YEAR / 12.0;
        if days <= 6.0 * month {
            LengthBand::UpTo6m
        } else if days < 12.0 * month {
            LengthBand::Over6m
        } else if days < 48.0 * month {
            LengthBand::Under4y
        } else {
            LengthBand::Over4y
        }
    }
}

impl CustodyKind {
    pub const ALL: [CustodyKind; 5] = [
        CustodyKind::Short,
        CustodyKind::Long,
        CustodyKind::Breach,
        CustodyKind::Remand,
        CustodyKind::Recall,
    ];
    pub fn from_u8(v: u8) -> CustodyKind {
        CustodyKind::ALL[v as usize]
    }
    pub fn name(self) -> &'static str {
        match self {
            CustodyKind::Short => "short",
            CustodyKind::Long => "long",
            CustodyKind::Breach => "breach",
            CustodyKind::Remand => "remand",
            CustodyKind::Recall => "recall",
        }
    }
}

/// One recorded event: 8 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// Day number (days since 1970-01-01).
    pub day: i32,
    pub kind: EventKind,
    /// Kind-specific code (see [`EventKind`]).
    pub detail: u8,
    /// Kind-specific number (see [`EventKind`]).
    pub extra: u16,
}

impl Event {
    pub fn new(day: i32, kind: EventKind, detail: u8, extra: u16) -> Event {
        Event {
            day,
            kind,
            detail,
            extra,
        }
    }
}

/// Fixed attributes of a simulated person.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Person {
    /// Person index within the replicate: the key of their random streams.
    pub id: u64,
    pub substance: Substance,
    pub male: bool,
    /// Day of birth.
    pub birth_day: i32,
    /// Day the career (or the simulation, for people already active) starts.
    pub entry_day: i32,
    /// Last simulated day (death, desistance, or the horizon).
    pub exit_day: i32,
    /// Offending propensity: gamma-distributed with mean 1.
    pub propensity: f32,
    /// Risk score 0-100 (an OGRS-like percentile of propensity).
    pub risk_score: u8,
    pub unstable_housing: bool,
    pub mental_health: bool,
    /// Proven offences (convictions and cautions) before entry: none for a new
    /// career, drawn for people already active on the start date.
    pub prior_offences: u16,
    /// Has an offending career; false for the people with a drug or alcohol
    /// problem who never offend (they seek treatment and die, nothing else).
    pub offends: bool,
}

impl Event {
    /// The offence rate an `OffendingRate` event records: thousandths of an
    /// offence a year (its detail is the high 8 bits, its extra the low 16).
    #[inline]
    pub fn offending_rate(&self) -> u32 {
        ((self.detail as u32) << 16) | self.extra as u32
    }
}

impl Person {
    /// Age in whole years on a given day.
    pub fn age_on(&self, day: i32) -> i32 {
        ((day - self.birth_day) as f64 / crate::calendar::DAYS_PER_YEAR).floor() as i32
    }
}

/// The histories of a chunk of people: attributes and an event arena.
#[derive(Default, Debug)]
pub struct Histories {
    pub people: Vec<Person>,
    /// Where each person's events lie in `events` (start, end).
    pub ranges: Vec<(u32, u32)>,
    pub events: Vec<Event>,
}

impl Histories {
    pub fn with_capacity(people: usize, events: usize) -> Histories {
        Histories {
            people: Vec::with_capacity(people),
            ranges: Vec::with_capacity(people),
            events: Vec::with_capacity(events),
        }
    }
    pub fn clear(&mut self) {
        self.people.clear();
        self.ranges.clear();
        self.events.clear();
    }
    pub fn len(&self) -> usize {
        self.people.len()
    }
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }
    /// Each person with their events, in day order.
    pub fn iter(&self) -> impl Iterator<Item = (&Person, &[Event])> {
        self.people
            .iter()
            .zip(&self.ranges)
            .map(|(p, &(a, b))| (p, &self.events[a as usize..b as usize]))
    }
    /// Append one person's history (used by the engine and by hand-built tests).
    pub fn push(&mut self, person: Person, events: &[Event]) {
        let a = self.events.len() as u32;
        self.events.extend_from_slice(events);
        self.people.push(person);
        self.ranges.push((a, self.events.len() as u32));
    }
}

/// Reads histories chunk by chunk and merges with other instances of itself.
///
/// Contract: `merge` must give the same result whatever the order of chunks
/// (integer counts do), so outputs are independent of thread count.
pub trait Observer: Send {
    /// Read one chunk of histories.
    fn observe(&mut self, histories: &Histories);
    /// Add another observer's counts into this one.
    fn merge(&mut self, other: Self)
    where
        Self: Sized;
}

/// No observer: for runs that need only their metrics.
impl Observer for () {
    fn observe(&mut self, _: &Histories) {}
    fn merge(&mut self, _: Self) {}
}

/// Two observers reading the same histories in one pass.
impl<A: Observer, B: Observer> Observer for (A, B) {
    fn observe(&mut self, h: &Histories) {
        self.0.observe(h);
        self.1.observe(h);
    }
    fn merge(&mut self, other: Self) {
        self.0.merge(other.0);
        self.1.merge(other.1);
    }
}

/// `x.round()` (half away from zero) without the library call: the hot loops
/// round non-negative counts and rates, which convert exactly through an
/// integer below 2^52. Equal to `f64::round` for every input.
#[inline]
pub fn round(x: f64) -> f64 {
    if x > 0.0 && x < 4_503_599_627_370_496.0 {
        let whole = x as u64;
        let r = if x - whole as f64 >= 0.5 {
            whole + 1
        } else {
            whole
        };
        r as f64
    } else {
        x.round()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_equals_the_library_round() {
        let cases = [
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            0.49999999999999994,
            1e15 + 0.5,
            4.5e15,
            9e15,
            1e300,
            -0.5,
            -2.5,
            3.4999,
            f64::INFINITY,
        ];
        for x in cases
            .into_iter()
            .chain((0..100_000).map(|i| i as f64 * 0.0137))
        {
            assert_eq!(super::round(x).to_bits(), x.round().to_bits(), "{x}");
        }
        assert!(super::round(f64::NAN).is_nan());
    }
}

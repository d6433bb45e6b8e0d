//! The columns of the two microdata tables, each declared once: its name, type,
//! unit, meaning, the events it applies to, and how it is read from a history.
//! The Parquet writer and the data dictionary both come from these lists.

use crate::history::{
    CustodyKind, DeathCause, DeathCircumstances, Disposal, Event, EventKind, LengthBand, Modality,
    OffenceGroup, OrderKind, OrderOutcome, Person, Route, Sentence, TreatmentExit,
};
use crate::interventions::Scheme;

/// A column's type in the Parquet files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// A readable category (dictionary-encoded string: pandas `category`, R factor).
    Category,
    /// A calendar date.
    Date,
    Bool,
    Int32,
    Int64,
    Float32,
    Float64,
}

impl Ty {
    /// The type as the dictionary names it.
    pub fn name(self) -> &'static str {
        match self {
            Ty::Category => "category (string)",
            Ty::Date => "date",
            Ty::Bool => "boolean",
            Ty::Int32 => "int32",
            Ty::Int64 => "int64",
            Ty::Float32 => "float32",
            Ty::Float64 => "float64",
        }
    }
}

/// One value of a row: null where the column does not apply.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell {
    Null,
    Cat(&'static str),
    Day(i32),
    Bool(bool),
    Int(i64),
    Float(f64),
}

/// A column of a table whose rows are `R`.
pub struct Column<R> {
    pub name: &'static str,
    pub ty: Ty,
    pub unit: &'static str,
    /// The events it is filled for (empty: every row).
    pub applies_to: &'static [EventKind],
    pub meaning: &'static str,
    pub get: fn(&R) -> Cell,
}

/// One person of one replicate, with how their history ended and the day
/// their offending career ended (desistance does not end a history: the person
/// is followed to death or the horizon).
pub struct PersonRow {
    pub replicate: u32,
    pub person: Person,
    pub last: Option<EventKind>,
    pub desisted: Option<i32>,
}

/// One event of one person's history.
pub struct EventRow {
    pub replicate: u32,
    pub person: u64,
    /// Its place in the person's history (0 = the career start).
    pub sequence: u32,
    pub event: Event,
}

/// The risk score's band, as the Offender Group Reconviction Scale bands its
/// two-year probability (low under 50, medium 50-74, high 75-89, very high 90+).
pub fn risk_band(score: u8) -> &'static str {
    match score {
        0..=49 => "low",
        50..=74 => "medium",
        75..=89 => "high",
        _ => "very_high",
    }
}

use EventKind as K;

fn on(e: &EventRow, kinds: &[EventKind]) -> bool {
    kinds.contains(&e.event.kind)
}

/// A category read from the detail (or extra) when the event is of a kind.
fn cat_if(e: &EventRow, kinds: &[EventKind], name: impl Fn(&Event) -> &'static str) -> Cell {
    if on(e, kinds) {
        Cell::Cat(name(&e.event))
    } else {
        Cell::Null
    }
}

fn bool_if(e: &EventRow, kinds: &[EventKind], f: impl Fn(&Event) -> bool) -> Cell {
    if on(e, kinds) {
        Cell::Bool(f(&e.event))
    } else {
        Cell::Null
    }
}

fn death(e: &EventRow) -> Option<DeathCircumstances> {
    (e.event.kind == K::Death).then(|| DeathCircumstances::decode(e.event.extra))
}

/// Sentenced receptions carry a length band; remands and recalls do not.
fn sentenced_reception(e: &Event) -> bool {
    e.kind == K::CustodyStart
        && !matches!(
            CustodyKind::from_u8(e.detail.min(4)),
            CustodyKind::Remand | CustodyKind::Recall
        )
}

/// The people table.
pub const PEOPLE: &[Column<PersonRow>] = &[
    Column {
        name: "replicate",
        ty: Ty::Int32,
        unit: "index",
        applies_to: &[],
        meaning: "Replicate of the run (0 first); each replicate simulates a new population",
        get: |r| Cell::Int(r.replicate as i64),
    },
    Column {
        name: "person",
        ty: Ty::Int64,
        unit: "id",
        applies_to: &[],
        meaning: "Person id within the replicate: the key of their random streams, so the same id is the same person in every arm of a comparison",
        get: |r| Cell::Int(r.person.id as i64),
    },
    Column {
        name: "sex",
        ty: Ty::Category,
        unit: "",
        applies_to: &[],
        meaning: "male or female",
        get: |r| Cell::Cat(if r.person.male { "male" } else { "female" }),
    },
    Column {
        name: "birth_date",
        ty: Ty::Date,
        unit: "date",
        applies_to: &[],
        meaning: "Date of birth",
        get: |r| Cell::Day(r.person.birth_day),
    },
    Column {
        name: "entry_date",
        ty: Ty::Date,
        unit: "date",
        applies_to: &[],
        meaning: "Entry into the model: the start of the offending career (or of the simulation, for people already active), or of the drug or alcohol problem for people who never offend",
        get: |r| Cell::Day(r.person.entry_day),
    },
    Column {
        name: "exit_date",
        ty: Ty::Date,
        unit: "date",
        applies_to: &[],
        meaning: "Last simulated day: death or the end of the simulation (a person who desists is followed on)",
        get: |r| Cell::Day(r.person.exit_day),
    },
    Column {
        name: "exit_reason",
        ty: Ty::Category,
        unit: "",
        applies_to: &[],
        meaning: "death, or end_of_simulation (still alive and followed on the last day)",
        get: |r| {
            Cell::Cat(match r.last {
                Some(K::Death) => "death",
                _ => "end_of_simulation",
            })
        },
    },
    Column {
        name: "desistance_date",
        ty: Ty::Date,
        unit: "date",
        applies_to: &[],
        meaning: "Day the offending career ended by desistance (the person is followed on, to death or the end of the simulation); null if it did not",
        get: |r| r.desisted.map_or(Cell::Null, Cell::Day),
    },
    Column {
        name: "substance",
        ty: Ty::Category,
        unit: "",
        applies_to: &[],
        meaning: "Main problem substance group, fixed for the career: opiates_crack, other_drugs, alcohol or none",
        get: |r| Cell::Cat(r.person.substance.name()),
    },
    Column {
        name: "offends",
        ty: Ty::Bool,
        unit: "",
        applies_to: &[],
        meaning: "Has an offending career (false: a drug or alcohol problem and no offending; such people seek treatment and die, nothing else)",
        get: |r| Cell::Bool(r.person.offends),
    },
    Column {
        name: "propensity",
        ty: Ty::Float32,
        unit: "multiplier",
        applies_to: &[],
        meaning: "Offending propensity, gamma-distributed with mean 1 within the substance group; null for people who never offend",
        get: |r| {
            if r.person.offends {
                Cell::Float(r.person.propensity as f64)
            } else {
                Cell::Null
            }
        },
    },
    Column {
        name: "risk_score",
        ty: Ty::Int32,
        unit: "0-100",
        applies_to: &[],
        meaning: "OGRS-like risk score from the propensity (100 x (1 - exp(-offences a year / 10))); null for people who never offend",
        get: |r| {
            if r.person.offends {
                Cell::Int(r.person.risk_score as i64)
            } else {
                Cell::Null
            }
        },
    },
    Column {
        name: "risk_band",
        ty: Ty::Category,
        unit: "",
        applies_to: &[],
        meaning: "The risk score in the OGRS bands: low (under 50), medium (50-74), high (75-89), very_high (90+); null for people who never offend",
        get: |r| {
            if r.person.offends {
                Cell::Cat(risk_band(r.person.risk_score))
            } else {
                Cell::Null
            }
        },
    },
    Column {
        name: "unstable_housing",
        ty: Ty::Bool,
        unit: "",
        applies_to: &[],
        meaning: "Housing problem at entry (fixed for the career)",
        get: |r| Cell::Bool(r.person.unstable_housing),
    },
    Column {
        name: "mental_health",
        ty: Ty::Bool,
        unit: "",
        applies_to: &[],
        meaning: "Mental health problem at entry (fixed for the career)",
        get: |r| Cell::Bool(r.person.mental_health),
    },
    Column {
        name: "prior_offences",
        ty: Ty::Int32,
        unit: "offences",
        applies_to: &[],
        meaning: "Proven offences (convictions and cautions) before entry: none for a new career, drawn for people already active on the start date; their dates are not simulated",
        get: |r| Cell::Int(r.person.prior_offences as i64),
    },
];

/// The events table.
pub const EVENTS: &[Column<EventRow>] = &[
    Column {
        name: "replicate",
        ty: Ty::Int32,
        unit: "index",
        applies_to: &[],
        meaning: "Replicate of the run (joins the people table with person)",
        get: |r| Cell::Int(r.replicate as i64),
    },
    Column {
        name: "person",
        ty: Ty::Int64,
        unit: "id",
        applies_to: &[],
        meaning: "Person id within the replicate (joins the people table with replicate)",
        get: |r| Cell::Int(r.person as i64),
    },
    Column {
        name: "sequence",
        ty: Ty::Int32,
        unit: "index",
        applies_to: &[],
        meaning: "Place of the event in the person's history (0 = career start): orders events on the same day as they happened",
        get: |r| Cell::Int(r.sequence as i64),
    },
    Column {
        name: "date",
        ty: Ty::Date,
        unit: "date",
        applies_to: &[],
        meaning: "Day of the event",
        get: |r| Cell::Day(r.event.day),
    },
    Column {
        name: "event",
        ty: Ty::Category,
        unit: "",
        applies_to: &[],
        meaning: "What happened (see the event list of docs/histories.md)",
        get: |r| Cell::Cat(r.event.kind.name()),
    },
    Column {
        name: "offence_group",
        ty: Ty::Category,
        unit: "",
        applies_to: &[K::Arrest],
        meaning: "Group of the offence arrested for: acquisitive, violence, drugs or other",
        get: |r| cat_if(r, &[K::Arrest], |e| OffenceGroup::from_u16(e.extra).name()),
    },
    Column {
        name: "trigger_offence",
        ty: Ty::Bool,
        unit: "",
        applies_to: &[K::Arrest],
        meaning: "Arrested for a trigger offence (acquisitive or drugs: eligible for a drug test on arrest)",
        get: |r| bool_if(r, &[K::Arrest], |e| e.detail == 1),
    },
    Column {
        name: "positive",
        ty: Ty::Bool,
        unit: "",
        applies_to: &[K::Test],
        meaning: "Tested positive for opiates or cocaine",
        get: |r| bool_if(r, &[K::Test], |e| e.detail == 1),
    },
    Column {
        name: "assessment_required",
        ty: Ty::Bool,
        unit: "",
        applies_to: &[K::DipAssessment],
        meaning: "The DIP assessment was required (a restriction on bail or required assessment), not voluntary",
        get: |r| bool_if(r, &[K::DipAssessment], |e| e.detail == 1),
    },
    Column {
        name: "disposal",
        ty: Ty::Category,
        unit: "",
        applies_to: &[K::Disposal],
        meaning: "What the police did with the detected offence: no_further_action, penalty_notice, caution, conditional_caution or charge",
        get: |r| cat_if(r, &[K::Disposal], |e| Disposal::from_u8(e.detail).name()),
    },
    Column {
        name: "sentence",
        ty: Ty::Category,
        unit: "",
        applies_to: &[K::Conviction],
        meaning: "Sentence passed: discharge_fine, community, suspended, short_custody, long_custody, or concurrent (convicted while in custody)",
        get: |r| cat_if(r, &[K::Conviction], |e| Sentence::ALL[(e.detail as usize).min(5)].name()),
    },
    Column {
        name: "offence_date",
        ty: Ty::Date,
        unit: "date",
        applies_to: &[K::Conviction],
        meaning: "Day of the offence (the arrest) the conviction is for",
        get: |r| {
            if r.event.kind == K::Conviction {
                Cell::Day(r.event.day - r.event.extra as i32)
            } else {
                Cell::Null
            }
        },
    },
    Column {
        name: "order",
        ty: Ty::Category,
        unit: "",
        applies_to: &[K::OrderStart, K::OrderEnd],
        meaning: "Kind of order: community, suspended, dtto, drr or atr",
        get: |r| {
            cat_if(r, &[K::OrderStart, K::OrderEnd], |e| {
                OrderKind::ALL[(e.detail as usize).min(4)].name()
            })
        },
    },
    Column {
        name: "order_outcome",
        ty: Ty::Category,
        unit: "",
        applies_to: &[K::OrderEnd],
        meaning: "How the order ended: completed, revoked (breach), custody (a custodial sentence for another offence), died, replaced (a new order) or revoked_on_reconviction",
        get: |r| cat_if(r, &[K::OrderEnd], |e| OrderOutcome::from_u16(e.extra).name()),
    },
    Column {
        name: "route",
        ty: Ty::Category,
        unit: "",
        applies_to: &[
            K::TreatmentStart,
            K::TreatmentEnd,
            K::WaitlistJoin,
            K::WaitlistGiveUp,
        ],
        meaning: "Route into treatment: voluntary (self, GP), dip (arrest referral), order (DTTO/DRR/ATR) or release (continuity of care from custody)",
        get: |r| {
            cat_if(
                r,
                &[
                    K::TreatmentStart,
                    K::TreatmentEnd,
                    K::WaitlistJoin,
                    K::WaitlistGiveUp,
                ],
                |e| Route::ALL[(e.detail as usize).min(3)].name(),
            )
        },
    },
    Column {
        name: "modality",
        ty: Ty::Category,
        unit: "",
        applies_to: &[K::TreatmentStart],
        meaning: "Treatment modality: ost (opioid substitution with keywork) or psychosocial",
        get: |r| cat_if(r, &[K::TreatmentStart], |e| Modality::from_u16(e.extra).name()),
    },
    Column {
        name: "treatment_exit",
        ty: Ty::Category,
        unit: "",
        applies_to: &[K::TreatmentEnd],
        meaning: "How the journey ended: dropout, completed, not_continued (went on in custody, not picked up after release) or died",
        get: |r| cat_if(r, &[K::TreatmentEnd], |e| TreatmentExit::from_u16(e.extra).name()),
    },
    Column {
        name: "transfer",
        ty: Ty::Category,
        unit: "",
        applies_to: &[K::TreatmentTransfer],
        meaning: "An open journey changes setting: into_prison, or to_community (picked up after release)",
        get: |r| {
            cat_if(r, &[K::TreatmentTransfer], |e| {
                if e.detail == 0 {
                    "into_prison"
                } else {
                    "to_community"
                }
            })
        },
    },
    Column {
        name: "custody",
        ty: Ty::Category,
        unit: "",
        applies_to: &[K::CustodyStart],
        meaning: "Why received into custody: short or long sentence, breach (resentenced after a revoked order), remand or recall",
        get: |r| cat_if(r, &[K::CustodyStart], |e| CustodyKind::from_u8(e.detail.min(4)).name()),
    },
    Column {
        name: "length_band",
        ty: Ty::Category,
        unit: "",
        applies_to: &[K::CustodyStart],
        meaning: "Sentence length band of a sentenced reception (up_to_6m, 6m_to_12m, 12m_to_4y, 4y_plus); null for remand and recall",
        get: |r| {
            if sentenced_reception(&r.event) {
                Cell::Cat(LengthBand::from_u16(r.event.extra >> 1).name())
            } else {
                Cell::Null
            }
        },
    },
    Column {
        name: "sentenced_on_remand",
        ty: Ty::Bool,
        unit: "",
        applies_to: &[K::CustodyStart],
        meaning: "Sentenced while already on remand (a sentenced reception, not a first reception); null for remand and recall",
        get: |r| {
            if sentenced_reception(&r.event) {
                Cell::Bool(r.event.extra & 1 == 1)
            } else {
                Cell::Null
            }
        },
    },
    Column {
        name: "from_remand",
        ty: Ty::Bool,
        unit: "",
        applies_to: &[K::Release],
        meaning: "Released from remand (not convicted, or not given custody), not at the end of a sentence",
        get: |r| bool_if(r, &[K::Release], |e| e.detail == 1),
    },
    Column {
        name: "licence_days",
        ty: Ty::Int32,
        unit: "days",
        applies_to: &[K::Release],
        meaning: "Days of licence and post-sentence supervision that follow the release (0: none)",
        get: |r| {
            if r.event.kind == K::Release {
                Cell::Int(r.event.extra as i64)
            } else {
                Cell::Null
            }
        },
    },
    Column {
        name: "cause",
        ty: Ty::Category,
        unit: "",
        applies_to: &[K::Death],
        meaning: "Cause of death: drug_poisoning (the ONS deaths of drug misuse) or other_causes",
        get: |r| cat_if(r, &[K::Death], |e| DeathCause::from_u8(e.detail).name()),
    },
    Column {
        name: "weeks_since_release",
        ty: Ty::Category,
        unit: "",
        applies_to: &[K::Death],
        meaning: "Time since the last release from custody at death: week_1, week_2, weeks_3_4, weeks_5_12 or not_recently_released",
        get: |r| match death(r) {
            Some(c) => Cell::Cat(c.release_weeks().name()),
            None => Cell::Null,
        },
    },
    Column {
        name: "in_treatment",
        ty: Ty::Bool,
        unit: "",
        applies_to: &[K::Death],
        meaning: "In a treatment journey at death",
        get: |r| death(r).map_or(Cell::Null, |c| Cell::Bool(c.in_treatment)),
    },
    Column {
        name: "in_ost",
        ty: Ty::Bool,
        unit: "",
        applies_to: &[K::Death],
        meaning: "In opioid substitution treatment at death",
        get: |r| death(r).map_or(Cell::Null, |c| Cell::Bool(c.in_ost)),
    },
    Column {
        name: "after_ost",
        ty: Ty::Bool,
        unit: "",
        applies_to: &[K::Death],
        meaning: "Within the weeks after leaving OST at death (the raised-risk period)",
        get: |r| death(r).map_or(Cell::Null, |c| Cell::Bool(c.after_ost)),
    },
    Column {
        name: "scheme",
        ty: Ty::Category,
        unit: "",
        applies_to: &[K::Intervention, K::NoPlace],
        meaning: "Intervention scheme started (intervention_start), or the prison programme the person was eligible for but found no place on (no_place); see docs/interventions.md",
        get: |r| {
            cat_if(r, &[K::Intervention, K::NoPlace], |e| {
                Scheme::ALL[(e.detail as usize).min(Scheme::ALL.len() - 1)].name()
            })
        },
    },
    Column {
        name: "wait_days",
        ty: Ty::Int32,
        unit: "days",
        applies_to: &[K::WaitlistJoin, K::WaitlistGiveUp],
        meaning: "waitlist_join: the wait the list had on joining; waitlist_give_up: days waited before giving up",
        get: |r| {
            if on(r, &[K::WaitlistJoin, K::WaitlistGiveUp]) {
                Cell::Int(r.event.extra as i64)
            } else {
                Cell::Null
            }
        },
    },
    Column {
        name: "offences_per_year",
        ty: Ty::Float64,
        unit: "offences a year",
        applies_to: &[K::OffendingRate],
        meaning: "The person's offence rate from this day (every offence, detected or not) until the next offending_rate event or the end of the history",
        get: |r| {
            if r.event.kind == K::OffendingRate {
                Cell::Float(r.event.offending_rate() as f64 / 1000.0)
            } else {
                Cell::Null
            }
        },
    },
];

/// What each event kind records, for the data dictionary.
pub fn event_meaning(kind: EventKind) -> &'static str {
    match kind {
        K::CareerStart => "Entry into the model (the first event of every history)",
        K::Arrest => "Arrest for a detected offence",
        K::Test => "Drug test on arrest (for opiates and cocaine)",
        K::DipAssessment => "Drug Interventions Programme assessment after a positive test",
        K::AssessmentFailed => "Failed to attend a required assessment after a positive test",
        K::Disposal => "What the police did with the detected offence",
        K::Conviction => "Conviction at court, with the sentence",
        K::OrderStart => "Start of a community or suspended order",
        K::OrderEnd => "End of an order, with how it ended",
        K::TreatmentStart => "Start of a treatment journey",
        K::TreatmentEnd => "End of a treatment journey, with how it ended",
        K::TreatmentTransfer => {
            "An open treatment journey moves into prison or back to the community"
        }
        K::WaitlistJoin => "Joins the waiting list for a treatment place",
        K::WaitlistGiveUp => "Gives up waiting for a treatment place",
        K::CustodyStart => "Reception into custody",
        K::Release => "Release from custody",
        K::Intervention => "Starts an intervention scheme",
        K::NoPlace => "Eligible for a prison programme but no place was free",
        K::OffendingRate => {
            "The offence rate changes (not an offence: offences are this rate's integral)"
        }
        K::Recovery => "The drug or alcohol problem ends (recovery out of treatment)",
        K::Desistance => "The offending career ends (the person is still followed, to death or the end of the simulation)",
        K::Death => "Death, with its cause and circumstances",
    }
}

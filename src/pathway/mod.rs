//! The pathway stages: one file per stage, each holding everything about it.
//!
//! A stage file declares, in this order: its parameters (`parameters!`: field,
//! doc, default, unit, range, source; the scenario key is the section and field
//! name), its compiled per-day rates (`...Rates::new` from its own parameters,
//! with the hooks levers fill in), its slice of a person's state (`...State`),
//! and on [`PersonSim`] its rate functions and event handlers, then its
//! known-answer tests. A state field is written only by its own stage's code;
//! other stages call the stage's methods (`refer_to_treatment`, `end_order`,
//! `open_release_window`, ...). [`life`] runs the competing clocks and composes
//! the stages' states; [`model`] composes their rates.
//!
//! | module | parameters | rates | events |
//! | --- | --- | --- | --- |
//! | [`population`] | `population.*` | | who is active, who enters, their attributes |
//! | [`arrest`] | `offending.*`, `testing.*`, `dip.*` | arrest, crisis phase, desistance | arrest, trigger offence, test on arrest, DIP assessment and referral, charge, desistance |
//! | [`sentencing`] | `court.*`, `sentencing.*` | | court cases, conviction, sentence |
//! | [`orders`] | `orders.*` | breach | order start, completion, breach and revocation, treatment engagement |
//! | [`treatment`] | `treatment.*` | voluntary entry, dropout, completion | referral, waiting list, treatment start, dropout, completion |
//! | [`custody`] | `custody.*` | | reception, release, continuity of care |
//! | [`mortality`] | `mortality.*` | death | death, the post-release risk window |
//! | [`schemes`] | `interventions.*` (src/interventions.rs) | (multipliers on the above) | cautions, diversion, bail, intensive partnership, drug courts, programmes, prison treatment |
//! | [`levers`] | `levers.*` | (through the stages' hooks) | |
//!
//! How to add a stage or an intervention: `docs/architecture.md`.
pub mod arrest;
pub mod custody;
pub mod levers;
pub mod life;
pub mod model;
pub mod mortality;
pub mod orders;
pub mod population;
pub mod recovery;
pub mod schemes;
pub mod sentencing;
pub mod treatment;

pub use schemes::CapacityPlan;

use crate::calendar::Date;
use crate::history::{DeathCause, Event, Person, Route};
use crate::parameter::{parameters, INF};
use crate::rng::{LazyStream, Process};
use arrest::{DipRates, OffendingRates, TestingRates};
use custody::CustodyRates;
use mortality::MortalityRates;
use orders::OrderRates;
use schemes::SchemeModel;
use sentencing::{CourtRates, SentencingRates};
use treatment::TreatmentRates;

/// A whole scenario: what to run and every parameter.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Scenario name (defaults to the file name); names the output folder.
    pub name: String,
    /// One sentence: the question this scenario answers.
    pub description: String,
    pub run: RunParams,
    pub population: population::PopulationParams,
    pub offending: arrest::OffendingParams,
    pub detection: arrest::DetectionParams,
    pub court: sentencing::CourtParams,
    pub testing: arrest::TestingParams,
    pub dip: arrest::DipParams,
    pub sentencing: sentencing::SentencingParams,
    pub orders: orders::OrderParams,
    pub treatment: treatment::TreatmentParams,
    pub custody: custody::CustodyParams,
    pub mortality: mortality::MortalityParams,
    pub recovery: recovery::RecoveryParams,
    pub levers: levers::Levers,
    /// Every intervention in the UKDPC review, each a block (src/interventions.rs).
    pub interventions: crate::interventions::Interventions,
    /// Optional limit on treatment places, with a waiting list.
    pub capacity: crate::interventions::Capacity,
    /// The calendar inputs: projection variant, reference date, overrides
    /// (src/series.rs, data/calendar/).
    pub calendar: crate::series::CalendarParams,
    /// How a comparison is appraised for value for money (src/appraisal.rs);
    /// no simulated event depends on it.
    pub value_for_money: crate::appraisal::AppraisalParams,
    /// Set only for the paired run of a causal comparison (never by a scenario).
    #[serde(skip)]
    pub counterfactual: treatment::Counterfactual,
}

impl Params {
    /// The registry rows of every stage's parameter block, in scenario order: a
    /// new stage adds its `INFO` here beside its field above.
    pub const BLOCKS: &'static [&'static [crate::parameter::ParamInfo]] = &[
        RunParams::INFO,
        population::PopulationParams::INFO,
        arrest::OffendingParams::INFO,
        arrest::DetectionParams::INFO,
        sentencing::CourtParams::INFO,
        arrest::TestingParams::INFO,
        arrest::DipParams::INFO,
        sentencing::SentencingParams::INFO,
        orders::OrderParams::INFO,
        treatment::TreatmentParams::INFO,
        custody::CustodyParams::INFO,
        mortality::MortalityParams::INFO,
        recovery::RecoveryParams::INFO,
        levers::RetentionLever::INFO,
        levers::TestingExtendedLever::INFO,
        levers::CommunityInsteadLever::INFO,
        levers::TreatmentAccessLever::INFO,
        crate::appraisal::AppraisalParams::INFO,
    ];
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
    pub recovery: recovery::RecoveryRates,
    /// Days on which rates change with the calendar (lever start dates), sorted.
    pub refresh_days: Vec<f64>,
    /// The calendar's multipliers in force from each refresh day, looked up
    /// once here rather than at every person's refresh.
    pub refresh_calendar: Vec<CalendarDay>,
    /// Tests: on every refresh day, check that no rate outside the calendar's
    /// clocks moved.
    #[cfg(test)]
    pub check_refreshes: bool,
    /// The intervention schemes.
    pub iv: SchemeModel,
}

impl Model {
    pub fn new(p: &Params) -> Model {
        let lv = &p.levers;
        let cal = &p.calendar;
        let treatment = TreatmentRates::new(
            &p.treatment,
            lv.entry_change(),
            lv.dropout_change(),
            cal,
            &p.counterfactual,
        );
        let offending = OffendingRates::new(&p.offending, &p.detection, cal);
        // Rates in the event loop change on lever start dates and on the days
        // the calendar inputs behind them change; decisions read their inputs
        // on the day they are taken.
        let mut refresh_days: Vec<f64> = Vec::new();
        let calendar_days = offending
            .offending_trend
            .change_days()
            .chain(offending.detection_trend.change_days())
            .chain(treatment.funding_trend.change_days());
        for d in [treatment.dropout_change.from, treatment.entry_change.from]
            .into_iter()
            .chain(calendar_days)
        {
            if d.is_finite() && d > p.run.start.as_f64() && d < p.run.horizon.as_f64() {
                refresh_days.push(d);
            }
        }
        refresh_days.sort_by(f64::total_cmp);
        refresh_days.dedup();
        let refresh_calendar = refresh_days
            .iter()
            .map(|&d| CalendarDay::on(&offending, &treatment, d))
            .collect();
        Model {
            start_day: p.run.start.as_f64(),
            horizon_day: p.run.horizon.as_f64(),
            offending,
            testing: TestingRates::new(&p.testing, lv.testing_extension(), cal),
            dip: DipRates::new(&p.dip),
            court: CourtRates::new(&p.court, cal),
            sentencing: SentencingRates::new(&p.sentencing, lv.short_custody_replaced(), cal),
            orders: OrderRates::new(&p.orders),
            treatment,
            custody: CustodyRates::new(&p.custody, cal),
            mortality: MortalityRates::new(&p.mortality),
            recovery: recovery::RecoveryRates::new(&p.recovery),
            refresh_days,
            refresh_calendar,
            #[cfg(test)]
            check_refreshes: false,
            iv: SchemeModel::new(p),
        }
    }

    /// The calendar's multipliers on rates in force on day `t`.
    pub fn calendar_on(&self, t: f64) -> CalendarDay {
        CalendarDay::on(&self.offending, &self.treatment, t)
    }
}

/// The calendar inputs' multipliers on the event loop's rates in force on one
/// day: the only rates that move on a refresh day (with the levers' hooks on
/// entry and dropout, whose start dates are refresh days too).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CalendarDay {
    /// On offence rates (the Crime Survey, the lockdowns).
    pub offending: f64,
    /// On detection (sanction detections, police officers).
    pub detection: f64,
    /// On voluntary treatment entry (treatment funding).
    pub funding: f64,
}

impl CalendarDay {
    fn on(offending: &OffendingRates, treatment: &TreatmentRates, t: f64) -> CalendarDay {
        CalendarDay {
            offending: offending.offending_trend.at(t),
            detection: offending.detection_trend.at(t),
            funding: treatment.funding_trend.at(t),
        }
    }
}

/// One person's simulation state: the event loop's schedule, the decision
/// streams and each stage's slice of the state (declared in the stage's file,
/// written only by its code). A new stage adds its `...State` here and in
/// [`PersonSim::new`].
pub struct PersonSim<'a> {
    pub(crate) m: &'a Model,
    pub(crate) person: Person,
    /// The person's substance group, as an index.
    pub(crate) g: usize,
    /// Now (day number, fractional).
    pub(crate) t: f64,
    pub(crate) events: &'a mut Vec<Event>,
    /// The competing clocks and scheduled days ([`life`]).
    pub(crate) schedule: life::Schedule,
    // Decision streams of the stages (the schemes keep theirs in `SchemeState`).
    pub(crate) arrest_rng: LazyStream,
    pub(crate) court_rng: LazyStream,
    pub(crate) sentencing_rng: LazyStream,
    pub(crate) release_rng: LazyStream,
    pub(crate) waiting_rng: LazyStream,
    pub(crate) recall_rng: LazyStream,
    pub(crate) treatment_rng: LazyStream,
    pub(crate) offending: arrest::OffendingState,
    pub(crate) court: sentencing::CourtState,
    pub(crate) orders: orders::OrderState,
    pub(crate) treatment: treatment::TreatmentState,
    pub(crate) custody: custody::CustodyState,
    pub(crate) mortality: mortality::MortalityState,
    pub(crate) recovery: recovery::RecoveryState,
    pub(crate) schemes: schemes::SchemeState,
}

impl<'a> PersonSim<'a> {
    pub fn new(m: &'a Model, person: Person, seed: u64, events: &'a mut Vec<Event>) -> Self {
        let id = person.id;
        let t = person.entry_day as f64;
        let mut schedule = life::Schedule::new(seed, id, t, &m.refresh_days);
        // The first draw of the crisis stream sets the starting phase; its clock
        // starts from the draws after it, so the two are independent.
        let u: f64 = rand::RngExt::random(schedule.clock_stream(Process::Crisis));
        PersonSim {
            m,
            g: person.substance.index(),
            t,
            events,
            schedule,
            arrest_rng: LazyStream::new(seed, id, Process::ArrestDecisions),
            court_rng: LazyStream::new(seed, id, Process::Court),
            sentencing_rng: LazyStream::new(seed, id, Process::Sentencing),
            release_rng: LazyStream::new(seed, id, Process::Release),
            waiting_rng: LazyStream::new(seed, id, Process::Waiting),
            recall_rng: LazyStream::new(seed, id, Process::RecallDecisions),
            treatment_rng: LazyStream::new(seed, id, Process::TreatmentDecisions),
            offending: arrest::OffendingState::at_entry(&m.offending, &person, u),
            court: sentencing::CourtState::with_priors(person.prior_offences),
            orders: Default::default(),
            treatment: Default::default(),
            custody: Default::default(),
            mortality: Default::default(),
            recovery: Default::default(),
            schemes: schemes::SchemeState::new(seed, id),
            person,
        }
    }
}

/// Declares the event loop's clocks and timers: each row a stage's rate (or
/// scheduled day) and handler. Expands to the processes' streams and to
/// statically dispatched `clock_rates`, `fire_clock`, `timer_days` and
/// `fire_timer`, so the loop pays no indirect call.
macro_rules! schedule {
    (
        clocks { $( $process:ident => |$rs:ident| $rate:expr, |$fs:ident| $fire:expr; )* }
        timers { $( |$ws:ident| $when:expr, |$ts:ident| $tfire:expr; )* }
    ) => {
        /// The stream of each clock, in row order.
        pub(crate) const CLOCK_PROCESS: &[Process] = &[$(Process::$process),*];
        /// How many timers there are.
        pub(crate) const N_TIMERS: usize = [$(stringify!($when)),*].len();

        impl PersonSim<'_> {
            /// Every clock's rate per day, in row order.
            #[inline]
            pub(crate) fn clock_rates(&self) -> [f64; CLOCK_PROCESS.len()] {
                [$({ let $rs = self; $rate }),*]
            }

            /// Clock `k`'s rate per day.
            #[inline]
            pub(crate) fn clock_rate(&self, k: usize) -> f64 {
                let mut i = 0;
                $(
                    if k == i {
                        let $rs = self;
                        return $rate;
                    }
                    i += 1;
                )*
                let _ = i;
                unreachable!("clock {k}");
            }

            /// Carry out what clock `k` does when it fires.
            #[inline]
            pub(crate) fn fire_clock(&mut self, k: usize) {
                let mut i = 0;
                $(
                    if k == i {
                        let $fs = self;
                        $fire;
                        return;
                    }
                    i += 1;
                )*
                let _ = i;
                unreachable!("clock {k}");
            }

            /// Every timer's next day (infinite when nothing is scheduled), in row order.
            #[inline]
            pub(crate) fn timer_days(&self) -> [f64; N_TIMERS] {
                [$({ let $ws = self; $when }),*]
            }

            /// Carry out timer `k`.
            #[inline]
            pub(crate) fn fire_timer(&mut self, k: usize) {
                let mut i = 0;
                $(
                    if k == i {
                        let $ts = self;
                        $tfire;
                        return;
                    }
                    i += 1;
                )*
                let _ = i;
                unreachable!("timer {k}");
            }
        }
    };
}

// The clocks the event loop runs (a competing process with its own exponential
// clock and random stream: rate per day, 0 = off; handler), then the timers (a
// day a stage knows in advance; handler), considered after the calendar
// refreshes and age bands. On a tie the earlier row goes first. A stage with a
// clock adds one row here and a `Process` in `src/rng.rs` for its stream; a
// stage with a scheduled day adds one timer row.
schedule! {
    clocks {
        Offending => |s| s.arrest_rate(), |s| s.on_arrest();
        Crisis => |s| s.crisis_rate(), |s| s.on_crisis_switch();
        TreatmentEntry => |s| s.entry_rate(), |s| s.request_treatment(Route::Voluntary);
        TreatmentExit => |s| s.dropout_rate(), |s| s.on_dropout();
        TreatmentCompletion => |s| s.completion_rate(), |s| s.on_completion();
        Orders => |s| s.breach_rate(), |s| s.on_breach();
        Death => |s| s.other_cause_death_rate(), |s| s.on_death(DeathCause::Other);
        DrugPoisoning => |s| s.poisoning_death_rate(), |s| s.on_death(DeathCause::DrugPoisoning);
        Desistance => |s| s.desistance_rate(), |s| s.on_desistance();
        Recall => |s| s.recall_rate(), |s| s.on_recall();
        Recovery => |s| s.recovery_rate(), |s| s.on_recovery();
    }
    timers {
        // The dropout hazard changes at 3 and 12 months in treatment: nothing
        // else happens, the rates are recomputed.
        |s| s.next_phase_boundary(), |_s| {};
        |s| s.orders.end, |s| s.on_order_end();
        |s| s.custody.release_day, |s| s.on_release();
        // The death rates change with weeks since release and since leaving OST.
        |s| s.next_mortality_change(), |_s| {};
        |s| s.treatment.pending, |s| s.on_pending_treatment();
        |s| s.scheme_effect_end(), |s| s.end_scheme_effect();
        |s| s.next_conviction(), |s| s.on_next_conviction();
        // Licence ends at the sentence's end: the recall rate falls to zero.
        |s| s.licence_end(), |_s| {};
        // The effect after a completion steps down a year at a time.
        |s| s.next_completion_effect_step(), |_s| {};
    }
}

impl PersonSim<'_> {
    /// After every event and the rates' update: what stages note about the new
    /// state (the offence rate, for counting offences).
    #[inline]
    pub(crate) fn after_event(&mut self) {
        self.record_offending_rate();
    }
}

/// Hooks: the factors by which one stage (or a scheme, or a lever) changes
/// another stage's rate. Each rate function multiplies in its hook; a new effect
/// on a rate is one factor here, so no stage edits another's rate function.
impl PersonSim<'_> {
    /// On the arrest rate (`arrest_rate`): a scheme's effect while it lasts, a
    /// drug-court order, an intensively managed episode.
    #[inline]
    pub(crate) fn offending_hook(&self) -> f64 {
        self.scheme_offending_mult()
    }

    /// On the treatment dropout hazard (`dropout_rate`): intensive management.
    #[inline]
    pub(crate) fn dropout_hook(&self) -> f64 {
        self.scheme_dropout_mult()
    }

    /// On the excess drug-poisoning death rate after release
    /// (`poisoning_death_rate`): treatment in prison at the last reception.
    #[inline]
    pub(crate) fn release_death_hook(&self) -> f64 {
        self.schemes.release_death_mult
    }
}

parameters! {
    /// What to run: scale, replicates, seed and the time window.
    pub struct RunParams in "run" {
        seed: u64 = 20_261_124, "integer", 0.0, INF,
            "assumption: any seed; fixes every random stream";
        replicates: u32 = 10, "runs", 1.0, 100_000.0,
            "assumption: 10 gives intervals in under a minute";
        /// Real people per simulated person (1 = full England and Wales size).
        scale: f64 = 20.0, "real people per simulated person", 0.01, 1e6,
            "assumption: 20 keeps the baseline under a minute";
        /// Start of the burn-in: the simulation clock starts here.
        start: Date = (1975, 1, 1), "date", 0.0, 0.0,
            "assumption: a 25-year burn-in before the first study year, from before the heroin epidemic's rise (data/calendar/heroin_initiation.csv), long enough that careers, ages and the people who used drugs are settled by 2000 (docs/model.md 3.1)";
        /// First year reported in outputs (years before are burn-in).
        observe_from: i32 = 1990, "year", 1950.0, 2200.0,
            "assumption: ten years of the warm-up shown before the first study year (DTTO pilots, 2000)";
        /// End of the simulation (exclusive).
        horizon: Date = (2036, 1, 1), "date", 0.0, 0.0,
            "assumption: projections to 2035 inclusive";
    }
}

impl RunParams {
    /// The last calendar year the run simulates (the year of the horizon's
    /// day before).
    pub fn last_year(&self) -> i32 {
        crate::calendar::civil_from_days(self.horizon.day() - 1).0
    }
}

/// Hand-built people and models for the stages' known-answer tests.
#[cfg(test)]
pub(crate) mod testkit {
    use super::{Model, Params, PersonSim};
    use crate::calendar::{Date, DAYS_PER_YEAR};
    use crate::history::{Event, Person, Substance};

    /// The baseline's compiled model.
    pub fn model() -> Model {
        Model::new(&crate::params::baseline())
    }

    /// A model of the baseline with `edit` applied to its parameters.
    pub fn model_with(edit: impl FnOnce(&mut Params)) -> Model {
        let mut p = crate::params::baseline();
        edit(&mut p);
        Model::new(&p)
    }

    /// Someone of `substance`, aged `age` years on 2010-01-01, entering then, with
    /// propensity 1 and no housing or mental health need.
    pub fn person(substance: Substance, age: f64) -> Person {
        let entry = Date::ymd(2010, 1, 1).day();
        Person {
            id: 1,
            substance,
            male: true,
            birth_day: entry - (age * DAYS_PER_YEAR).ceil() as i32,
            entry_day: entry,
            exit_day: entry,
            propensity: 1.0,
            risk_score: 50,
            unstable_housing: false,
            mental_health: false,
            prior_offences: 0,
            offends: true,
        }
    }

    /// The person's simulation state at entry (age multipliers set).
    pub fn sim<'a>(m: &'a Model, p: Person, events: &'a mut Vec<Event>) -> PersonSim<'a> {
        let mut s = PersonSim::new(m, p, 20_261_124, events);
        s.refresh_age();
        s
    }
}

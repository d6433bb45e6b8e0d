//! One person's life course, simulated event by event in continuous time.
//!
//! The method is Anderson's modified next-reaction method: every competing
//! process (arrest, crisis onset or recovery, voluntary treatment entry, dropout,
//! completion, order breach, death, desistance) has its own exponential clock fed
//! by its own random stream. Rates are piecewise constant between events and
//! scheduled changes (age bands, lever start dates, treatment phase boundaries,
//! release windows), so
//! the simulation is exact, and changing one process's rate leaves the draws of
//! every other process as they were (common random numbers).
//!
//! Order of work at each step:
//! 1. find the earliest of the clocks' next firings and the scheduled times;
//! 2. advance every clock's internal time by rate x elapsed time;
//! 3. carry out the event (pathway modules under `crate::pathway`), recording it;
//! 4. recompute every rate from the new state.

use super::model::Model;
use crate::calendar::DAYS_PER_YEAR;
use crate::history::{CustodyKind, Event, EventKind, OrderKind, Person, Route};
use crate::rng::{LazyStream, Process, Stream};
use rand_distr::{Distribution, Exp1};

/// Indices of the exponential clocks.
pub(crate) const ARREST: usize = 0;
pub(crate) const CRISIS: usize = 1;
pub(crate) const ENTRY: usize = 2;
pub(crate) const DROPOUT: usize = 3;
pub(crate) const COMPLETION: usize = 4;
pub(crate) const BREACH: usize = 5;
pub(crate) const DEATH: usize = 6;
pub(crate) const DESIST: usize = 7;
const N_CLOCKS: usize = 8;

const CLOCK_PROCESS: [Process; N_CLOCKS] = [
    Process::Offending,
    Process::Crisis,
    Process::TreatmentEntry,
    Process::TreatmentExit,
    Process::TreatmentCompletion,
    Process::Orders,
    Process::Death,
    Process::Desistance,
];

/// Maximum court cases awaiting conviction at once; an arrest while this many
/// are pending leads to no further case (rare: it needs 8 open cases).
const MAX_PENDING: usize = 8;

/// What happens next.
#[derive(Clone, Copy, Debug)]
enum Next {
    Clock(usize),
    Refresh,
    AgeBand,
    PhaseBoundary,
    OrderEnd,
    Release,
    RiskWindowEnd,
    TreatmentStart,
    Conviction(usize),
    EffectEnd,
    Horizon,
}

/// The state of one person during simulation.
pub struct PersonSim<'a> {
    pub(crate) m: &'a Model,
    pub(crate) person: Person,
    pub(crate) g: usize,
    pub(crate) t: f64,
    pub(crate) events: &'a mut Vec<Event>,
    // clocks
    clock_rng: [LazyStream; N_CLOCKS],
    /// Internal (unit-rate) time each clock had consumed at `since[k]`.
    internal: [f64; N_CLOCKS],
    since: [f64; N_CLOCKS],
    /// Internal time at which each clock next fires.
    next_fire: [f64; N_CLOCKS],
    /// Calendar time of each clock's next firing at its current rate.
    next_time: [f64; N_CLOCKS],
    pub(crate) rate: [f64; N_CLOCKS],
    // decision streams
    pub(crate) arrest_rng: LazyStream,
    pub(crate) court_rng: LazyStream,
    pub(crate) sentencing_rng: LazyStream,
    pub(crate) release_rng: LazyStream,
    pub(crate) caution_rng: LazyStream,
    pub(crate) diversion_rng: LazyStream,
    pub(crate) bail_rng: LazyStream,
    pub(crate) intensive_rng: LazyStream,
    pub(crate) assessment_rng: LazyStream,
    pub(crate) court_scheme_rng: LazyStream,
    pub(crate) prison_rng: LazyStream,
    pub(crate) waiting_rng: LazyStream,
    // state
    pub(crate) crisis: bool,
    pub(crate) person_mult: f64,
    pub(crate) age_mult: f64,
    pub(crate) desist_age_mult: f64,
    pub(crate) death_age_mult: f64,
    refresh_idx: usize,
    /// Day the person moves into the next age band.
    next_age_band: f64,
    pub(crate) in_custody: bool,
    pub(crate) release_day: f64,
    pub(crate) order: Option<OrderKind>,
    pub(crate) order_end: f64,
    pub(crate) treatment: Option<Route>,
    pub(crate) treatment_start: f64,
    pub(crate) completed_ever: bool,
    pub(crate) risk_until: f64,
    pub(crate) pending_treatment: f64,
    pub(crate) pending_route: Route,
    pub(crate) pending: [(f64, f64); MAX_PENDING],
    pub(crate) n_pending: usize,
    pub(crate) priors: u32,
    pub(crate) alive: bool,
    pub(crate) active: bool,
    // intervention schemes (src/pathway/schemes.rs)
    /// Arrest-rate multiplier of a scheme's effect, until `effect_until`.
    pub(crate) effect_mult: f64,
    pub(crate) effect_until: f64,
    /// Breach and arrest multipliers of the current order (drug court, low intensity).
    pub(crate) order_breach_mult: f64,
    pub(crate) order_offending_mult: f64,
    /// Days of the last positive tests on arrest (most recent first).
    pub(crate) positive_tests: [f64; 3],
    /// The pending treatment start comes from the intensive partnership.
    pub(crate) intensive_pending: bool,
    /// The open episode is managed by the intensive partnership.
    pub(crate) intensive_episode: bool,
    /// Set at reception, used at release: post-release death multiplier,
    /// continuity-of-care multiplier, and a programme's effect (multiplier, days).
    pub(crate) release_death_mult: f64,
    pub(crate) continuity_mult: f64,
    pub(crate) programme_effect: (f64, f64),
    /// Where the pending treatment start stands with the waiting list.
    pub(crate) waiting: crate::pathway::schemes::Waiting,
    pub(crate) waiting_since: f64,
}

impl<'a> PersonSim<'a> {
    pub fn new(m: &'a Model, person: Person, seed: u64, events: &'a mut Vec<Event>) -> Self {
        let id = person.id;
        let mut clock_rng = CLOCK_PROCESS.map(|p| LazyStream::new(seed, id, p));
        let g = person.substance.index();
        // Start in the stationary mix of stable and crisis phases.
        let onset = m.offending.crisis_onset[g];
        let p_crisis = if onset + m.offending.crisis_recovery > 0.0 {
            onset / (onset + m.offending.crisis_recovery)
        } else {
            0.0
        };
        // The first draw of the crisis stream sets the starting phase; its clock
        // starts from the draws after it, so the two are independent.
        let u: f64 = rand::RngExt::random(clock_rng[CRISIS].get());
        let t = person.entry_day as f64;
        let refresh_idx = m.refresh_days.partition_point(|&d| d <= t);
        PersonSim {
            m,
            person,
            g,
            t,
            events,
            clock_rng,
            internal: [0.0; N_CLOCKS],
            since: [t; N_CLOCKS],
            // Each clock's first firing is drawn when its rate first turns positive.
            next_fire: [f64::NAN; N_CLOCKS],
            next_time: [f64::INFINITY; N_CLOCKS],
            rate: [0.0; N_CLOCKS],
            arrest_rng: LazyStream::new(seed, id, Process::ArrestDecisions),
            court_rng: LazyStream::new(seed, id, Process::Court),
            sentencing_rng: LazyStream::new(seed, id, Process::Sentencing),
            release_rng: LazyStream::new(seed, id, Process::Release),
            caution_rng: LazyStream::new(seed, id, Process::Schemes),
            diversion_rng: LazyStream::new(seed, id, Process::Diversion),
            bail_rng: LazyStream::new(seed, id, Process::Bail),
            intensive_rng: LazyStream::new(seed, id, Process::Intensive),
            assessment_rng: LazyStream::new(seed, id, Process::AssessmentFailure),
            court_scheme_rng: LazyStream::new(seed, id, Process::CourtSchemes),
            prison_rng: LazyStream::new(seed, id, Process::Prison),
            waiting_rng: LazyStream::new(seed, id, Process::Waiting),
            crisis: u < p_crisis,
            person_mult: person.propensity as f64
                * if person.unstable_housing {
                    m.offending.housing_mult
                } else {
                    1.0
                }
                * if person.mental_health {
                    m.offending.mental_health_mult
                } else {
                    1.0
                },
            age_mult: 1.0,
            desist_age_mult: 1.0,
            death_age_mult: 1.0,
            refresh_idx,
            next_age_band: f64::INFINITY,
            in_custody: false,
            release_day: f64::INFINITY,
            order: None,
            order_end: f64::INFINITY,
            treatment: None,
            treatment_start: 0.0,
            completed_ever: false,
            risk_until: f64::NEG_INFINITY,
            pending_treatment: f64::INFINITY,
            pending_route: Route::Voluntary,
            pending: [(f64::INFINITY, 0.0); MAX_PENDING],
            n_pending: 0,
            priors: 0,
            alive: true,
            active: true,
            effect_mult: 1.0,
            effect_until: f64::NEG_INFINITY,
            order_breach_mult: 1.0,
            order_offending_mult: 1.0,
            positive_tests: [f64::NEG_INFINITY; 3],
            intensive_pending: false,
            intensive_episode: false,
            release_death_mult: 1.0,
            continuity_mult: 1.0,
            programme_effect: (1.0, 0.0),
            waiting: crate::pathway::schemes::Waiting::No,
            waiting_since: 0.0,
        }
    }

    /// Record an event on the current day.
    #[inline]
    pub(crate) fn record(&mut self, kind: EventKind, detail: u8, extra: u16) {
        self.events
            .push(Event::new(self.t as i32, kind, detail, extra));
    }

    /// An exponential waiting time with the given mean, from a decision stream.
    #[inline]
    pub(crate) fn exp_days(rng: &mut LazyStream, mean: f64) -> f64 {
        let rng: &mut Stream = rng.get();
        let e: f64 = Exp1.sample(rng);
        e * mean
    }

    /// Age-dependent multipliers, constant within 5-year age bands.
    fn refresh_age(&mut self) {
        use super::model::{AGE_BAND_YEARS, N_AGE_BANDS};
        let birth = self.person.birth_day as f64;
        let age = ((self.t - birth) / DAYS_PER_YEAR).max(0.0);
        let mut band = (age / AGE_BAND_YEARS) as usize;
        // Rounding can leave us a hair short of the boundary we were scheduled at.
        let band_start = birth + (band + 1) as f64 * AGE_BAND_YEARS * DAYS_PER_YEAR;
        if band_start <= self.t + 1e-7 {
            band += 1;
        }
        let band = band.min(N_AGE_BANDS - 1);
        let m = self.m;
        self.age_mult = m.offending.age_offending[band];
        self.desist_age_mult = m.offending.age_desistance[band];
        self.death_age_mult = m.mortality.age_death[band];
        self.next_age_band = if band + 1 < N_AGE_BANDS {
            birth + (band + 1) as f64 * AGE_BAND_YEARS * DAYS_PER_YEAR
        } else {
            f64::INFINITY
        };
    }

    /// Recompute every clock's rate from the state; a clock whose rate changed
    /// banks the internal time it consumed and gets a new next firing time.
    fn update_rates(&mut self) {
        let new = [
            self.arrest_rate(),
            self.crisis_rate(),
            self.entry_rate(),
            self.dropout_rate(),
            self.completion_rate(),
            self.breach_rate(),
            self.death_rate(),
            self.desistance_rate(),
        ];
        let t = self.t;
        for (k, &rate) in new.iter().enumerate() {
            if rate != self.rate[k] {
                if self.next_fire[k].is_nan() {
                    self.next_fire[k] = Exp1.sample(self.clock_rng[k].get());
                }
                self.internal[k] += self.rate[k] * (t - self.since[k]);
                self.since[k] = t;
                self.rate[k] = rate;
                self.next_time[k] = if rate > 0.0 {
                    t + (self.next_fire[k] - self.internal[k]) / rate
                } else {
                    f64::INFINITY
                };
            }
        }
    }

    /// Simulate to death, desistance or the horizon; returns the last day.
    pub fn run(mut self) -> i32 {
        self.record(EventKind::CareerStart, self.person.substance as u8, 0);
        self.refresh_age();
        self.update_rates();
        while self.alive && self.active {
            let (when, next) = self.next_event();
            self.t = when;
            match next {
                Next::Clock(k) => {
                    self.internal[k] = self.next_fire[k];
                    self.since[k] = when;
                    let e: f64 = Exp1.sample(self.clock_rng[k].get());
                    self.next_fire[k] += e;
                    self.next_time[k] = when + e / self.rate[k];
                    match k {
                        ARREST => self.on_arrest(),
                        CRISIS => self.crisis = !self.crisis,
                        ENTRY => self.request_treatment(Route::Voluntary),
                        DROPOUT => self.on_dropout(),
                        COMPLETION => self.on_completion(),
                        BREACH => self.on_breach(),
                        DEATH => self.on_death(),
                        DESIST => self.on_desistance(),
                        _ => unreachable!(),
                    }
                }
                Next::Refresh => self.refresh_idx += 1,
                Next::AgeBand => self.refresh_age(),
                Next::PhaseBoundary => {}
                Next::OrderEnd => self.on_order_end(),
                Next::Release => self.on_release(),
                Next::RiskWindowEnd => self.risk_until = f64::NEG_INFINITY,
                Next::TreatmentStart => self.on_pending_treatment(),
                Next::EffectEnd => self.effect_until = f64::NEG_INFINITY,
                Next::Conviction(i) => {
                    let (_, offence_day) = self.pending[i];
                    self.n_pending -= 1;
                    self.pending[i] = self.pending[self.n_pending];
                    self.pending[self.n_pending] = (f64::INFINITY, 0.0);
                    self.on_conviction(offence_day);
                }
                Next::Horizon => break,
            }
            self.update_rates();
        }
        (self.t as i32).min(self.m.horizon_day as i32 - 1)
    }

    fn next_event(&self) -> (f64, Next) {
        let mut best = self.m.horizon_day;
        let mut next = Next::Horizon;
        for k in 0..N_CLOCKS {
            if self.next_time[k] < best {
                best = self.next_time[k];
                next = Next::Clock(k);
            }
        }
        let mut consider = |when: f64, what: Next| {
            if when < best {
                best = when;
                next = what;
            }
        };
        if let Some(&d) = self.m.refresh_days.get(self.refresh_idx) {
            consider(d, Next::Refresh);
        }
        consider(self.next_age_band, Next::AgeBand);
        if self.treatment.is_some() {
            consider(self.next_phase_boundary(), Next::PhaseBoundary);
        }
        consider(self.order_end, Next::OrderEnd);
        consider(self.release_day, Next::Release);
        if self.risk_until > self.t {
            consider(self.risk_until, Next::RiskWindowEnd);
        }
        consider(self.pending_treatment, Next::TreatmentStart);
        if self.effect_until > self.t {
            consider(self.effect_until, Next::EffectEnd);
        }
        for i in 0..self.n_pending {
            consider(self.pending[i].0, Next::Conviction(i));
        }
        (best.max(self.t), next)
    }

    /// Add a court case for an offence on day `offence_day`, convicted on `due`.
    pub(crate) fn add_case(&mut self, due: f64, offence_day: f64) {
        if self.n_pending < MAX_PENDING {
            self.pending[self.n_pending] = (due, offence_day);
            self.n_pending += 1;
        }
    }

    /// Enter custody: ends any treatment episode and order, cancels pending treatment.
    pub(crate) fn enter_custody(&mut self, kind: CustodyKind) {
        self.end_treatment(crate::history::TreatmentExit::Custody);
        if let Some(k) = self.order.take() {
            self.order_end = f64::INFINITY;
            self.record(
                EventKind::OrderEnd,
                k as u8,
                crate::history::OrderOutcome::Custody as u16,
            );
        }
        self.pending_treatment = f64::INFINITY;
        self.intensive_pending = false;
        self.waiting = crate::pathway::schemes::Waiting::No;
        self.in_custody = true;
        self.crisis = false;
        self.record(EventKind::CustodyStart, kind as u8, 0);
        let u: f64 = rand::RngExt::random(self.sentencing_rng.get());
        let days = self.m.custody.days_mean[kind as usize] * (0.5 + u);
        self.release_day = self.t + days;
        self.prison_reception(days);
    }
}

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

use super::Model;
use crate::calendar::DAYS_PER_YEAR;
use crate::history::{Event, EventKind, Person, Route};
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
    refresh_idx: usize,
    /// Day the person moves into the next age band.
    next_age_band: f64,
    // Each stage's slice of the person's state, declared in the stage's file.
    pub(crate) offending: super::arrest::OffendingState,
    pub(crate) court: super::sentencing::CourtState,
    pub(crate) orders: super::orders::OrderState,
    pub(crate) treatment: super::treatment::TreatmentState,
    pub(crate) custody: super::custody::CustodyState,
    pub(crate) mortality: super::mortality::MortalityState,
    pub(crate) schemes: super::schemes::SchemeState,
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
            refresh_idx,
            next_age_band: f64::INFINITY,
            offending: super::arrest::OffendingState::new(
                u < p_crisis,
                person.propensity as f64
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
            ),
            court: super::sentencing::CourtState::default(),
            orders: super::orders::OrderState::default(),
            treatment: super::treatment::TreatmentState::default(),
            custody: super::custody::CustodyState::default(),
            mortality: super::mortality::MortalityState::default(),
            schemes: super::schemes::SchemeState::default(),
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
    pub(crate) fn refresh_age(&mut self) {
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
        self.offending.set_age_band(&m.offending, band);
        self.mortality.set_age_band(&m.mortality, band);
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
        while self.mortality.alive && self.offending.active {
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
                        CRISIS => self.on_crisis_switch(),
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
                Next::RiskWindowEnd => self.close_release_window(),
                Next::TreatmentStart => self.on_pending_treatment(),
                Next::EffectEnd => self.end_scheme_effect(),
                Next::Conviction(i) => {
                    let offence_day = self.close_case(i);
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
        if self.treatment.episode.is_some() {
            consider(self.next_phase_boundary(), Next::PhaseBoundary);
        }
        consider(self.orders.end, Next::OrderEnd);
        consider(self.custody.release_day, Next::Release);
        if self.mortality.risk_until > self.t {
            consider(self.mortality.risk_until, Next::RiskWindowEnd);
        }
        consider(self.treatment.pending, Next::TreatmentStart);
        if self.schemes.effect_until > self.t {
            consider(self.schemes.effect_until, Next::EffectEnd);
        }
        for i in 0..self.court.n_cases {
            consider(self.court.cases[i].0, Next::Conviction(i));
        }
        (best.max(self.t), next)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit;
    use crate::calendar::{Date, DAYS_PER_YEAR};
    use crate::history::{EventKind, Substance};

    /// With every process off but death, and the death rate constant over the
    /// year (one age band, a long doubling time), the share dying within a year
    /// is 1 - exp(-rate x 1 year): the next-reaction kernel against its analytic
    /// answer.
    #[test]
    fn a_lone_constant_hazard_gives_the_exponential_waiting_time() {
        let m = testkit::model_with(|p| {
            p.run.start = Date::ymd(2010, 1, 1);
            p.run.horizon = Date::ymd(2011, 1, 1);
            p.offending.arrest_rate.none = 0.0;
            p.offending.crisis_onset_rate.none = 0.0;
            p.offending.desistance_rate.none = 0.0;
            p.treatment.voluntary_entry_rate.none = 0.0;
            p.mortality.base_rate_age25 = 0.5;
            p.mortality.age_doubling_years = 100.0;
        });
        // Aged 26: band 25-30 all year, so the rate is base x 2^((27.5 - 25)/100) x 1.5.
        let rate = 0.5 * ((27.5_f64 - 25.0) / 100.0).exp2() * 1.5;
        let days = Date::ymd(2011, 1, 1).as_f64() - Date::ymd(2010, 1, 1).as_f64();
        let expected = 1.0 - (-rate * days / DAYS_PER_YEAR).exp();
        let n = 20_000;
        let mut died = 0;
        for id in 0..n {
            let mut p = testkit::person(Substance::None, 26.0);
            p.id = id;
            let mut events = Vec::new();
            super::PersonSim::new(&m, p, 99, &mut events).run();
            died += events.iter().any(|e| e.kind == EventKind::Death) as u32;
            assert!(
                events
                    .iter()
                    .all(|e| !matches!(e.kind, EventKind::Arrest | EventKind::TreatmentStart)),
                "only death can happen"
            );
        }
        let share = died as f64 / n as f64;
        let se = (expected * (1.0 - expected) / n as f64).sqrt();
        assert!(
            (share - expected).abs() < 4.0 * se,
            "died {share:.4}, expected {expected:.4} (se {se:.4})"
        );
    }

    #[test]
    fn age_bands_change_on_the_birthday_that_starts_them() {
        let m = testkit::model();
        let mut events = Vec::new();
        let s = testkit::sim(&m, testkit::person(Substance::None, 29.5), &mut events);
        // Band 25-30 now; the next band starts at the 30th birthday.
        assert_eq!(s.offending.age_mult, m.offending.age_offending[5]);
        let birth = s.person.birth_day as f64;
        assert!((s.next_age_band - (birth + 30.0 * DAYS_PER_YEAR)).abs() < 1e-9);
    }
}

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

use super::{Model, PersonSim, CLOCK_PROCESS};
use crate::calendar::DAYS_PER_YEAR;
use crate::history::{Event, EventKind};
use crate::rng::{LazyStream, Process, Stream};
use rand_distr::{Distribution, Exp1};

/// How many clocks `pathway/mod.rs` registers.
const N_CLOCKS: usize = CLOCK_PROCESS.len();

/// The clocks whose rates the calendar moves: arrest (offending and
/// detection), voluntary treatment entry (funding, the access lever) and
/// dropout (the retention lever). A rate that reads the calendar or a lever's
/// start date is listed here, or its change would wait for the next event.
const CALENDAR_CLOCKS: [Process; 3] = [
    Process::Offending,
    Process::TreatmentEntry,
    Process::TreatmentExit,
];

/// Their rows in [`CLOCK_PROCESS`].
const CALENDAR_CLOCK_INDEX: [usize; CALENDAR_CLOCKS.len()] = {
    let mut out = [0; CALENDAR_CLOCKS.len()];
    let mut i = 0;
    while i < out.len() {
        let mut k = 0;
        while CLOCK_PROCESS[k] as u64 != CALENDAR_CLOCKS[i] as u64 {
            k += 1;
        }
        out[i] = k;
        i += 1;
    }
    out
};

/// What happens next.
#[derive(Clone, Copy, Debug)]
enum Next {
    Clock(usize),
    Refresh,
    AgeBand,
    Timer(usize),
    Horizon,
}

/// The event loop's own state: the clocks, the calendar refreshes and the next
/// age band. No stage reads or writes it.
#[derive(Clone)]
pub struct Schedule {
    clock_rng: [LazyStream; N_CLOCKS],
    /// Internal (unit-rate) time each clock had consumed at `since[k]`.
    internal: [f64; N_CLOCKS],
    since: [f64; N_CLOCKS],
    /// Internal time at which each clock next fires.
    next_fire: [f64; N_CLOCKS],
    /// Calendar time of each clock's next firing at its current rate.
    next_time: [f64; N_CLOCKS],
    rate: [f64; N_CLOCKS],
    refresh_idx: usize,
    /// Day the person moves into the next age band.
    next_age_band: f64,
    /// The earliest timer (day, row), kept from the last event: a refresh day
    /// changes no timer, so the loop need not ask every stage again.
    next_timer: Option<(f64, usize)>,
}

impl Schedule {
    /// Every clock off, its first firing drawn when its rate first turns positive.
    pub(crate) fn new(seed: u64, id: u64, t: f64, refresh_days: &[f64]) -> Schedule {
        Schedule {
            clock_rng: std::array::from_fn(|k| LazyStream::new(seed, id, CLOCK_PROCESS[k])),
            internal: [0.0; N_CLOCKS],
            since: [t; N_CLOCKS],
            next_fire: [f64::NAN; N_CLOCKS],
            next_time: [f64::INFINITY; N_CLOCKS],
            rate: [0.0; N_CLOCKS],
            refresh_idx: refresh_days.partition_point(|&d| d <= t),
            next_timer: None,
            next_age_band: f64::INFINITY,
        }
    }

    /// The stream of the clock driven by `process`, for a draw a stage takes
    /// before the clock starts (the crisis phase at entry).
    pub(crate) fn clock_stream(&mut self, process: Process) -> &mut Stream {
        let k = CLOCK_PROCESS
            .iter()
            .position(|&p| p == process)
            .expect("a registered clock");
        self.clock_rng[k].get()
    }
}

impl PersonSim<'_> {
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
        self.schedule.next_age_band = if band + 1 < N_AGE_BANDS {
            birth + (band + 1) as f64 * AGE_BAND_YEARS * DAYS_PER_YEAR
        } else {
            f64::INFINITY
        };
    }

    /// The calendar inputs' multipliers in force today, into the stages' states
    /// (at the start; refresh days use the model's table).
    fn set_calendar(&mut self, today: &super::CalendarDay) {
        self.offending.set_calendar(today);
        self.treatment.set_calendar(today);
    }

    /// Recompute every clock's rate from the state.
    fn update_rates(&mut self) {
        let new = self.clock_rates();
        for (k, &rate) in new.iter().enumerate() {
            self.set_clock_rate(k, rate);
        }
    }

    /// On a refresh day only the calendar's clocks can change rate
    /// ([`CALENDAR_CLOCKS`]); every other rate is a function of the state and
    /// of days that have their own timers.
    fn update_calendar_rates(&mut self) {
        for k in CALENDAR_CLOCK_INDEX {
            let rate = self.clock_rate(k);
            self.set_clock_rate(k, rate);
        }
        #[cfg(test)]
        if self.m.check_refreshes {
            let all = self.clock_rates();
            assert_eq!(all, self.schedule.rate, "a rate moved on a refresh day");
            let timer = self.earliest_timer();
            assert_eq!(self.schedule.next_timer, Some(timer), "a timer moved");
        }
    }

    /// A clock whose rate changed banks the internal time it consumed and gets
    /// a new next firing time.
    #[inline]
    fn set_clock_rate(&mut self, k: usize, rate: f64) {
        let t = self.t;
        let c = &mut self.schedule;
        if rate != c.rate[k] {
            if c.next_fire[k].is_nan() {
                c.next_fire[k] = Exp1.sample(c.clock_rng[k].get());
            }
            c.internal[k] += c.rate[k] * (t - c.since[k]);
            c.since[k] = t;
            c.rate[k] = rate;
            c.next_time[k] = if rate > 0.0 {
                t + (c.next_fire[k] - c.internal[k]) / rate
            } else {
                f64::INFINITY
            };
        }
    }

    /// Simulate to death, desistance or the horizon; returns the last day.
    pub fn run(mut self) -> i32 {
        self.begin();
        self.advance(f64::INFINITY);
        self.last_day()
    }

    /// The career's start: its first event, the age band, the calendar and
    /// every rate.
    pub fn begin(&mut self) {
        self.record(EventKind::CareerStart, self.person.substance as u8, 0);
        self.refresh_age();
        let today = self.m.calendar_on(self.t);
        self.set_calendar(&today);
        self.update_rates();
        self.after_event();
    }

    /// Carry out every event before day `until` (all of them when infinite),
    /// leaving the next one untouched; true when the life is over (death,
    /// or the horizon reached).
    pub fn advance(&mut self, until: f64) -> bool {
        while self.mortality.alive {
            if self.schedule.next_timer.is_none() {
                self.schedule.next_timer = Some(self.earliest_timer());
            }
            let (when, next) = self.next_event();
            if when >= until {
                return false;
            }
            self.t = when;
            match next {
                Next::Clock(k) => {
                    let c = &mut self.schedule;
                    c.internal[k] = c.next_fire[k];
                    c.since[k] = when;
                    let e: f64 = Exp1.sample(c.clock_rng[k].get());
                    c.next_fire[k] += e;
                    c.next_time[k] = when + e / c.rate[k];
                    self.fire_clock(k);
                }
                Next::Refresh => {
                    let m = self.m;
                    self.set_calendar(&m.refresh_calendar[self.schedule.refresh_idx]);
                    self.schedule.refresh_idx += 1;
                    // A timer due within a hair of the refresh may read the
                    // day itself (the weeks since release): take the full step.
                    let timer = self.schedule.next_timer.map_or(f64::INFINITY, |x| x.0);
                    if timer > when + 10.0 * super::model::EPS {
                        self.update_calendar_rates();
                        self.after_event();
                        continue;
                    }
                }
                Next::AgeBand => self.refresh_age(),
                Next::Timer(i) => self.fire_timer(i),
                Next::Horizon => return true,
            }
            self.schedule.next_timer = None;
            self.update_rates();
            self.after_event();
        }
        true
    }

    /// The last day of the simulated life (death, or the day before the horizon).
    pub fn last_day(&self) -> i32 {
        (self.t as i32).min(self.m.horizon_day as i32 - 1)
    }

    /// The events recorded from index `start` of the history on.
    pub fn recorded_since(&self, start: usize) -> &[Event] {
        &self.events[start..]
    }

    /// A copy of this person's state, random streams included, that continues
    /// under model `m` into `events` (which already hold this history): a
    /// shared prefix ([`crate::engine::run_paired_with`]). Exactly the state a
    /// run under `m` alone would have if `m` behaves as this model does before
    /// day `from`, and the events so far all came before it.
    pub fn fork<'b>(&self, m: &'b Model, events: &'b mut Vec<Event>, from: f64) -> PersonSim<'b> {
        let mut schedule = self.schedule.clone();
        // Every refresh day before `from` is behind us; those of `m` on or
        // after it (a lever's start) are still to come.
        schedule.refresh_idx = m.refresh_days.partition_point(|&d| d < from);
        PersonSim {
            m,
            person: self.person,
            g: self.g,
            t: self.t,
            events,
            schedule,
            arrest_rng: self.arrest_rng.clone(),
            court_rng: self.court_rng.clone(),
            sentencing_rng: self.sentencing_rng.clone(),
            release_rng: self.release_rng.clone(),
            waiting_rng: self.waiting_rng.clone(),
            recall_rng: self.recall_rng.clone(),
            treatment_rng: self.treatment_rng.clone(),
            offending: self.offending.clone(),
            court: self.court.clone(),
            orders: self.orders.clone(),
            treatment: self.treatment.clone(),
            custody: self.custody.clone(),
            mortality: self.mortality.clone(),
            recovery: self.recovery.clone(),
            schemes: self.schemes.clone(),
        }
    }

    /// The earliest clock firing or scheduled day; on a tie the clock (or
    /// timer) registered first goes first.
    fn next_event(&self) -> (f64, Next) {
        let mut best = self.m.horizon_day;
        let mut next = Next::Horizon;
        let c = &self.schedule;
        for k in 0..N_CLOCKS {
            if c.next_time[k] < best {
                best = c.next_time[k];
                next = Next::Clock(k);
            }
        }
        let mut consider = |when: f64, what: Next| {
            if when < best {
                best = when;
                next = what;
            }
        };
        if let Some(&d) = self.m.refresh_days.get(c.refresh_idx) {
            consider(d, Next::Refresh);
        }
        consider(c.next_age_band, Next::AgeBand);
        if let Some((when, i)) = c.next_timer {
            consider(when, Next::Timer(i));
        }
        (best.max(self.t), next)
    }

    /// The earliest timer and its row (the first on a tie), asked of every
    /// stage.
    fn earliest_timer(&self) -> (f64, usize) {
        let mut best = (f64::INFINITY, usize::MAX);
        for (i, when) in self.timer_days().into_iter().enumerate() {
            if when < best.0 {
                best = (when, i);
            }
        }
        best
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
            p.offending.offence_rate.none = 0.0;
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

    /// The refresh day's shortcut (only the calendar's clocks recomputed) is
    /// exact only if no other rate moves on a refresh day: checked at every
    /// refresh of a sample of people in every shipped scenario (and the timers
    /// kept from the last event are the ones the stages give now), each lever and
    /// scheme on as the scenario sets it.
    #[test]
    fn only_the_calendar_clocks_move_on_a_refresh_day() {
        use crate::pathway::population::Roster;
        let mut checked = 0;
        for entry in std::fs::read_dir("scenarios").unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let p = crate::scenario::load(&path).unwrap().params;
            let mut m = super::super::Model::new(&p);
            m.check_refreshes = true;
            let roster = Roster::new(&p);
            let mut events = Vec::new();
            for id in (0..roster.total).step_by((roster.total / 3000).max(1) as usize) {
                events.clear();
                let person = roster.person(&p, 11, id);
                super::PersonSim::new(&m, person, 11, &mut events).run();
            }
            checked += 1;
        }
        assert!(checked >= 10, "{checked} scenarios");
    }

    #[test]
    fn age_bands_change_on_the_birthday_that_starts_them() {
        let m = testkit::model();
        let mut events = Vec::new();
        let s = testkit::sim(&m, testkit::person(Substance::None, 29.5), &mut events);
        // Band 25-30 now; the next band starts at the 30th birthday.
        assert_eq!(s.offending.age_mult, m.offending.age_offending[5]);
        let birth = s.person.birth_day as f64;
        assert!((s.schedule.next_age_band - (birth + 30.0 * DAYS_PER_YEAR)).abs() < 1e-9);
    }
}

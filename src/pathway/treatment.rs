//! Community drug and alcohol treatment: voluntary entry, a dropout hazard that
//! falls with time in treatment, completion only after a minimum time, and the
//! causal effect on offending (see `arrest_rate`).

use super::model::{daily, DatedMultiplier};
use crate::calendar::DAYS_PER_YEAR;
use crate::history::{EventKind, Route, TreatmentExit};
use crate::parameter::{parameters, BySubstance};
use crate::pathway::PersonSim;

parameters! {
    /// Community drug and alcohol treatment: entry, retention, exit, and its effect.
    pub struct TreatmentParams in "treatment" {
        /// Rate of voluntary (non-criminal-justice) treatment entry, per year.
        voluntary_entry_rate: BySubstance = [fitted, fitted, 0.06, 0.0], "per year", 0.0, 100.0,
            "calibrated to ukdpc_cjs_referral_share";
        /// Entry-rate multiplier during a crisis phase.
        crisis_entry_multiplier: f64 = fitted, "multiplier", 0.0, 100.0,
            "calibrated (docs/calibration.md); assumed mechanism: people seek treatment at a low point";
        /// Entry-rate multiplier after a successful completion.
        entry_after_completion_multiplier: f64 = 0.3, "multiplier", 0.0, 10.0,
            "assumption: completers return less often";
        /// Dropout hazard (per year) in the first 3 months of an episode.
        dropout_rate_0_3m: f64 = fitted, "per year", 0.0, 100.0,
            "calibrated to bold_outcome_dropout";
        /// Dropout hazard (per year) in months 3 to 12 of an episode.
        dropout_rate_3_12m: f64 = fitted, "per year", 0.0, 100.0,
            "calibrated to bold_outcome_dropout";
        /// Dropout hazard (per year) after 12 months in an episode.
        dropout_rate_12m_plus: f64 = fitted, "per year", 0.0, 100.0,
            "calibrated to nta_retained_2y_n";
        /// Dropout multiplier for criminal-justice referrals.
        criminal_justice_dropout_multiplier: f64 = fitted, "multiplier", 0.0, 10.0,
            "calibrated (docs/calibration.md); assumed mechanism: coerced clients drop out a little more";
        /// No successful completion before this many days.
        completion_min_days: f64 = 84.0, "days", 0.0, 3650.0,
            "assumption: 12 weeks, NDTMS effective engagement";
        /// Completion rate (per year) once the minimum time has passed.
        completion_rate: BySubstance = [fitted, 1.0, 1.2, 1.0], "per year", 0.0, 100.0,
            "calibrated to bold_outcome_completed";
        /// Causal effect: arrest-rate multiplier while in treatment.
        offending_multiplier_in_treatment: f64 = fitted, "multiplier", 0.0, 10.0,
            "calibrated to nta_retained_2y_reduction (the causal effect)";
        /// Causal effect: arrest-rate multiplier after a successful completion.
        offending_multiplier_after_completion: f64 = 0.7, "multiplier", 0.0, 10.0,
            "assumption: smaller than in treatment; nta_completed_no_return_reduction validates";
        /// Mortality multiplier while in treatment.
        mortality_multiplier_in_treatment: f64 = 0.5, "multiplier", 0.0, 10.0,
            "assumption: opioid substitution halves mortality";
        /// Probability of starting community treatment on release (continuity of care), drug users.
        release_continuity_probability: f64 = 0.25, "probability", 0.0, 1.0,
            "assumption: few prison leavers pick up community treatment";
        /// Mean days from release to a continuity-of-care treatment start (exponential).
        release_continuity_delay_days_mean: f64 = 14.0, "days", 0.0, 3650.0,
            "assumption";
    }
}

/// Dropout phases: first 3 months, months 3-12, after 12 months (days).
const PHASE_3M: f64 = DAYS_PER_YEAR / 4.0;
const PHASE_12M: f64 = DAYS_PER_YEAR;
/// Tolerance (days) for reaching a boundary: start + b - start may round below b.
const EPS: f64 = 1e-7;

/// Treatment compiled for the hot loop (per-day rates), with the hooks levers use
/// to change entry and dropout from a date.
#[derive(Debug, Clone)]
pub struct TreatmentRates {
    pub voluntary_entry: [f64; 4],
    pub crisis_entry_mult: f64,
    pub entry_after_completion_mult: f64,
    /// Per-day dropout hazard by phase: 0-3 months, 3-12 months, 12 months on.
    pub dropout: [f64; 3],
    pub cj_dropout_mult: f64,
    pub completion_min_days: f64,
    pub completion: [f64; 4],
    pub offending_in_treatment: f64,
    pub offending_after_completion: f64,
    pub mortality_in_treatment: f64,
    pub continuity_delay_mean: f64,
    /// Hook: voluntary entry multiplied from a date.
    pub entry_change: DatedMultiplier,
    /// Hook: every dropout hazard multiplied from a date.
    pub dropout_change: DatedMultiplier,
}

impl TreatmentRates {
    pub fn new(
        t: &TreatmentParams,
        entry_change: DatedMultiplier,
        dropout_change: DatedMultiplier,
    ) -> Self {
        TreatmentRates {
            voluntary_entry: daily(&t.voluntary_entry_rate),
            crisis_entry_mult: t.crisis_entry_multiplier,
            entry_after_completion_mult: t.entry_after_completion_multiplier,
            dropout: [
                t.dropout_rate_0_3m / DAYS_PER_YEAR,
                t.dropout_rate_3_12m / DAYS_PER_YEAR,
                t.dropout_rate_12m_plus / DAYS_PER_YEAR,
            ],
            cj_dropout_mult: t.criminal_justice_dropout_multiplier,
            completion_min_days: t.completion_min_days,
            completion: daily(&t.completion_rate),
            offending_in_treatment: t.offending_multiplier_in_treatment,
            offending_after_completion: t.offending_multiplier_after_completion,
            mortality_in_treatment: t.mortality_multiplier_in_treatment,
            continuity_delay_mean: t.release_continuity_delay_days_mean,
            entry_change,
            dropout_change,
        }
    }
}

/// Treatment's slice of a person's state: the open episode and the pending start.
#[derive(Debug, Clone)]
pub struct TreatmentState {
    /// The referral route of the open episode, if in treatment.
    pub episode: Option<Route>,
    /// Day the open episode started.
    pub start: f64,
    /// A treatment episode has ended in successful completion.
    pub completed_ever: bool,
    /// Day a pending treatment start (a referral or the end of a wait) is due.
    pub pending: f64,
    pub pending_route: Route,
    /// The pending start comes from the intensive partnership.
    pub intensive_pending: bool,
    /// The open episode is managed by the intensive partnership.
    pub intensive_episode: bool,
    /// Where the pending start stands with the waiting list, and since when.
    pub waiting: Waiting,
    pub waiting_since: f64,
}

/// At the start of a career.
impl Default for TreatmentState {
    fn default() -> Self {
        TreatmentState {
            episode: None,
            start: 0.0,
            completed_ever: false,
            pending: f64::INFINITY,
            pending_route: Route::Voluntary,
            intensive_pending: false,
            intensive_episode: false,
            waiting: Waiting::No,
            waiting_since: 0.0,
        }
    }
}

impl PersonSim<'_> {
    /// Voluntary (non-criminal-justice) entry rate.
    pub(crate) fn entry_rate(&self) -> f64 {
        if self.treatment.episode.is_some()
            || self.custody.in_custody
            || self.treatment.pending.is_finite()
        {
            return 0.0;
        }
        let m = self.m;
        let mut r = m.treatment.voluntary_entry[self.g];
        if self.offending.crisis {
            r *= m.treatment.crisis_entry_mult;
        }
        if self.treatment.completed_ever {
            r *= m.treatment.entry_after_completion_mult;
        }
        r = m.treatment.entry_change.apply(r, self.t);
        r
    }

    /// Dropout hazard: piecewise constant in time since the episode started.
    pub(crate) fn dropout_rate(&self) -> f64 {
        let Some(route) = self.treatment.episode else {
            return 0.0;
        };
        let m = self.m;
        let since = self.t - self.treatment.start;
        let phase = if since < PHASE_3M - EPS {
            0
        } else if since < PHASE_12M - EPS {
            1
        } else {
            2
        };
        let mut r = m.treatment.dropout[phase];
        if route.is_criminal_justice() {
            r *= m.treatment.cj_dropout_mult;
        }
        r = m.treatment.dropout_change.apply(r, self.t);
        r * self.dropout_hook()
    }

    /// Completion hazard: zero before the minimum time in treatment.
    pub(crate) fn completion_rate(&self) -> f64 {
        match self.treatment.episode {
            Some(_)
                if self.t - self.treatment.start >= self.m.treatment.completion_min_days - EPS =>
            {
                self.m.treatment.completion[self.g]
            }
            _ => 0.0,
        }
    }

    /// The next time a treatment rate changes with time in treatment.
    pub(crate) fn next_phase_boundary(&self) -> f64 {
        if self.treatment.episode.is_none() {
            return f64::INFINITY;
        }
        let since = self.t - self.treatment.start;
        [PHASE_3M, PHASE_12M, self.m.treatment.completion_min_days]
            .into_iter()
            .filter(|&b| b > since + EPS)
            .fold(f64::INFINITY, f64::min)
            + self.treatment.start
    }

    pub(crate) fn start_treatment(&mut self, route: Route) {
        if self.treatment.episode.is_some() || self.custody.in_custody {
            return;
        }
        self.treatment.episode = Some(route);
        self.treatment.start = self.t;
        self.treatment.intensive_episode = std::mem::take(&mut self.treatment.intensive_pending);
        self.record(EventKind::TreatmentStart, route as u8, 0);
    }

    /// Close the open episode, if any, with the given exit.
    pub(crate) fn end_treatment(&mut self, exit: TreatmentExit) {
        if let Some(route) = self.treatment.episode.take() {
            self.treatment.intensive_episode = false;
            self.record(EventKind::TreatmentEnd, route as u8, exit as u16);
        }
    }

    pub(crate) fn on_dropout(&mut self) {
        self.end_treatment(TreatmentExit::Dropout);
    }

    pub(crate) fn on_completion(&mut self) {
        self.end_treatment(TreatmentExit::Completed);
        self.treatment.completed_ever = true;
    }

    /// Refer to treatment, starting on day `when` by `route`: the pending start is
    /// replaced. Callers check eligibility first (DIP and scheme referrals only
    /// when nothing is pending; continuity of care at release always).
    pub(crate) fn refer_to_treatment(&mut self, when: f64, route: Route) {
        self.treatment.pending = when;
        self.treatment.pending_route = route;
    }

    /// Refer unless a start is already due sooner (an order's requirement).
    pub(crate) fn refer_to_treatment_unless_sooner(&mut self, when: f64, route: Route) {
        if when < self.treatment.pending {
            self.refer_to_treatment(when, route);
        }
    }

    /// The pending referral comes from the intensive partnership: its episode is
    /// managed intensively.
    pub(crate) fn mark_referral_intensive(&mut self) {
        self.treatment.intensive_pending = true;
    }

    /// Custody cancels any pending start and any place on the waiting list.
    pub(crate) fn cancel_pending_treatment(&mut self) {
        self.treatment.pending = f64::INFINITY;
        self.treatment.intensive_pending = false;
        self.treatment.waiting = Waiting::No;
    }

    /// A treatment start is due (voluntary entry, or a referral arriving): with
    /// capacity limits in force the person joins the waiting list, waits the
    /// list's current wait, and may give up first.
    pub(crate) fn request_treatment(&mut self, route: Route) {
        let iv = &self.m.iv;
        if self.treatment.episode.is_some() || self.custody.in_custody {
            return;
        }
        if !iv.capacity.open(self.t) {
            self.start_treatment(route);
            return;
        }
        let wait = iv.plan.wait(self.t, route.is_criminal_justice());
        self.record(
            EventKind::WaitlistJoin,
            route as u8,
            wait.round().min(u16::MAX as f64) as u16,
        );
        if wait <= 0.0 {
            self.start_treatment(route);
            return;
        }
        let give_up = Self::exp_days(&mut self.waiting_rng, 1.0 / iv.give_up_rate);
        // The pending start is either the end of the wait or the day they give up;
        // either way the person counts as on their way to treatment until then.
        self.treatment.waiting = if give_up < wait {
            self.treatment.pending = self.t + give_up;
            Waiting::GivingUp
        } else {
            self.treatment.pending = self.t + wait;
            Waiting::Served
        };
        self.treatment.pending_route = route;
        self.treatment.waiting_since = self.t;
    }

    /// The pending treatment start is due: start, join the list, or give up.
    pub(crate) fn on_pending_treatment(&mut self) {
        self.treatment.pending = f64::INFINITY;
        let route = self.treatment.pending_route;
        match std::mem::replace(&mut self.treatment.waiting, Waiting::No) {
            Waiting::Served => self.start_treatment(route),
            Waiting::No => self.request_treatment(route),
            Waiting::GivingUp => {
                self.treatment.intensive_pending = false;
                let days = (self.t - self.treatment.waiting_since)
                    .round()
                    .min(u16::MAX as f64);
                self.record(EventKind::WaitlistGiveUp, route as u8, days as u16);
            }
        }
    }
}

/// Where a pending treatment start stands with the waiting list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waiting {
    /// Not on a list: the start is a referral arriving.
    No,
    /// The wait is over: start.
    Served,
    /// The person gives up on this day.
    GivingUp,
}

#[cfg(test)]
mod tests {
    use super::super::testkit;
    use crate::calendar::{Date, DAYS_PER_YEAR};
    use crate::history::{Route, Substance};

    #[test]
    fn dropout_hazard_is_piecewise_in_time_since_the_episode_started() {
        let m = testkit::model();
        let mut events = Vec::new();
        let mut s = testkit::sim(
            &m,
            testkit::person(Substance::OpiatesCrack, 30.0),
            &mut events,
        );
        let t0 = s.t;
        s.treatment.episode = Some(Route::Voluntary);
        s.treatment.start = t0;
        let per_day = |key: &str| crate::parameter::fitted(key) / DAYS_PER_YEAR;
        for (days, key) in [
            (10.0, "treatment.dropout_rate_0_3m"),
            (91.0, "treatment.dropout_rate_0_3m"),
            (92.0, "treatment.dropout_rate_3_12m"),
            (365.0, "treatment.dropout_rate_3_12m"),
            (366.0, "treatment.dropout_rate_12m_plus"),
        ] {
            s.t = t0 + days;
            assert_eq!(s.dropout_rate(), per_day(key), "{days} days in");
        }
        // Criminal-justice referrals drop out more.
        s.treatment.episode = Some(Route::Dip);
        s.t = t0 + 10.0;
        assert_eq!(
            s.dropout_rate(),
            per_day("treatment.dropout_rate_0_3m")
                * crate::parameter::fitted("treatment.criminal_justice_dropout_multiplier")
        );
        // Out of treatment, no dropout.
        s.treatment.episode = None;
        assert_eq!(s.dropout_rate(), 0.0);
    }

    #[test]
    fn phase_boundaries_are_the_next_changes_of_the_treatment_hazards() {
        let m = testkit::model();
        let mut events = Vec::new();
        let mut s = testkit::sim(
            &m,
            testkit::person(Substance::OpiatesCrack, 30.0),
            &mut events,
        );
        let t0 = s.t;
        s.treatment.episode = Some(Route::Voluntary);
        s.treatment.start = t0;
        // Completion opens at 84 days, dropout changes at 3 and 12 months.
        assert_eq!(s.next_phase_boundary(), t0 + 84.0);
        s.t = t0 + 84.0;
        assert_eq!(s.next_phase_boundary(), t0 + DAYS_PER_YEAR / 4.0);
        s.t = t0 + 100.0;
        assert_eq!(s.next_phase_boundary(), t0 + DAYS_PER_YEAR);
        s.t = t0 + 400.0;
        assert_eq!(s.next_phase_boundary(), f64::INFINITY);
    }

    #[test]
    fn completion_is_impossible_before_the_minimum_time() {
        let m = testkit::model();
        let mut events = Vec::new();
        let mut s = testkit::sim(
            &m,
            testkit::person(Substance::OpiatesCrack, 30.0),
            &mut events,
        );
        let t0 = s.t;
        s.treatment.episode = Some(Route::Voluntary);
        s.treatment.start = t0;
        s.t = t0 + 83.0;
        assert_eq!(s.completion_rate(), 0.0);
        s.t = t0 + 84.0;
        assert_eq!(
            s.completion_rate(),
            crate::parameter::fitted("treatment.completion_rate.opiates_crack") / DAYS_PER_YEAR
        );
    }

    #[test]
    fn the_retention_lever_multiplies_every_dropout_hazard_from_its_start() {
        let m = testkit::model_with(|p| {
            p.levers.retention.enabled = true;
            p.levers.retention.start = Date::ymd(2010, 6, 1);
            p.levers.retention.dropout_multiplier = 0.75;
        });
        let base = testkit::model();
        let mut events = Vec::new();
        let mut s = testkit::sim(
            &m,
            testkit::person(Substance::OpiatesCrack, 30.0),
            &mut events,
        );
        s.treatment.episode = Some(Route::Voluntary);
        s.treatment.start = s.t;
        assert_eq!(s.dropout_rate(), base.treatment.dropout[0]);
        s.t = Date::ymd(2010, 6, 1).as_f64();
        s.treatment.start = s.t;
        assert_eq!(s.dropout_rate(), base.treatment.dropout[0] * 0.75);
        assert_eq!(m.refresh_days, vec![Date::ymd(2010, 6, 1).as_f64()]);
    }

    #[test]
    fn voluntary_entry_stops_in_treatment_custody_or_with_a_start_pending() {
        let m = testkit::model();
        let mut events = Vec::new();
        let mut s = testkit::sim(
            &m,
            testkit::person(Substance::OtherDrugs, 30.0),
            &mut events,
        );
        s.offending.crisis = false;
        assert_eq!(s.entry_rate(), m.treatment.voluntary_entry[1]);
        s.offending.crisis = true;
        assert_eq!(
            s.entry_rate(),
            m.treatment.voluntary_entry[1] * m.treatment.crisis_entry_mult
        );
        s.refer_to_treatment(s.t + 5.0, Route::Dip);
        assert_eq!(s.entry_rate(), 0.0);
        // A sooner referral replaces a later one only by the order rule.
        s.refer_to_treatment_unless_sooner(s.t + 9.0, Route::Order);
        assert_eq!(s.treatment.pending_route, Route::Dip);
        s.refer_to_treatment_unless_sooner(s.t + 1.0, Route::Order);
        assert_eq!(s.treatment.pending_route, Route::Order);
        s.cancel_pending_treatment();
        assert!(s.treatment.pending.is_infinite());
    }
}

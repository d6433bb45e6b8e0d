//! Drug and alcohol treatment: voluntary entry and referral, the modality (OST
//! or psychosocial), dropout hazards that fall with time in treatment,
//! completion only after a minimum time, the journey through custody and its
//! pick-up at release, and the causal effect on offending, in treatment and
//! fading after completion.

use super::model::{by_group, daily, DatedMultiplier, Window, EPS};
use crate::calendar::DAYS_PER_YEAR;
use crate::history::{EventKind, Modality, Route, TreatmentExit};
use crate::parameter::{parameters, BySubstance};
use crate::pathway::PersonSim;
use crate::series::{self, CalendarParams, Input, Timeline};

parameters! {
    /// Drug and alcohol treatment: entry, the modality, retention, exit, the
    /// journey through custody, and treatment's effect on offending.
    pub struct TreatmentParams in "treatment" {
        /// Rate of voluntary (non-criminal-justice) treatment entry, per year.
        voluntary_entry_rate: BySubstance = [fitted, fitted, fitted, 0.0], "per year", 0.0, 100.0,
            "calibrated to ukdpc_cjs_referral_share for opiates_crack, and to the national treatment series for other drugs and alcohol (docs/calibration.md)";
        /// Voluntary entry follows real public funding of community treatment
        /// (data/calendar/treatment_funding.csv) relative to the reference date,
        /// raised to this power (0: no trend).
        funding_entry_elasticity: f64 = fitted, "elasticity", 0.0, 5.0,
            "calibrated to the national series and the seed targets (docs/calibration.md); assumed mechanism: services take people in proportion to their funding (the Pooled Treatment Budget's growth to 2008/09, the cuts after 2013, the 2021 strategy's money)";
        /// Entry-rate multiplier during a crisis phase.
        crisis_entry_multiplier: f64 = fitted, "multiplier", 0.0, 100.0,
            "calibrated (docs/calibration.md); assumed mechanism: people seek treatment at a low point";
        /// Entry-rate multiplier after a successful completion (re-presentation).
        entry_after_completion_multiplier: f64 = 0.3, "multiplier", 0.0, 10.0,
            "assumption: completers return less often";
        /// Share of journeys that are opioid substitution treatment (OST); the
        /// rest are psychosocial.
        ost_share: BySubstance = [0.85, 0.0, 0.0, 0.0], "share", 0.0, 1.0,
            "tx_opiate_ost_share_2011_12 in data/treatment_health_sources.csv (91.6% of opiate clients); assumption: lower for the group's crack-only users, none for the other groups";
        /// OST dropout hazard (per year) in the first 3 months of a journey.
        ost_dropout_rate_0_3m: f64 = 1.2, "per year", 0.0, 100.0,
            "ost_stop_within_6m_share (40% of OST stops within 6 months: exp(-(1.2 + 0.8)/4) = 61% still in)";
        /// OST dropout hazard (per year) in months 3 to 12.
        ost_dropout_rate_3_12m: f64 = 0.8, "per year", 0.0, 100.0,
            "ost_stop_within_6m_share, with ost_dropout_rate_0_3m";
        /// OST dropout hazard (per year) after 12 months: long-term OST.
        ost_dropout_rate_12m_plus: f64 = 0.2, "per year", 0.0, 100.0,
            "ost_5y_plus_share (10-15% of OST clients in treatment 5 years or more): long-term OST";
        /// Psychosocial dropout hazard (per year) in the first 3 months.
        psychosocial_dropout_rate_0_3m: f64 = 1.6, "per year", 0.0, 100.0,
            "assumption, set by hand to bold_outcome_dropout";
        /// Psychosocial dropout hazard (per year) in months 3 to 12.
        psychosocial_dropout_rate_3_12m: f64 = 0.9, "per year", 0.0, 100.0,
            "assumption, set by hand to bold_outcome_dropout";
        /// Psychosocial dropout hazard (per year) after 12 months.
        psychosocial_dropout_rate_12m_plus: f64 = 0.6, "per year", 0.0, 100.0,
            "assumption: falls with time in treatment, as the first two";
        /// Dropout multiplier for criminal-justice referrals.
        criminal_justice_dropout_multiplier: f64 = fitted, "multiplier", 0.0, 10.0,
            "calibrated (docs/calibration.md); assumed mechanism: coerced clients drop out a little more";
        /// Dropout multiplier while the journey goes on in prison.
        prison_dropout_multiplier: f64 = 0.5, "multiplier", 0.0, 10.0,
            "assumption: prescribing and keywork in prison are harder to leave than in the community";
        /// No successful completion of OST before this many days.
        ost_completion_min_days: f64 = 182.0, "days", 0.0, 3650.0,
            "assumption: a planned reduction takes at least 6 months";
        /// OST completion rate (per year) once the minimum time has passed.
        ost_completion_rate: f64 = 0.1, "per year", 0.0, 100.0,
            "tx_succ_opiate_2011, tx_succ_opiate_2014 (7-9% of opiate clients in treatment complete and do not return within the year)";
        /// No successful completion of psychosocial treatment before this many days.
        psychosocial_completion_min_days: f64 = 84.0, "days", 0.0, 3650.0,
            "assumption: 12 weeks, NDTMS effective engagement";
        /// Psychosocial completion rate (per year) once the minimum time has passed.
        psychosocial_completion_rate: f64 = 1.3, "per year", 0.0, 100.0,
            "assumption, set by hand to tx_succ_nonopiate_2012 (39% of non-opiate clients in treatment complete and do not return) and bold_outcome_completed";
        /// Causal effect: arrest-rate multiplier while in treatment.
        offending_multiplier_in_treatment: f64 = fitted, "multiplier", 0.0, 10.0,
            "calibrated to nta_retained_2y_reduction (the causal effect)";
        /// Causal effect: arrest-rate multiplier just after a successful completion.
        offending_multiplier_after_completion: f64 = 0.7, "multiplier", 0.0, 10.0,
            "assumption: smaller than in treatment; nta_completed_no_return_reduction validates";
        /// Years over which the effect after completion fades linearly to none
        /// (in yearly steps, each at its mid-year value; 0 = no effect).
        completion_effect_years: f64 = 5.0, "years", 0.0, 100.0,
            "assumption: ntors_convicted_pre, ntors_convicted_y5 (convictions still about halved 5 years on); range 2-10 for sweeps";
        /// Probability that an open journey is picked up by community treatment at
        /// release, and that a drug user not in treatment is referred at release
        /// (continuity of care).
        release_continuity_probability: f64 = 0.25, "probability", 0.0, 1.0,
            "assumption: few prison leavers pick up community treatment";
        /// Of the people in an open journey at release whom continuity of care
        /// does not reach, the share whose journey is carried over anyway (their
        /// community service kept the case open).
        journey_carry_over_share: f64 = 0.4, "share", 0.0, 1.0,
            "assumption, set by hand to bold_outcome_dropout: a journey that went on in prison is picked up more often than a new referral";
        /// Mean days from release to a continuity-of-care referral's start (exponential).
        release_continuity_delay_days_mean: f64 = 14.0, "days", 0.0, 3650.0,
            "assumption";
    }
}

/// Dropout phases: first 3 months, months 3-12, after 12 months (days).
const PHASE_3M: f64 = DAYS_PER_YEAR / 4.0;
const PHASE_12M: f64 = DAYS_PER_YEAR;

/// Treatment compiled for the hot loop (per-day rates), with the hooks levers use
/// to change entry and dropout from a date.
#[derive(Debug, Clone)]
pub struct TreatmentRates {
    pub voluntary_entry: [f64; 4],
    pub crisis_entry_mult: f64,
    pub entry_after_completion_mult: f64,
    pub ost_share: [f64; 4],
    /// Per-day dropout hazard by modality ([`Modality::index`]) and phase: 0-3
    /// months, 3-12 months, 12 months on.
    pub dropout: [[f64; 3]; 2],
    pub cj_dropout_mult: f64,
    pub prison_dropout_mult: f64,
    /// By modality: the minimum days before completion, and the per-day rate after.
    pub completion_min_days: [f64; 2],
    pub completion: [f64; 2],
    pub offending_in_treatment: f64,
    pub offending_after_completion: f64,
    pub completion_effect_years: f64,
    pub continuity_delay_mean: f64,
    pub journey_carry_over: f64,
    /// Hook: voluntary entry multiplied from a date.
    pub entry_change: DatedMultiplier,
    /// Hook: every dropout hazard multiplied from a date.
    pub dropout_change: DatedMultiplier,
    /// The calendar's multiplier on voluntary entry (treatment funding).
    pub funding_trend: Timeline,
    /// The paired counterfactual's switch ([`Counterfactual`]): a drug user's
    /// first start in this window turns treatment's effect on offending off.
    pub effect_off_window: Window,
}

/// The paired run of a causal comparison, not a scenario setting: treatment's
/// effect on offending (in treatment and after completion) is switched off for
/// each drug user from their first treatment start within a window, so that
/// everything up to that start, and the cohort a study selects by it, is the
/// factual run's. Other effects of treatment (on mortality, on order breach, on
/// recovery and entry) stay on.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Counterfactual {
    /// First and last day number (inclusive) of the index window; `None` for a
    /// factual run.
    pub offending_effect_off_from_start_in: Option<(i32, i32)>,
}

impl TreatmentRates {
    pub fn new(
        t: &TreatmentParams,
        entry_change: DatedMultiplier,
        dropout_change: DatedMultiplier,
        cal: &CalendarParams,
        counterfactual: &Counterfactual,
    ) -> Self {
        let y = DAYS_PER_YEAR;
        TreatmentRates {
            effect_off_window: match counterfactual.offending_effect_off_from_start_in {
                Some((first, last)) => Window {
                    from: first as f64,
                    until: last as f64 + 1.0,
                },
                None => Window::CLOSED,
            },
            funding_trend: series::relative_path(
                cal,
                Input::TreatmentFunding,
                t.funding_entry_elasticity,
            ),
            voluntary_entry: daily(&t.voluntary_entry_rate),
            crisis_entry_mult: t.crisis_entry_multiplier,
            entry_after_completion_mult: t.entry_after_completion_multiplier,
            ost_share: by_group(&t.ost_share),
            dropout: [
                [
                    t.psychosocial_dropout_rate_0_3m / y,
                    t.psychosocial_dropout_rate_3_12m / y,
                    t.psychosocial_dropout_rate_12m_plus / y,
                ],
                [
                    t.ost_dropout_rate_0_3m / y,
                    t.ost_dropout_rate_3_12m / y,
                    t.ost_dropout_rate_12m_plus / y,
                ],
            ],
            cj_dropout_mult: t.criminal_justice_dropout_multiplier,
            prison_dropout_mult: t.prison_dropout_multiplier,
            completion_min_days: [
                t.psychosocial_completion_min_days,
                t.ost_completion_min_days,
            ],
            completion: [
                t.psychosocial_completion_rate / y,
                t.ost_completion_rate / y,
            ],
            offending_in_treatment: t.offending_multiplier_in_treatment,
            offending_after_completion: t.offending_multiplier_after_completion,
            completion_effect_years: t.completion_effect_years,
            continuity_delay_mean: t.release_continuity_delay_days_mean,
            journey_carry_over: t.journey_carry_over_share,
            entry_change,
            dropout_change,
        }
    }
}

/// Treatment's slice of a person's state: the open journey and the pending start.
/// A journey is what NDTMS links into one: it goes on through custody, and ends
/// in dropout, completion, death, or release with no community pick-up.
#[derive(Debug, Clone)]
pub struct TreatmentState {
    /// The referral route of the open journey, if in treatment.
    pub episode: Option<Route>,
    /// The open journey's modality.
    pub modality: Modality,
    /// Day the open journey started.
    pub start: f64,
    /// Day of the last successful completion (the effect after it fades from
    /// then); minus infinity if none.
    pub completed_at: f64,
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
    /// The calendar's multiplier on voluntary entry in force (funding).
    pub calendar_entry: f64,
    /// Treatment's effect on offending is off (the paired counterfactual run,
    /// from the index start on).
    pub offending_effect_off: bool,
}

/// At the start of a career.
impl Default for TreatmentState {
    fn default() -> Self {
        TreatmentState {
            episode: None,
            modality: Modality::Psychosocial,
            start: 0.0,
            completed_at: f64::NEG_INFINITY,
            pending: f64::INFINITY,
            pending_route: Route::Voluntary,
            intensive_pending: false,
            intensive_episode: false,
            waiting: Waiting::No,
            waiting_since: 0.0,
            calendar_entry: 1.0,
            offending_effect_off: false,
        }
    }
}

impl TreatmentState {
    /// The calendar's multiplier on voluntary entry in force today (set on the
    /// days it changes).
    pub fn set_calendar(&mut self, today: &super::CalendarDay) {
        self.calendar_entry = today.funding;
    }
}

impl PersonSim<'_> {
    /// Voluntary (non-criminal-justice) entry rate: the group's rate x the
    /// calendar (funding) x crisis x after completion x the lever's hook.
    pub(crate) fn entry_rate(&self) -> f64 {
        if self.treatment.episode.is_some()
            || self.custody.in_custody
            || self.treatment.pending.is_finite()
            || !self.has_problem()
        {
            return 0.0;
        }
        let m = self.m;
        let mut r = m.treatment.voluntary_entry[self.g] * self.treatment.calendar_entry;
        if self.offending.crisis {
            r *= m.treatment.crisis_entry_mult;
        }
        if self.treatment.completed_at.is_finite() {
            r *= m.treatment.entry_after_completion_mult;
        }
        r = m.treatment.entry_change.apply(r, self.t);
        r
    }

    /// In an OST journey now (in the community or in prison).
    pub(crate) fn in_ost(&self) -> bool {
        self.treatment.episode.is_some() && self.treatment.modality == Modality::Ost
    }

    /// Dropout hazard: piecewise constant in time since the journey started, by
    /// modality; lower while the journey goes on in prison.
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
        let mut r = m.treatment.dropout[self.treatment.modality.index()][phase];
        if route.is_criminal_justice() {
            r *= m.treatment.cj_dropout_mult;
        }
        if self.custody.in_custody {
            r *= m.treatment.prison_dropout_mult;
        }
        r = m.treatment.dropout_change.apply(r, self.t);
        r * self.dropout_hook()
    }

    /// Completion hazard: zero before the modality's minimum time in treatment.
    pub(crate) fn completion_rate(&self) -> f64 {
        if self.treatment.episode.is_none() {
            return 0.0;
        }
        let k = self.treatment.modality.index();
        if self.t - self.treatment.start >= self.m.treatment.completion_min_days[k] - EPS {
            self.m.treatment.completion[k]
        } else {
            0.0
        }
    }

    /// Treatment's effect on the offence rate: in treatment, or fading over the
    /// years after a successful completion.
    pub(crate) fn treatment_offending_mult(&self) -> f64 {
        let m = &self.m.treatment;
        if self.treatment.offending_effect_off {
            return 1.0;
        }
        if self.treatment.episode.is_some() {
            return m.offending_in_treatment;
        }
        let d = m.completion_effect_years;
        let Some(step) = self.years_since_completion() else {
            return 1.0;
        };
        if d <= 0.0 {
            return 1.0;
        }
        let left = (1.0 - (step + 0.5) / d).max(0.0);
        1.0 - (1.0 - m.offending_after_completion) * left
    }

    /// Whole years since the last successful completion, if any.
    fn years_since_completion(&self) -> Option<f64> {
        let at = self.treatment.completed_at;
        at.is_finite()
            .then(|| ((self.t - at + EPS) / DAYS_PER_YEAR).floor())
    }

    /// The next day the effect after completion steps down (a year boundary
    /// since the completion), while it lasts and no journey is open.
    pub(crate) fn next_completion_effect_step(&self) -> f64 {
        let d = self.m.treatment.completion_effect_years;
        let Some(step) = self.years_since_completion() else {
            return f64::INFINITY;
        };
        if self.treatment.episode.is_some() || step + 0.5 >= d {
            return f64::INFINITY;
        }
        self.treatment.completed_at + (step + 1.0) * DAYS_PER_YEAR
    }

    /// The next time a treatment rate changes with time in treatment.
    pub(crate) fn next_phase_boundary(&self) -> f64 {
        if self.treatment.episode.is_none() {
            return f64::INFINITY;
        }
        let since = self.t - self.treatment.start;
        let min_days = self.m.treatment.completion_min_days[self.treatment.modality.index()];
        [PHASE_3M, PHASE_12M, min_days]
            .into_iter()
            .filter(|&b| b > since + EPS)
            .fold(f64::INFINITY, f64::min)
            + self.treatment.start
    }

    /// Start a journey by `route` (in the community): OST or psychosocial, by the
    /// substance group's OST share.
    pub(crate) fn start_treatment(&mut self, route: Route) {
        if self.treatment.episode.is_some() || self.custody.in_custody {
            return;
        }
        let u: f64 = rand::RngExt::random(self.treatment_rng.get());
        let modality = if u < self.m.treatment.ost_share[self.g] {
            Modality::Ost
        } else {
            Modality::Psychosocial
        };
        self.treatment.episode = Some(route);
        self.treatment.modality = modality;
        self.treatment.start = self.t;
        let w = self.m.treatment.effect_off_window;
        if self.person.substance.uses_drugs() && w.open(self.t) {
            self.treatment.offending_effect_off = true;
        }
        self.treatment.intensive_episode = std::mem::take(&mut self.treatment.intensive_pending);
        self.record(EventKind::TreatmentStart, route as u8, modality as u16);
    }

    /// Close the open journey, if any, with the given exit.
    pub(crate) fn end_treatment(&mut self, exit: TreatmentExit) {
        if let Some(route) = self.treatment.episode.take() {
            self.treatment.intensive_episode = false;
            if self.treatment.modality == Modality::Ost && exit != TreatmentExit::Died {
                self.open_after_ost_window();
            }
            self.record(EventKind::TreatmentEnd, route as u8, exit as u16);
        }
    }

    /// Into custody: an open journey goes on in prison.
    pub(crate) fn continue_treatment_in_prison(&mut self) {
        if let Some(route) = self.treatment.episode {
            self.record(EventKind::TreatmentTransfer, 0, route as u16);
        }
    }

    /// At release, an open journey is picked up by community treatment or ends.
    pub(crate) fn treatment_at_release(&mut self, picked_up: bool) {
        if let Some(route) = self.treatment.episode {
            if picked_up {
                self.record(EventKind::TreatmentTransfer, 1, route as u16);
            } else {
                self.end_treatment(TreatmentExit::NotContinued);
            }
        }
    }

    pub(crate) fn on_dropout(&mut self) {
        self.end_treatment(TreatmentExit::Dropout);
    }

    pub(crate) fn on_completion(&mut self) {
        self.end_treatment(TreatmentExit::Completed);
        self.treatment.completed_at = self.t;
    }

    /// Refer to treatment, starting on day `when` by `route`: the pending start is
    /// replaced. Callers check eligibility first (DIP and scheme referrals only
    /// when nothing is pending; continuity of care at release always). Nobody
    /// is referred once recovered.
    pub(crate) fn refer_to_treatment(&mut self, when: f64, route: Route) {
        if !self.has_problem() {
            return;
        }
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
        if self.treatment.episode.is_some() || self.custody.in_custody || !self.has_problem() {
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
    use crate::history::{EventKind, Modality, Route, Substance};

    /// A person of `substance` with an open journey of `modality` from now.
    fn in_treatment<'a>(
        m: &'a super::super::Model,
        substance: Substance,
        modality: Modality,
        events: &'a mut Vec<crate::history::Event>,
    ) -> super::super::PersonSim<'a> {
        let mut s = testkit::sim(m, testkit::person(substance, 30.0), events);
        s.treatment.episode = Some(Route::Voluntary);
        s.treatment.modality = modality;
        s.treatment.start = s.t;
        s
    }

    #[test]
    fn dropout_hazard_is_piecewise_by_modality_and_falls_with_time_in_treatment() {
        let p = crate::params::baseline();
        let m = testkit::model();
        let tp = &p.treatment;
        let y = DAYS_PER_YEAR;
        for (modality, rates) in [
            (
                Modality::Ost,
                [
                    tp.ost_dropout_rate_0_3m,
                    tp.ost_dropout_rate_3_12m,
                    tp.ost_dropout_rate_12m_plus,
                ],
            ),
            (
                Modality::Psychosocial,
                [
                    tp.psychosocial_dropout_rate_0_3m,
                    tp.psychosocial_dropout_rate_3_12m,
                    tp.psychosocial_dropout_rate_12m_plus,
                ],
            ),
        ] {
            assert!(
                rates[0] > rates[1] && rates[1] > rates[2],
                "{modality:?}: the baseline's hazard falls with time in treatment"
            );
            let mut events = Vec::new();
            let mut s = in_treatment(&m, Substance::OpiatesCrack, modality, &mut events);
            let t0 = s.t;
            for (days, phase) in [(10.0, 0), (91.0, 0), (92.0, 1), (365.0, 1), (366.0, 2)] {
                s.t = t0 + days;
                assert_eq!(
                    s.dropout_rate(),
                    rates[phase] / y,
                    "{modality:?} {days} days in"
                );
            }
            // Criminal-justice referrals drop out more; in prison, less.
            s.treatment.episode = Some(Route::Dip);
            s.t = t0 + 10.0;
            let cj = rates[0] / y * m.treatment.cj_dropout_mult;
            assert_eq!(s.dropout_rate(), cj);
            s.custody.in_custody = true;
            assert_eq!(s.dropout_rate(), cj * tp.prison_dropout_multiplier);
            // Out of treatment, no dropout.
            s.treatment.episode = None;
            assert_eq!(s.dropout_rate(), 0.0);
        }
    }

    #[test]
    fn phase_boundaries_are_the_next_changes_of_the_treatment_hazards() {
        let m = testkit::model();
        let mut events = Vec::new();
        let mut s = in_treatment(
            &m,
            Substance::OtherDrugs,
            Modality::Psychosocial,
            &mut events,
        );
        let t0 = s.t;
        // Completion opens at 84 days, dropout changes at 3 and 12 months.
        assert_eq!(s.next_phase_boundary(), t0 + 84.0);
        s.t = t0 + 84.0;
        assert_eq!(s.next_phase_boundary(), t0 + DAYS_PER_YEAR / 4.0);
        s.t = t0 + 100.0;
        assert_eq!(s.next_phase_boundary(), t0 + DAYS_PER_YEAR);
        s.t = t0 + 400.0;
        assert_eq!(s.next_phase_boundary(), f64::INFINITY);
        // OST: completion opens at 182 days, between the two dropout changes.
        s.treatment.modality = Modality::Ost;
        s.t = t0 + 100.0;
        assert_eq!(s.next_phase_boundary(), t0 + 182.0);
    }

    #[test]
    fn completion_is_impossible_before_the_modality_minimum_time() {
        let p = crate::params::baseline();
        let m = testkit::model();
        for (modality, min, rate) in [
            (
                Modality::Psychosocial,
                p.treatment.psychosocial_completion_min_days,
                p.treatment.psychosocial_completion_rate,
            ),
            (
                Modality::Ost,
                p.treatment.ost_completion_min_days,
                p.treatment.ost_completion_rate,
            ),
        ] {
            let mut events = Vec::new();
            let mut s = in_treatment(&m, Substance::OpiatesCrack, modality, &mut events);
            let t0 = s.t;
            s.t = t0 + min - 1.0;
            assert_eq!(s.completion_rate(), 0.0);
            s.t = t0 + min;
            assert_eq!(s.completion_rate(), rate / DAYS_PER_YEAR);
        }
    }

    #[test]
    fn the_modality_follows_the_ost_share_of_the_substance_group() {
        let m = testkit::model();
        let share = m.treatment.ost_share[0];
        let n = 4000;
        let mut ost = 0;
        for id in 0..n {
            let mut events = Vec::new();
            let mut p = testkit::person(Substance::OpiatesCrack, 30.0);
            p.id = id;
            let mut s = testkit::sim(&m, p, &mut events);
            s.start_treatment(Route::Voluntary);
            ost += (s.treatment.modality == Modality::Ost) as u32;
            let start = s.events.last().copied().unwrap();
            assert_eq!(start.kind, EventKind::TreatmentStart);
            assert_eq!(Modality::from_u16(start.extra), s.treatment.modality);
        }
        let observed = ost as f64 / n as f64;
        let se = (share * (1.0 - share) / n as f64).sqrt();
        assert!((observed - share).abs() < 4.0 * se, "{observed} vs {share}");
        // Other drugs: no OST at all.
        let mut events = Vec::new();
        let mut s = testkit::sim(
            &m,
            testkit::person(Substance::OtherDrugs, 30.0),
            &mut events,
        );
        s.start_treatment(Route::Voluntary);
        assert_eq!(s.treatment.modality, Modality::Psychosocial);
    }

    #[test]
    fn the_effect_after_completion_fades_in_yearly_steps_over_its_duration() {
        let m = testkit::model_with(|p| {
            p.treatment.offending_multiplier_after_completion = 0.6;
            p.treatment.completion_effect_years = 4.0;
        });
        let mut events = Vec::new();
        let mut s = in_treatment(
            &m,
            Substance::OtherDrugs,
            Modality::Psychosocial,
            &mut events,
        );
        assert_eq!(
            s.treatment_offending_mult(),
            m.treatment.offending_in_treatment
        );
        s.t += 100.0;
        s.on_completion();
        let c = s.t;
        // Years 1-4 at the mid-year values: 1 - 0.4 x (7/8, 5/8, 3/8, 1/8).
        for (year, left) in [(0.0, 0.875), (1.0, 0.625), (2.0, 0.375), (3.0, 0.125)] {
            s.t = c + year * DAYS_PER_YEAR;
            assert!((s.treatment_offending_mult() - (1.0 - 0.4 * left)).abs() < 1e-12);
            assert_eq!(
                s.next_completion_effect_step(),
                c + (year + 1.0) * DAYS_PER_YEAR
            );
        }
        s.t = c + 4.0 * DAYS_PER_YEAR;
        assert_eq!(s.treatment_offending_mult(), 1.0);
        assert_eq!(s.next_completion_effect_step(), f64::INFINITY);
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
        let mut s = in_treatment(&m, Substance::OpiatesCrack, Modality::Ost, &mut events);
        assert_eq!(s.dropout_rate(), base.treatment.dropout[1][0]);
        s.t = Date::ymd(2010, 6, 1).as_f64();
        s.treatment.start = s.t;
        assert_eq!(s.dropout_rate(), base.treatment.dropout[1][0] * 0.75);
        // The lever's start is a refresh day beside the calendar's.
        let extra: Vec<f64> = m
            .refresh_days
            .iter()
            .filter(|d| !base.refresh_days.contains(d))
            .copied()
            .collect();
        assert_eq!(extra, vec![Date::ymd(2010, 6, 1).as_f64()]);
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

//! Recovery: the end of a drug or alcohol problem outside treatment.
//!
//! A problem does not last for life: people stop using, most without a
//! completed treatment journey. Out of treatment, recovery is a constant hazard
//! by substance group; afterwards the person no longer seeks or is referred to
//! treatment, tests negative on arrest, has no crisis phases and no
//! drug-poisoning risk, and offends at a lower rate. Without it the people who
//! ever had a problem pile up over the decades of the burn-in, and treatment
//! demand, prevalence and drug deaths with them.

use super::model::daily;
use crate::history::EventKind;
use crate::parameter::{parameters, BySubstance};
use crate::pathway::PersonSim;

parameters! {
    /// Recovery from a drug or alcohol problem outside treatment.
    pub struct RecoveryParams in "recovery" {
        /// Rate (per year) at which a problem ends while out of treatment, by
        /// substance group (none: no problem to recover from).
        rate: BySubstance = [0.027, 0.08, 0.08, 0.0], "per year", 0.0, 10.0,
            "kimber_2010_cessation in data/treatment_health_sources.csv for opiates/crack (277 long-term cessations of injecting in 10,390 person-years); assumption for other drugs and alcohol: problems of a few years to a decade";
        /// Offence-rate multiplier after recovery.
        offending_multiplier: f64 = 0.5, "multiplier", 0.0, 10.0,
            "assumption: acquisitive offending falls when use stops, as it does after a completion (treatment.offending_multiplier_after_completion), and further";
    }
}

/// Recovery compiled: per-day rates by group.
#[derive(Debug, Clone)]
pub struct RecoveryRates {
    pub rate: [f64; 4],
    pub offending_mult: f64,
}

impl RecoveryRates {
    pub fn new(r: &RecoveryParams) -> Self {
        RecoveryRates {
            rate: daily(&r.rate),
            offending_mult: r.offending_multiplier,
        }
    }
}

/// Recovery's slice of a person's state.
#[derive(Debug, Clone, Default)]
pub struct RecoveryState {
    /// The problem has ended (for good: the model has no relapse after it).
    pub recovered: bool,
}

impl PersonSim<'_> {
    /// Has a drug or alcohol problem now: not recovered.
    #[inline]
    pub(crate) fn has_problem(&self) -> bool {
        !self.recovery.recovered
    }

    /// Recoveries per day: the group's rate out of treatment (in treatment the
    /// journey's exits are the way out), zero once recovered.
    pub(crate) fn recovery_rate(&self) -> f64 {
        if self.recovery.recovered || self.treatment.episode.is_some() {
            0.0
        } else {
            self.m.recovery.rate[self.g]
        }
    }

    /// The problem ends: any crisis phase with it, and any pending treatment start.
    pub(crate) fn on_recovery(&mut self) {
        self.record(EventKind::Recovery, 0, 0);
        self.recovery.recovered = true;
        self.offending.leave_crisis();
        self.cancel_pending_treatment();
    }

    /// The offence-rate factor of recovery.
    #[inline]
    pub(crate) fn recovery_offending_mult(&self) -> f64 {
        if self.recovery.recovered {
            self.m.recovery.offending_mult
        } else {
            1.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit;
    use crate::history::{EventKind, Route, Substance};

    #[test]
    fn recovery_runs_out_of_treatment_and_ends_entry_crisis_poisoning_and_positive_tests() {
        let m = testkit::model();
        let mut events = Vec::new();
        let mut s = testkit::sim(
            &m,
            testkit::person(Substance::OpiatesCrack, 30.0),
            &mut events,
        );
        s.offending.crisis = true;
        assert_eq!(s.recovery_rate(), m.recovery.rate[0]);
        s.treatment.episode = Some(Route::Voluntary);
        assert_eq!(s.recovery_rate(), 0.0, "not while in treatment");
        s.treatment.episode = None;
        let offences = s.offence_rate();
        assert!(s.entry_rate() > 0.0 && s.poisoning_death_rate() > 0.0);
        s.refer_to_treatment(s.t + 10.0, Route::Dip);
        s.on_recovery();
        assert!(!s.offending.crisis, "a crisis ends with the problem");
        assert!(s.treatment.pending.is_infinite(), "no pending start");
        assert_eq!(s.recovery_rate(), 0.0, "once only");
        assert_eq!(s.entry_rate(), 0.0);
        assert_eq!(s.poisoning_death_rate(), 0.0);
        assert_eq!(s.positive_test_probability(), 0.0);
        // Out of crisis, then recovered: the two factors.
        let expected = offences / m.offending.crisis_mult * m.recovery.offending_mult;
        assert!((s.offence_rate() - expected).abs() < 1e-12 * expected);
        s.refer_to_treatment(s.t + 10.0, Route::Dip);
        assert!(
            s.treatment.pending.is_infinite(),
            "no referral after recovery"
        );
        let _ = s;
        assert!(events.iter().any(|e| e.kind == EventKind::Recovery));
    }

    #[test]
    fn nobody_recovers_from_no_problem() {
        let m = testkit::model();
        let mut events = Vec::new();
        let s = testkit::sim(&m, testkit::person(Substance::None, 30.0), &mut events);
        assert_eq!(s.recovery_rate(), 0.0);
    }
}

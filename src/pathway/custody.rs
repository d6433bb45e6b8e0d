//! Custody and release: the high-risk window after release and continuity of care.

use crate::history::{CustodyKind, EventKind, Route};
use crate::parameter::parameters;
use crate::pathway::PersonSim;
use rand::RngExt;

parameters! {
    /// Time served in custody.
    pub struct CustodyParams in "custody" {
        /// Mean days served on a short sentence (under 12 months); time served is
        /// uniform between 0.5 and 1.5 times the mean.
        short_days_mean: f64 = 60.0, "days served", 1.0, 3650.0,
            "assumption: half of a sentence under 12 months";
        /// Mean days served on a long sentence.
        long_days_mean: f64 = 540.0, "days served", 1.0, 36500.0,
            "assumption";
        /// Mean days served after an order is revoked.
        breach_days_mean: f64 = 90.0, "days served", 1.0, 3650.0,
            "assumption";
    }
}

/// Mean days served, indexed by `CustodyKind` (short, long, after revocation).
#[derive(Debug, Clone)]
pub struct CustodyRates {
    pub days_mean: [f64; 3],
}

impl CustodyRates {
    pub fn new(c: &CustodyParams) -> Self {
        CustodyRates {
            days_mean: [c.short_days_mean, c.long_days_mean, c.breach_days_mean],
        }
    }
}

/// Custody's slice of a person's state.
#[derive(Debug, Clone)]
pub struct CustodyState {
    pub in_custody: bool,
    pub release_day: f64,
    /// In custody on remand (released when the case ends, unless given custody).
    pub on_remand: bool,
    /// The day the current remand began.
    pub remand_start: f64,
}

/// At the start of a career.
impl Default for CustodyState {
    fn default() -> Self {
        CustodyState {
            in_custody: false,
            release_day: f64::INFINITY,
            on_remand: false,
            remand_start: f64::NEG_INFINITY,
        }
    }
}

impl PersonSim<'_> {
    /// Release at the end of the time to serve (or of remand).
    pub(crate) fn on_release(&mut self) {
        let m = self.m;
        let from_remand = std::mem::take(&mut self.custody.on_remand);
        self.custody.in_custody = false;
        self.custody.release_day = f64::INFINITY;
        self.record(EventKind::Release, from_remand as u8, 0);
        self.open_release_window();
        let u: f64 = self.release_rng.get().random();
        let delay = Self::exp_days(&mut self.release_rng, m.treatment.continuity_delay_mean);
        self.schemes_at_release();
        if self.person.substance.uses_drugs()
            && m.iv.continuity.open(self.t)
            && u < m.iv.continuity_p.at(self.t) * self.schemes.continuity_mult
        {
            self.refer_to_treatment(self.t + delay, Route::Release);
        }
    }

    /// Remanded in custody until a case ends: treatment is interrupted and any
    /// pending start cancelled; an order stays open (its breach clock stops in
    /// custody). No prison scheme reaches remand prisoners (an assumption).
    pub(crate) fn enter_remand(&mut self) {
        self.end_treatment(crate::history::TreatmentExit::Custody);
        self.cancel_pending_treatment();
        self.custody.in_custody = true;
        self.custody.on_remand = true;
        self.custody.remand_start = self.t;
        self.custody.release_day = f64::INFINITY;
        self.offending.leave_crisis();
        self.record(EventKind::CustodyStart, CustodyKind::Remand as u8, 0);
    }

    /// The case ends without custody: released from remand, with the risks and
    /// the continuity of care of any release.
    pub(crate) fn release_from_remand(&mut self) {
        self.on_release();
    }

    /// Enter custody: ends any treatment episode and order, cancels pending
    /// treatment. Someone on remand is sentenced where they are: the days on
    /// remand count towards the time to serve.
    pub(crate) fn enter_custody(&mut self, kind: CustodyKind) {
        if self.custody.on_remand {
            self.custody.on_remand = false;
            self.end_order(crate::history::OrderOutcome::Custody);
            self.record(EventKind::CustodyStart, kind as u8, 1);
            let u: f64 = rand::RngExt::random(self.sentencing_rng.get());
            let served = self.m.custody.days_mean[kind as usize] * (0.5 + u);
            let days = (served - (self.t - self.custody.remand_start)).max(1.0);
            self.custody.release_day = self.t + days;
            self.prison_reception(days);
            return;
        }
        self.end_treatment(crate::history::TreatmentExit::Custody);
        self.end_order(crate::history::OrderOutcome::Custody);
        self.cancel_pending_treatment();
        self.custody.in_custody = true;
        self.offending.leave_crisis();
        self.record(EventKind::CustodyStart, kind as u8, 0);
        let u: f64 = rand::RngExt::random(self.sentencing_rng.get());
        let days = self.m.custody.days_mean[kind as usize] * (0.5 + u);
        self.custody.release_day = self.t + days;
        self.prison_reception(days);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit;
    use crate::history::{CustodyKind, EventKind, Route, Substance};

    #[test]
    fn reception_ends_treatment_and_orders_and_serves_half_to_one_and_a_half_times_the_mean() {
        let m = testkit::model();
        for seed_person in 0..50 {
            let mut events = Vec::new();
            let mut p = testkit::person(Substance::OpiatesCrack, 30.0);
            p.id = seed_person;
            let mut s = testkit::sim(&m, p, &mut events);
            s.start_treatment(Route::Voluntary);
            s.refer_to_treatment(s.t + 3.0, Route::Dip);
            let t = s.t;
            s.enter_custody(CustodyKind::Short);
            let served = s.custody.release_day - t;
            let mean = m.custody.days_mean[CustodyKind::Short as usize];
            assert!((0.5 * mean..1.5 * mean).contains(&served), "{served}");
            assert!(s.custody.in_custody && s.treatment.episode.is_none());
            assert!(
                s.treatment.pending.is_infinite(),
                "custody cancels a pending start"
            );
            assert!(s.events.iter().any(|e| e.kind == EventKind::CustodyStart));
        }
    }
}

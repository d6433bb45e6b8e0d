//! Custody and release: the high-risk window after release and continuity of care.

use crate::history::{EventKind, Route};
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

impl PersonSim<'_> {
    pub(crate) fn on_release(&mut self) {
        let m = self.m;
        self.in_custody = false;
        self.release_day = f64::INFINITY;
        self.record(EventKind::Release, 0, 0);
        self.risk_until = self.t + m.mortality.release_window;
        let u: f64 = self.release_rng.get().random();
        let delay = Self::exp_days(&mut self.release_rng, m.treatment.continuity_delay_mean);
        let (mult, days) = std::mem::replace(&mut self.programme_effect, (1.0, 0.0));
        if mult != 1.0 {
            self.effect_mult = mult;
            self.effect_until = self.t + days;
        }
        if self.person.substance.uses_drugs()
            && m.iv.continuity.open(self.t)
            && u < m.iv.continuity_p.at(self.t) * self.continuity_mult
        {
            self.pending_treatment = self.t + delay;
            self.pending_route = Route::Release;
        }
    }
}

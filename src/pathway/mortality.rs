//! Death (with the overdose risk of the first weeks after release) and desistance.

use crate::history::{EventKind, OrderOutcome, TreatmentExit};
use crate::pathway::PersonSim;

impl PersonSim<'_> {
    /// Gompertz background x substance multiplier x treatment, plus the release window.
    pub(crate) fn death_rate(&self) -> f64 {
        let m = self.m;
        let mut r = m.death_base25 * self.death_age_mult * m.death_mult[self.g];
        if self.treatment.is_some() {
            r *= m.mortality_in_treatment;
        }
        if self.t < self.risk_until {
            r += m.release_excess[self.g] * self.release_death_mult;
        }
        r
    }

    /// Desistance ends a career; not possible in custody, in treatment, on an order
    /// or with a court case pending (so no committed offence goes unconvicted).
    pub(crate) fn desistance_rate(&self) -> f64 {
        if self.in_custody || self.treatment.is_some() || self.order.is_some() || self.n_pending > 0
        {
            0.0
        } else {
            self.m.desistance[self.g] * self.desist_age_mult
        }
    }

    pub(crate) fn on_death(&mut self) {
        let in_window = self.t < self.risk_until;
        self.end_treatment(TreatmentExit::Died);
        if let Some(k) = self.order.take() {
            self.record(EventKind::OrderEnd, k as u8, OrderOutcome::Died as u16);
        }
        self.record(EventKind::Death, in_window as u8, 0);
        self.alive = false;
    }

    pub(crate) fn on_desistance(&mut self) {
        self.record(EventKind::Desistance, 0, 0);
        self.active = false;
    }
}

//! Community and suspended orders: start, completion, breach and revocation, and
//! treatment engagement under a DTTO, DRR or ATR.

use crate::calendar::DAYS_PER_YEAR;
use crate::history::{CustodyKind, EventKind, OrderKind, OrderOutcome, Route};
use crate::parameter::parameters;
use crate::pathway::PersonSim;
use rand::RngExt;

parameters! {
    /// Community and suspended orders: length, breach, and treatment engagement.
    pub struct OrderParams in "orders" {
        /// Order length in months.
        community_months: f64 = 12.0, "months", 0.1, 120.0,
            "assumption";
        /// Order length in months.
        dtto_months: f64 = 12.0, "months", 0.1, 120.0,
            "assumption: DTTOs ran 6 months to 3 years";
        /// Order length in months.
        drr_months: f64 = 12.0, "months", 0.1, 120.0,
            "assumption: DRRs run 6 months to 3 years";
        /// Order length in months.
        atr_months: f64 = 6.0, "months", 0.1, 120.0,
            "assumption: ATRs run 6 to 12 months";
        /// Breach-and-revocation rate (per year) while on the order.
        community_breach_rate: f64 = 0.35, "per year", 0.0, 100.0,
            "assumption";
        /// Breach-and-revocation rate (per year) while on the order.
        dtto_breach_rate: f64 = fitted, "per year", 0.0, 100.0,
            "calibrated to ukdpc_order_completion_2003, nao_order_completion_2003";
        /// Breach-and-revocation rate (per year) while on the order.
        drr_breach_rate: f64 = fitted, "per year", 0.0, 100.0,
            "calibrated to ukdpc_order_completion_2006";
        /// Breach-and-revocation rate (per year) while on the order.
        atr_breach_rate: f64 = 0.5, "per year", 0.0, 100.0,
            "assumption";
        /// Breach-rate multiplier while in treatment.
        in_treatment_breach_multiplier: f64 = fitted, "multiplier", 0.0, 10.0,
            "calibrated (docs/calibration.md); assumed mechanism: engagement keeps people compliant";
        /// Probability a revoked order is resentenced to custody.
        revocation_custody_probability: f64 = 0.5, "probability", 0.0, 1.0,
            "assumption";
        /// Probability a conviction for an offence committed during a community
        /// or suspended order breaches it: the order is revoked and the court
        /// resentences (custody at `revocation_custody_probability`).
        reconviction_breach_probability: f64 = 0.6, "probability", 0.0, 1.0,
            "assumption: reconviction is the main route to revocation (completers reconvict at ukdpc_reconviction_completers, non-completers at ukdpc_reconviction_noncompleters)";
        /// Probability of engaging with treatment on an order with a requirement.
        dtto_engagement_probability: f64 = 0.75, "probability", 0.0, 1.0,
            "assumption: treatment was the core of a DTTO";
        /// Probability of engaging with treatment on an order with a requirement.
        drr_engagement_probability: f64 = 0.3, "probability", 0.0, 1.0,
            "assumption, set by hand to bold_engaged_drr: a DRR's assessment leads to a treatment start for those not in treatment";
        /// Probability of engaging with treatment on an order with a requirement.
        atr_engagement_probability: f64 = fitted, "probability", 0.0, 1.0,
            "calibrated to bold_engaged_atr";
        /// Mean days from sentence to treatment start for those who engage.
        engagement_delay_days_mean: f64 = 18.0, "days", 0.0, 3650.0,
            "assumption; bold_in_treatment_3w_atr/drr validate it";
    }
}

/// Orders compiled, indexed by `OrderKind`: length in days, per-day breach rate
/// and engagement probability.
#[derive(Debug, Clone)]
pub struct OrderRates {
    pub days: [f64; 5],
    pub breach_rate: [f64; 5],
    pub engagement_p: [f64; 5],
    pub in_treatment_breach_mult: f64,
    pub revocation_custody_p: f64,
    pub reconviction_breach_p: f64,
    pub engagement_delay_mean: f64,
}

impl OrderRates {
    pub fn new(od: &OrderParams) -> Self {
        let month = DAYS_PER_YEAR / 12.0;
        let mut days = [0.0; 5];
        let mut breach_rate = [0.0; 5];
        let mut engagement_p = [0.0; 5];
        for k in OrderKind::ALL {
            let (months, breach, engage) = match k {
                OrderKind::Community | OrderKind::Suspended => {
                    (od.community_months, od.community_breach_rate, 0.0)
                }
                OrderKind::Dtto => (
                    od.dtto_months,
                    od.dtto_breach_rate,
                    od.dtto_engagement_probability,
                ),
                OrderKind::Drr => (
                    od.drr_months,
                    od.drr_breach_rate,
                    od.drr_engagement_probability,
                ),
                OrderKind::Atr => (
                    od.atr_months,
                    od.atr_breach_rate,
                    od.atr_engagement_probability,
                ),
            };
            days[k as usize] = months * month;
            breach_rate[k as usize] = breach / DAYS_PER_YEAR;
            engagement_p[k as usize] = engage;
        }
        OrderRates {
            days,
            breach_rate,
            engagement_p,
            in_treatment_breach_mult: od.in_treatment_breach_multiplier,
            revocation_custody_p: od.revocation_custody_probability,
            reconviction_breach_p: od.reconviction_breach_probability,
            engagement_delay_mean: od.engagement_delay_days_mean,
        }
    }
}

/// The order's slice of a person's state.
#[derive(Debug, Clone)]
pub struct OrderState {
    /// The community or suspended order being served, if any.
    pub kind: Option<OrderKind>,
    /// Day it ends if not breached.
    pub end: f64,
    /// Breach and arrest multipliers of the current order (drug court, low intensity).
    pub breach_mult: f64,
    pub offending_mult: f64,
}

/// At the start of a career.
impl Default for OrderState {
    fn default() -> Self {
        OrderState {
            kind: None,
            end: f64::INFINITY,
            breach_mult: 1.0,
            offending_mult: 1.0,
        }
    }
}

impl PersonSim<'_> {
    /// Breach-and-revocation rate while on an order: lower while in treatment,
    /// higher in a crisis phase (chaotic use means missed appointments), so
    /// completion and reoffending share their causes.
    pub(crate) fn breach_rate(&self) -> f64 {
        match self.orders.kind {
            Some(k) if !self.custody.in_custody => {
                let mut mult = if self.treatment.episode.is_some() {
                    self.m.orders.in_treatment_breach_mult
                } else {
                    1.0
                };
                if self.offending.crisis {
                    mult *= self.m.offending.crisis_mult;
                }
                self.m.orders.breach_rate[k as usize] * mult * self.orders.breach_mult
            }
            _ => 0.0,
        }
    }

    /// Start an order; `u_engage` decides treatment engagement for a requirement.
    pub(crate) fn start_order(&mut self, kind: OrderKind, u_engage: f64) {
        let m = self.m;
        if let Some(old) = self.orders.kind.take() {
            self.record(
                EventKind::OrderEnd,
                old as u8,
                OrderOutcome::Replaced as u16,
            );
        }
        self.record(EventKind::OrderStart, kind as u8, 0);
        self.orders.kind = Some(kind);
        self.orders.end = self.t + m.orders.days[kind as usize];
        let terms = self.order_schemes(kind);
        if let Some(end) = terms.end {
            self.orders.end = end;
        }
        self.orders.breach_mult = terms.breach_mult;
        self.orders.offending_mult = terms.offending_mult;
        let delay = Self::exp_days(&mut self.sentencing_rng, m.orders.engagement_delay_mean);
        if kind.has_treatment()
            && self.treatment.episode.is_none()
            && u_engage < m.orders.engagement_p[kind as usize]
        {
            self.refer_to_treatment_unless_sooner(self.t + delay, Route::Order);
        }
    }

    /// The order ends early for `outcome` (custody, death), if one is running.
    pub(crate) fn end_order(&mut self, outcome: OrderOutcome) {
        if let Some(k) = self.orders.kind.take() {
            self.orders.end = f64::INFINITY;
            self.record(EventKind::OrderEnd, k as u8, outcome as u16);
        }
    }

    /// The order runs its full length.
    pub(crate) fn on_order_end(&mut self) {
        if let Some(k) = self.orders.kind.take() {
            self.record(EventKind::OrderEnd, k as u8, OrderOutcome::Completed as u16);
        }
        self.orders.end = f64::INFINITY;
    }

    /// Breach and revocation; resentenced to custody with some probability.
    pub(crate) fn on_breach(&mut self) {
        let Some(k) = self.orders.kind.take() else {
            return;
        };
        self.orders.end = f64::INFINITY;
        self.record(EventKind::OrderEnd, k as u8, OrderOutcome::Revoked as u16);
        let u: f64 = self.sentencing_rng.get().random();
        if u < self.m.orders.revocation_custody_p {
            self.enter_custody(CustodyKind::Breach);
        }
    }
}

/// Whether an order kind counts as a DTTO/DRR (the UKDPC's drug orders).
pub fn is_drug_order(k: OrderKind) -> bool {
    matches!(k, OrderKind::Dtto | OrderKind::Drr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_lengths_are_months_in_days_and_breach_rates_per_day() {
        let p = OrderParams::default();
        let r = OrderRates::new(&p);
        assert_eq!(
            r.days[OrderKind::Drr as usize],
            p.drr_months * DAYS_PER_YEAR / 12.0
        );
        assert_eq!(
            r.days[OrderKind::Atr as usize],
            p.atr_months * DAYS_PER_YEAR / 12.0
        );
        assert_eq!(
            r.breach_rate[OrderKind::Dtto as usize],
            p.dtto_breach_rate / DAYS_PER_YEAR
        );
        // Plain community and suspended orders carry no treatment.
        assert_eq!(r.engagement_p[OrderKind::Community as usize], 0.0);
        assert_eq!(r.engagement_p[OrderKind::Suspended as usize], 0.0);
        assert_eq!(
            r.engagement_p[OrderKind::Drr as usize],
            p.drr_engagement_probability
        );
    }
}

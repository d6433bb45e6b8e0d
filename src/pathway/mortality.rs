//! Death, with the overdose risk of the first weeks after release.

use super::model::{by_band, by_group, daily};
use crate::calendar::DAYS_PER_YEAR;
use crate::history::{EventKind, OrderOutcome, TreatmentExit};
use crate::parameter::{parameters, BySubstance};
use crate::pathway::PersonSim;

parameters! {
    /// Mortality, including the overdose risk of the first weeks after release.
    pub struct MortalityParams in "mortality" {
        /// General-population death rate (per year) at exact age 25; bands use their mid-age.
        base_rate_age25: f64 = 0.0006, "per year", 0.0, 1.0,
            "assumption: general population, England and Wales life tables";
        /// Years for the death rate to double with age (Gompertz).
        age_doubling_years: f64 = 9.0, "years", 1.0, 100.0,
            "assumption: Gompertz law";
        /// Mortality multiplier by substance group.
        multiplier: BySubstance = [20.0, 3.0, 4.0, 1.5], "multiplier", 0.0, 1000.0,
            "calibrated to bold_outcome_died (context: opiate users die at 10-20 times the general rate)";
        /// Length of the high-risk window after release (days).
        release_window_days: f64 = 14.0, "days", 0.0, 365.0,
            "ukdpc_prison_release_death (2 weeks)";
        /// Extra death rate (per year) in that window, by substance group.
        release_excess_rate: BySubstance = [fitted, 0.02, 0.01, 0.0], "per year", 0.0, 100.0,
            "calibrated to ukdpc_prison_release_death";
    }
}

/// Mortality compiled: the per-day base rate at 25, age-band multipliers
/// (Gompertz), substance multipliers and the post-release window.
#[derive(Debug, Clone)]
pub struct MortalityRates {
    pub base25: f64,
    pub mult: [f64; 4],
    pub release_window: f64,
    pub release_excess: [f64; 4],
    pub age_death: Vec<f64>,
}

impl MortalityRates {
    pub fn new(p: &MortalityParams) -> Self {
        MortalityRates {
            base25: p.base_rate_age25 / DAYS_PER_YEAR,
            mult: by_group(&p.multiplier),
            release_window: p.release_window_days,
            release_excess: daily(&p.release_excess_rate),
            age_death: by_band(|a| ((a - 25.0) / p.age_doubling_years).exp2()),
        }
    }
}

/// Mortality's slice of a person's state.
#[derive(Debug, Clone)]
pub struct MortalityState {
    /// Age-band multiplier of the death rate.
    pub age_mult: f64,
    pub alive: bool,
    /// End of the post-release high-risk window (past when none is open).
    pub risk_until: f64,
}

impl MortalityState {
    /// The age band's multiplier of the death rate.
    pub fn set_age_band(&mut self, rates: &MortalityRates, band: usize) {
        self.age_mult = rates.age_death[band];
    }
}

/// At the start of a career.
impl Default for MortalityState {
    fn default() -> Self {
        MortalityState {
            age_mult: 1.0,
            alive: true,
            risk_until: f64::NEG_INFINITY,
        }
    }
}

impl PersonSim<'_> {
    /// Gompertz background x substance multiplier x treatment, plus the release window.
    pub(crate) fn death_rate(&self) -> f64 {
        let m = self.m;
        let mut r = m.mortality.base25 * self.mortality.age_mult * m.mortality.mult[self.g];
        if self.treatment.episode.is_some() {
            r *= m.treatment.mortality_in_treatment;
        }
        if self.t < self.mortality.risk_until {
            r += m.mortality.release_excess[self.g] * self.release_death_hook();
        }
        r
    }

    pub(crate) fn on_death(&mut self) {
        let in_window = self.t < self.mortality.risk_until;
        self.end_treatment(TreatmentExit::Died);
        self.end_order(OrderOutcome::Died);
        self.record(EventKind::Death, in_window as u8, 0);
        self.mortality.alive = false;
    }

    /// Release opens the window of high overdose risk.
    pub(crate) fn open_release_window(&mut self) {
        self.mortality.risk_until = self.t + self.m.mortality.release_window;
    }

    /// The post-release window has closed.
    /// When the open post-release window closes (infinite when none is open).
    pub(crate) fn release_window_end(&self) -> f64 {
        if self.mortality.risk_until > self.t {
            self.mortality.risk_until
        } else {
            f64::INFINITY
        }
    }

    pub(crate) fn close_release_window(&mut self) {
        self.mortality.risk_until = f64::NEG_INFINITY;
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit;
    use crate::calendar::DAYS_PER_YEAR;
    use crate::history::Substance;

    #[test]
    fn death_rate_is_gompertz_by_age_band_plus_the_release_window() {
        let p = crate::params::baseline();
        let m = testkit::model();
        let mut events = Vec::new();
        let mut s = testkit::sim(
            &m,
            testkit::person(Substance::OpiatesCrack, 41.0),
            &mut events,
        );
        // Band 40-45, taken at 42.5.
        let mo = &p.mortality;
        let gompertz = mo.base_rate_age25 / DAYS_PER_YEAR
            * ((42.5 - 25.0) / mo.age_doubling_years).exp2()
            * mo.multiplier.opiates_crack;
        assert!((s.death_rate() - gompertz).abs() < 1e-15 * gompertz.max(1e-300) + 1e-18);
        s.open_release_window();
        let excess = mo.release_excess_rate.opiates_crack / DAYS_PER_YEAR;
        assert!((s.death_rate() - (gompertz + excess)).abs() < 1e-15);
        s.t += mo.release_window_days;
        assert!(
            (s.death_rate() - gompertz).abs() < 1e-18,
            "the window has passed"
        );
    }
}

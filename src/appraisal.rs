//! The terms of a value-for-money appraisal, as a scenario sets them in its
//! `[value_for_money]` block: the years appraised, the price year, discounting
//! (HM Treasury's Green Book) and the willingness to pay for a QALY (NICE's
//! range). They change no simulated event, so two arms that differ only here
//! have identical histories. The appraisal itself is `crate::value_for_money`.

use crate::parameter::parameters;

parameters! {
    /// How a comparison is appraised: years, prices, discounting and thresholds.
    pub struct AppraisalParams in "value_for_money" {
        /// First year appraised (year 0 of discounting): the shipped policies
        /// start in April 2026.
        from: i32 = 2026, "year", 1990.0, 2200.0,
            "assumption: the shipped policy levers start on 2026-04-01, so their appraisal starts with 2026";
        /// Years appraised from `from` (the time horizon); must end by the run's horizon.
        years: u32 = 10, "years", 1.0, 200.0,
            "assumption: a ten-year horizon, 2026-2035, the run's projection period";
        /// Prices are expressed in this financial year (2024 = 2024/25), inflated with
        /// the GDP deflator (data/costs/gdp_deflator.csv, which covers the range).
        price_year: i32 = 2024, "financial year", 2000.0, 2030.0,
            "assumption: the latest financial year with an outturn GDP deflator (2024/25 = 100)";
        /// Discount rate for costs and monetised benefits, per year (the Green
        /// Book's 3.5% for years 0-30, 3.0% for 31-75).
        discount_rate: f64 = 0.035, "per year", 0.0, 0.2,
            "HM Treasury Green Book (2022), Annex A6: social time preference rate 3.5% a year for years 0-30";
        /// Discount rate for QALYs and life-years, per year (the central case; the
        /// appraisal also reports 1.5%, the Green Book's rate for health, as a
        /// sensitivity).
        health_discount_rate: f64 = 0.035, "per year", 0.0, 0.2,
            "NICE health technology evaluations manual (2022), 4.5.3: 3.5% a year for costs and health effects";
        /// Willingness to pay for a QALY, lower value (NICE's range).
        wtp_low: f64 = 20_000.0, "GBP per QALY", 0.0, 1e7,
            "NICE health technology evaluations manual (2022), 6.3.1: GBP 20,000-30,000 per QALY";
        /// Willingness to pay for a QALY, upper value (NICE's range).
        wtp_high: f64 = 30_000.0, "GBP per QALY", 0.0, 1e7,
            "NICE health technology evaluations manual (2022), 6.3.1: GBP 20,000-30,000 per QALY";
        /// Multiplier on every police unit cost (a local price, or a sensitivity).
        cost_multiplier_police: f64 = 1.0, "multiplier", 0.0, 100.0,
            "what-if: the unit costs of data/costs/unit_costs.csv as published";
        /// Multiplier on every court unit cost.
        cost_multiplier_courts: f64 = 1.0, "multiplier", 0.0, 100.0,
            "what-if: the unit costs of data/costs/unit_costs.csv as published";
        /// Multiplier on every probation unit cost.
        cost_multiplier_probation: f64 = 1.0, "multiplier", 0.0, 100.0,
            "what-if: the unit costs of data/costs/unit_costs.csv as published";
        /// Multiplier on every prison unit cost.
        cost_multiplier_prison: f64 = 1.0, "multiplier", 0.0, 100.0,
            "what-if: the unit costs of data/costs/unit_costs.csv as published";
        /// Multiplier on the unit costs of drug tests and DIP assessments.
        cost_multiplier_testing_and_assessment: f64 = 1.0, "multiplier", 0.0, 100.0,
            "what-if: the unit costs of data/costs/unit_costs.csv as published";
        /// Multiplier on every treatment unit cost.
        cost_multiplier_treatment: f64 = 1.0, "multiplier", 0.0, 100.0,
            "what-if: the unit costs of data/costs/unit_costs.csv as published";
        /// Multiplier on every health care unit cost.
        cost_multiplier_health: f64 = 1.0, "multiplier", 0.0, 100.0,
            "what-if: the unit costs of data/costs/unit_costs.csv as published";
        /// Multiplier on every cost of crime to victims and society.
        cost_multiplier_crime: f64 = 1.0, "multiplier", 0.0, 100.0,
            "what-if: the unit costs of data/costs/unit_costs.csv as published";
    }
}

impl AppraisalParams {
    /// The last year appraised.
    pub fn to(&self) -> i32 {
        self.from + self.years as i32 - 1
    }

    /// The range checks beyond each key's own: the years must lie inside the
    /// run's observed years, the thresholds in order. (key, message) pairs.
    ///
    /// A scenario is checked when it is loaded only if it sets its own terms:
    /// the default years (2026-2035) do not fit a run that ends earlier, and
    /// such a run is not appraised unless it is compared (which checks again).
    pub fn check(&self, observe_from: i32, last_year: i32) -> Vec<(String, String)> {
        let mut bad = Vec::new();
        if self.from < observe_from || self.from > last_year {
            bad.push((
                "value_for_money.from".to_string(),
                format!(
                    "must be a simulated year, from run.observe_from ({observe_from}) to the \
                     last year before run.horizon ({last_year}), got {}",
                    self.from
                ),
            ));
        } else if self.to() > last_year {
            bad.push((
                "value_for_money.years".to_string(),
                format!(
                    "must end by the last year before run.horizon ({last_year}): from {} for {} \
                     years ends in {}",
                    self.from,
                    self.years,
                    self.to()
                ),
            ));
        }
        if self.wtp_low > self.wtp_high {
            bad.push((
                "value_for_money.wtp_high".to_string(),
                format!(
                    "must not be below value_for_money.wtp_low ({}), got {}",
                    self.wtp_low, self.wtp_high
                ),
            ));
        }
        bad
    }
}

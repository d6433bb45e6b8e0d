//! Value for money: what a scenario costs against its baseline and what it
//! buys, run by run on common random numbers and over the posterior draws.
//!
//! 1. Each arm's results are priced year by year: every row of
//!    `data/costs/unit_costs.csv` multiplies the metric it names (arrests,
//!    sentences, months on an order or licence, years in prison or in treatment
//!    by setting, tests, assessments, offences committed by group, deaths),
//!    inflated to the appraisal's price year with the GDP deflator.
//! 2. QALYs are the person-years in each health state times its utility
//!    (`data/costs/utilities.csv`); deaths take their years away, and the years
//!    of life lost at each death are counted by cause.
//! 3. Costs, QALYs and life-years are discounted to the appraisal's first year
//!    (Green Book, [`discount`]); crimes and deaths are counted undiscounted.
//! 4. Paired differences (scenario minus baseline) of run r against run r give
//!    the incremental costs by perspective, crimes and deaths averted, QALYs
//!    gained, net monetary benefit, benefit-cost ratio, and, as the share of
//!    runs, the probability that benefits exceed costs. The runs spread over
//!    posterior parameter draws, so intervals carry parameter uncertainty as
//!    well as Monte Carlo noise.
//!
//! What a policy's own delivery costs (a retention programme, a drug court's
//! sittings) is not in the unit costs unless it is an activity the model
//! counts; the net monetary benefit is then the most it could cost and still pay.

pub mod discount;
pub mod prices;
pub mod tables;

use crate::appraisal::AppraisalParams;
use crate::history::{DeathCause, OffenceGroup};
use crate::metrics::{HealthState, Row, M};
use prices::{Category, Perspective, UnitCost};
use std::collections::HashMap;

/// The rate of the health-discounting sensitivity (Green Book: 1.5% for health).
pub const HEALTH_SENSITIVITY_RATE: f64 = 0.015;

/// Prices in the appraisal's price year, with the scenario's multipliers.
#[derive(Clone, Debug)]
pub struct Prices {
    /// Each unit cost and its GBP per metric unit in the price year.
    pub items: Vec<(UnitCost, f64)>,
    /// Utility of a year in each [`HealthState`].
    pub utilities: [f64; HealthState::N],
    pub price_year: i32,
}

impl Prices {
    /// The shipped prices for a scenario's appraisal settings.
    pub fn shipped(s: &AppraisalParams) -> Result<Prices, String> {
        let sh = prices::shipped();
        Prices::new(&sh.unit_costs, &sh.deflator, sh.utilities, s)
    }

    pub fn new(
        costs: &[UnitCost],
        deflator: &prices::Deflator,
        utilities: [f64; HealthState::N],
        s: &AppraisalParams,
    ) -> Result<Prices, String> {
        let mut items = Vec::new();
        for c in costs {
            let f = deflator.factor(c.price_year, s.price_year).ok_or_else(|| {
                format!(
                    "value_for_money.price_year must be a financial year the GDP deflator \
                     covers ({}-{}), got {}",
                    deflator.first(),
                    deflator.last(),
                    s.price_year
                )
            })?;
            items.push((
                c.clone(),
                c.per_metric_unit() * f * multiplier(s, c.category),
            ));
        }
        Ok(Prices {
            items,
            utilities,
            price_year: s.price_year,
        })
    }
}

/// The scenario's multiplier on a category's unit costs.
fn multiplier(s: &AppraisalParams, c: Category) -> f64 {
    match c {
        Category::Police => s.cost_multiplier_police,
        Category::Courts => s.cost_multiplier_courts,
        Category::Probation => s.cost_multiplier_probation,
        Category::Prison => s.cost_multiplier_prison,
        Category::TestingAndAssessment => s.cost_multiplier_testing_and_assessment,
        Category::Treatment => s.cost_multiplier_treatment,
        Category::Health => s.cost_multiplier_health,
        Category::Crime => s.cost_multiplier_crime,
    }
}

/// Costs by category and perspective.
pub type CostTable = [[f64; Perspective::N]; Category::N];

/// One arm's appraisal years, undiscounted, year by year.
#[derive(Clone, Debug, PartialEq)]
pub struct Account {
    /// GBP by year, category and perspective.
    pub cost: Vec<CostTable>,
    /// GBP by year and unit-cost row (in [`Prices::items`] order).
    pub items: Vec<Vec<f64>>,
    /// QALYs by year.
    pub qalys: Vec<f64>,
    /// Offences committed by year and offence group.
    pub offences: Vec<[f64; OffenceGroup::N]>,
    /// Deaths by year and cause.
    pub deaths: Vec<[f64; 2]>,
    /// Years of life lost by year and cause.
    pub life_years_lost: Vec<[f64; 2]>,
}

/// Price one arm's results (one run's rows, in real-world units).
pub fn account(rows: &[Row], prices: &Prices, s: &AppraisalParams) -> Account {
    let years: Vec<i32> = (s.from..=s.to()).collect();
    let index: HashMap<(M, &str, i32), f64> = rows
        .iter()
        .filter(|r| r.period >= s.from && r.period <= s.to())
        .map(|r| ((r.metric, r.group.as_str(), r.period), r.value))
        .collect();
    let get = |m: M, g: &str, y: i32| index.get(&(m, g, y)).copied().unwrap_or(0.0);
    let mut a = Account {
        cost: vec![[[0.0; 2]; Category::N]; years.len()],
        items: vec![vec![0.0; prices.items.len()]; years.len()],
        qalys: vec![0.0; years.len()],
        offences: vec![[0.0; OffenceGroup::N]; years.len()],
        deaths: vec![[0.0; 2]; years.len()],
        life_years_lost: vec![[0.0; 2]; years.len()],
    };
    for (t, &y) in years.iter().enumerate() {
        for (i, (c, per_unit)) in prices.items.iter().enumerate() {
            let v = get(c.metric, c.group_name(), y) * per_unit;
            a.items[t][i] = v;
            a.cost[t][c.category as usize][c.perspective as usize] += v;
        }
        for (k, name) in HealthState::NAMES.iter().enumerate() {
            a.qalys[t] += get(M::HEALTH_STATE_TIME, name, y) * prices.utilities[k];
        }
        for g in OffenceGroup::ALL {
            a.offences[t][g as usize] = get(M::OFFENCES, g.name(), y);
        }
        for c in DeathCause::ALL {
            a.deaths[t][c as usize] = get(M::DEATHS_BY_CAUSE, c.name(), y);
            a.life_years_lost[t][c as usize] = get(M::YEARS_OF_LIFE_LOST, c.name(), y);
        }
    }
    a
}

/// An arm's appraisal totals: costs, QALYs and life-years at present value,
/// crimes and deaths as counts.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Totals {
    pub cost: CostTable,
    pub items: Vec<f64>,
    pub qalys: f64,
    /// QALYs discounted at [`HEALTH_SENSITIVITY_RATE`].
    pub qalys_sensitivity: f64,
    pub offences: [f64; OffenceGroup::N],
    pub deaths: [f64; 2],
    /// Years of life lost: each death's whole remaining life expectancy,
    /// undiscounted.
    pub life_years_lost: [f64; 2],
}

impl Account {
    pub fn totals(&self, s: &AppraisalParams) -> Totals {
        let fc = |t: usize| discount::factor(s.discount_rate, t as u32);
        let fh = |t: usize| discount::factor(s.health_discount_rate, t as u32);
        let fs = |t: usize| discount::factor(HEALTH_SENSITIVITY_RATE, t as u32);
        let n_items = self.items.first().map_or(0, |v| v.len());
        let mut x = Totals {
            items: vec![0.0; n_items],
            ..Totals::default()
        };
        for t in 0..self.qalys.len() {
            for c in 0..Category::N {
                for p in 0..Perspective::N {
                    x.cost[c][p] += self.cost[t][c][p] * fc(t);
                }
            }
            for (i, v) in self.items[t].iter().enumerate() {
                x.items[i] += v * fc(t);
            }
            x.qalys += self.qalys[t] * fh(t);
            x.qalys_sensitivity += self.qalys[t] * fs(t);
            for g in 0..OffenceGroup::N {
                x.offences[g] += self.offences[t][g];
            }
            for c in 0..2 {
                x.deaths[c] += self.deaths[t][c];
                x.life_years_lost[c] += self.life_years_lost[t][c];
            }
        }
        x
    }
}

impl Totals {
    /// Public-sector cost (every category's public-sector part).
    pub fn public_sector(&self) -> f64 {
        self.cost
            .iter()
            .map(|c| c[Perspective::PublicSector as usize])
            .sum()
    }
    /// Costs borne by victims and society.
    pub fn victims(&self) -> f64 {
        self.cost
            .iter()
            .map(|c| c[Perspective::Victims as usize])
            .sum()
    }
    /// Both perspectives.
    pub fn society(&self) -> f64 {
        self.public_sector() + self.victims()
    }
    /// Scenario minus baseline, field by field.
    pub fn minus(&self, base: &Totals) -> Totals {
        let mut d = self.clone();
        for c in 0..Category::N {
            for p in 0..Perspective::N {
                d.cost[c][p] -= base.cost[c][p];
            }
        }
        for (a, b) in d.items.iter_mut().zip(&base.items) {
            *a -= b;
        }
        d.qalys -= base.qalys;
        d.qalys_sensitivity -= base.qalys_sensitivity;
        for g in 0..OffenceGroup::N {
            d.offences[g] -= base.offences[g];
        }
        for c in 0..2 {
            d.deaths[c] -= base.deaths[c];
            d.life_years_lost[c] -= base.life_years_lost[c];
        }
        d
    }
    /// Net monetary benefit at a willingness to pay per QALY, from the public
    /// sector's costs or society's (an increment's: QALYs gained valued, minus
    /// the extra cost).
    pub fn net_monetary_benefit(&self, wtp: f64, society: bool) -> f64 {
        let cost = if society {
            self.society()
        } else {
            self.public_sector()
        };
        wtp * self.qalys - cost
    }
    /// Benefits and costs of an increment, category by category: a category
    /// whose cost falls is a benefit, one whose cost rises a cost (monetised
    /// costs, victims' included; QALYs are valued in the net monetary benefit,
    /// not here).
    pub fn benefits_and_costs(&self) -> (f64, f64) {
        let (mut benefits, mut costs) = (0.0, 0.0);
        for c in &self.cost {
            let v: f64 = c.iter().sum();
            if v < 0.0 {
                benefits -= v;
            } else {
                costs += v;
            }
        }
        (benefits, costs)
    }
}

/// The mean over runs of each category's and perspective's cost.
pub fn mean_costs(runs: &[Totals]) -> CostTable {
    let n = runs.len().max(1) as f64;
    let mut mean = [[0.0; Perspective::N]; Category::N];
    for t in runs {
        for (m, c) in mean.iter_mut().zip(&t.cost) {
            for (mp, cp) in m.iter_mut().zip(c) {
                *mp += cp / n;
            }
        }
    }
    mean
}

/// A financial year as written in prices: 2024 as "2024/25".
pub fn financial_year(year: i32) -> String {
    format!("{year}/{:02}", (year + 1).rem_euclid(100))
}

/// The share of values above zero: the probability, over runs drawn from the
/// posterior predictive distribution, that a net benefit is positive.
pub fn probability_positive(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.iter().filter(|&&v| v > 0.0).count() as f64 / values.len() as f64
}

/// A paired comparison's appraisal: each run's baseline and scenario totals.
#[derive(Clone, Debug)]
pub struct Appraisal {
    pub settings: AppraisalParams,
    pub prices: Prices,
    pub base: Vec<Totals>,
    pub scenario: Vec<Totals>,
    /// Increments (scenario minus baseline), run by run.
    pub increments: Vec<Totals>,
    /// Mean undiscounted yearly cost by category, both arms.
    pub base_years: Vec<CostTable>,
    pub scenario_years: Vec<CostTable>,
    /// Undiscounted yearly increments by category, run by run.
    pub increment_years: Vec<Vec<CostTable>>,
    /// Parameter sets the runs spread over.
    pub sets: usize,
}

/// Appraise paired runs: `base[r]` against `scenario[r]`.
pub fn appraise(
    base: &[Vec<Row>],
    scenario: &[Vec<Row>],
    s: &AppraisalParams,
    sets: usize,
) -> Result<Appraisal, String> {
    let prices = Prices::shipped(s)?;
    Ok(appraise_with(base, scenario, s, prices, sets))
}

pub fn appraise_with(
    base: &[Vec<Row>],
    scenario: &[Vec<Row>],
    s: &AppraisalParams,
    prices: Prices,
    sets: usize,
) -> Appraisal {
    let years = s.years as usize;
    let mut out = Appraisal {
        settings: s.clone(),
        base: Vec::new(),
        scenario: Vec::new(),
        increments: Vec::new(),
        base_years: vec![[[0.0; 2]; Category::N]; years],
        scenario_years: vec![[[0.0; 2]; Category::N]; years],
        increment_years: Vec::new(),
        sets,
        prices,
    };
    let n = base.len().min(scenario.len()).max(1) as f64;
    for (rb, rs) in base.iter().zip(scenario) {
        let ab = account(rb, &out.prices, s);
        let asc = account(rs, &out.prices, s);
        let (tb, ts) = (ab.totals(s), asc.totals(s));
        out.increments.push(ts.minus(&tb));
        out.base.push(tb);
        out.scenario.push(ts);
        let mut inc = vec![[[0.0; 2]; Category::N]; years];
        for (t, year) in inc.iter_mut().enumerate() {
            for (c, by) in year.iter_mut().enumerate() {
                for (p, v) in by.iter_mut().enumerate() {
                    out.base_years[t][c][p] += ab.cost[t][c][p] / n;
                    out.scenario_years[t][c][p] += asc.cost[t][c][p] / n;
                    *v = asc.cost[t][c][p] - ab.cost[t][c][p];
                }
            }
        }
        out.increment_years.push(inc);
    }
    out
}

/// One year's cost of one category and perspective, undiscounted GBP: both
/// arms' means and the paired difference with the central 95% of runs.
#[derive(Clone, Debug, PartialEq)]
pub struct YearCost {
    pub year: i32,
    pub category: Category,
    pub perspective: Perspective,
    pub base: f64,
    pub scenario: f64,
    pub mean: f64,
    pub lo95: f64,
    pub hi95: f64,
}

/// One line of the value-for-money table.
#[derive(Clone, Debug, PartialEq)]
pub struct Measure {
    pub id: String,
    pub label: String,
    pub unit: &'static str,
    pub mean: f64,
    /// The central 95% of runs (NaN where a ratio has no interval).
    pub lo95: f64,
    pub hi95: f64,
}

fn spread(id: &str, label: String, unit: &'static str, mut v: Vec<f64>) -> Measure {
    v.sort_by(f64::total_cmp);
    let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
    Measure {
        id: id.to_string(),
        label,
        unit,
        mean,
        lo95: crate::run::quantile(&v, 0.025),
        hi95: crate::run::quantile(&v, 0.975),
    }
}

fn ratio(id: &str, label: String, unit: &'static str, value: f64) -> Measure {
    Measure {
        id: id.to_string(),
        label,
        unit,
        mean: value,
        lo95: f64::NAN,
        hi95: f64::NAN,
    }
}

const GBP_M: &str = "GBP million";

/// The incremental cost-effectiveness ratio of mean increments: defined only
/// where more health costs more or less health costs less; a cheaper and
/// better scenario dominates (no ratio), a dearer and worse one is dominated.
fn icer(id: &str, who: &str, dc: f64, dq: f64) -> Measure {
    let label = format!("Incremental cost per QALY gained, {who} (ratio of means)");
    let (label, value) = if dq > 0.0 && dc <= 0.0 {
        (format!("{label}: dominant, cheaper and better"), f64::NAN)
    } else if dq < 0.0 && dc >= 0.0 {
        (format!("{label}: dominated, dearer and worse"), f64::NAN)
    } else if dq == 0.0 {
        (format!("{label}: no QALY difference"), f64::NAN)
    } else {
        (label, dc / dq)
    };
    ratio(id, label, "GBP per QALY", value)
}

impl Appraisal {
    fn each(&self, f: impl Fn(&Totals) -> f64) -> Vec<f64> {
        self.increments.iter().map(f).collect()
    }

    fn mean(&self, f: impl Fn(&Totals) -> f64) -> f64 {
        let v = self.each(f);
        v.iter().sum::<f64>() / v.len().max(1) as f64
    }

    /// Runs appraised.
    pub fn runs(&self) -> usize {
        self.increments.len()
    }

    /// The probability that the net monetary benefit is positive at `wtp`.
    pub fn probability_cost_effective(&self, wtp: f64, society: bool) -> f64 {
        probability_positive(&self.each(|d| d.net_monetary_benefit(wtp, society)))
    }

    /// The table: every measure with its mean and the central 95% of runs.
    pub fn measures(&self) -> Vec<Measure> {
        let s = &self.settings;
        let m = 1e6;
        let mut out = Vec::new();
        out.push(spread(
            "incremental_cost_public_sector",
            "Incremental cost to the public sector (present value)".into(),
            GBP_M,
            self.each(|d| d.public_sector() / m),
        ));
        for c in Category::ALL {
            if c == Category::Crime {
                continue;
            }
            let i = c as usize;
            out.push(spread(
                &format!("incremental_cost_{}", c.name()),
                format!("  of which {}", c.label().to_lowercase()),
                GBP_M,
                self.each(|d| d.cost[i][Perspective::PublicSector as usize] / m),
            ));
        }
        out.push(spread(
            "incremental_cost_victims",
            "Incremental cost of crime to victims and society (present value)".into(),
            GBP_M,
            self.each(|d| d.victims() / m),
        ));
        out.push(spread(
            "incremental_cost_society",
            "Incremental cost to society: public sector and victims (present value)".into(),
            GBP_M,
            self.each(|d| d.society() / m),
        ));
        for g in OffenceGroup::ALL {
            let i = g as usize;
            out.push(spread(
                &format!("crimes_averted_{}", g.name()),
                format!("Crimes averted: {}", g.name()),
                "offences",
                self.each(|d| -d.offences[i]),
            ));
        }
        out.push(spread(
            "crimes_averted",
            "Crimes averted: all".into(),
            "offences",
            self.each(|d| -d.offences.iter().sum::<f64>()),
        ));
        for c in DeathCause::ALL {
            let i = c as usize;
            out.push(spread(
                &format!("deaths_averted_{}", c.name()),
                format!("Deaths averted: {}", c.name().replace('_', " ")),
                "deaths",
                self.each(|d| -d.deaths[i]),
            ));
        }
        out.push(spread(
            "life_years_gained",
            "Years of life lost averted (each death's remaining life expectancy, undiscounted)"
                .into(),
            "life-years",
            self.each(|d| -d.life_years_lost.iter().sum::<f64>()),
        ));
        out.push(spread(
            "qalys_gained",
            format!(
                "QALYs gained in the appraisal years (discounted at {}%)",
                pct(s.health_discount_rate)
            ),
            "QALYs",
            self.each(|d| d.qalys),
        ));
        out.push(spread(
            "qalys_gained_health_rate_1_5",
            "QALYs gained, discounted at 1.5% (Green Book health rate, sensitivity)".into(),
            "QALYs",
            self.each(|d| d.qalys_sensitivity),
        ));
        let dq = self.mean(|d| d.qalys);
        for (society, id, who) in [
            (false, "icer_public_sector", "public sector"),
            (true, "icer_society", "society"),
        ] {
            let dc = self.mean(|d| {
                if society {
                    d.society()
                } else {
                    d.public_sector()
                }
            });
            out.push(icer(id, who, dc, dq));
        }
        for (society, who) in [(false, "public sector"), (true, "society")] {
            for wtp in [s.wtp_low, s.wtp_high] {
                out.push(spread(
                    &format!(
                        "net_monetary_benefit_{}_{}k",
                        if society { "society" } else { "public_sector" },
                        (wtp / 1000.0).round()
                    ),
                    format!(
                        "Net monetary benefit at GBP {} per QALY, {who}",
                        thousands(wtp)
                    ),
                    GBP_M,
                    self.each(|d| d.net_monetary_benefit(wtp, society) / m),
                ));
            }
        }
        // Each category's mean increment first, then split by sign: a
        // category with no effect adds nothing to either side.
        let mean = Totals {
            cost: mean_costs(&self.increments),
            ..Totals::default()
        };
        let (b, c) = mean.benefits_and_costs();
        out.push(ratio(
            "benefit_cost_ratio",
            "Benefit-cost ratio: mean costs that fall over mean costs that rise, by category (monetised costs, victims' included; QALYs not valued)".into(),
            "ratio",
            if c > 0.0 {
                b / c
            } else if b > 0.0 {
                f64::INFINITY
            } else {
                f64::NAN
            },
        ));
        out.push(ratio(
            "probability_benefits_exceed_costs",
            "Probability that benefits exceed costs (society, monetised costs with victims' included, QALYs not valued: share of runs with a fall in total cost)".into(),
            "probability",
            probability_positive(&self.each(|d| -d.society())),
        ));
        for (society, who) in [(false, "public sector"), (true, "society")] {
            for wtp in [s.wtp_low, s.wtp_high] {
                out.push(ratio(
                    &format!(
                        "probability_cost_effective_{}_{}k",
                        if society { "society" } else { "public_sector" },
                        (wtp / 1000.0).round()
                    ),
                    format!(
                        "Probability of a positive net monetary benefit at GBP {} per QALY, {who}",
                        thousands(wtp)
                    ),
                    "probability",
                    self.probability_cost_effective(wtp, society),
                ));
            }
        }
        out
    }

    /// The cost-effectiveness acceptability curve: willingness to pay and the
    /// probability of a positive net monetary benefit (public sector, society).
    pub fn acceptability_curve(&self) -> Vec<(f64, f64, f64)> {
        (0..=40)
            .map(|k| {
                let wtp = k as f64 * 2_500.0;
                (
                    wtp,
                    self.probability_cost_effective(wtp, false),
                    self.probability_cost_effective(wtp, true),
                )
            })
            .collect()
    }

    /// Mean increments by year and category (undiscounted GBP), with the
    /// central 95% of runs: where the money goes.
    pub fn by_year(&self) -> Vec<YearCost> {
        let mut out = Vec::new();
        for t in 0..self.settings.years as usize {
            for c in Category::ALL {
                for p in Perspective::ALL {
                    let mut v: Vec<f64> = self
                        .increment_years
                        .iter()
                        .map(|r| r[t][c as usize][p as usize])
                        .collect();
                    if self.base_years[t][c as usize][p as usize] == 0.0
                        && v.iter().all(|&x| x == 0.0)
                    {
                        continue;
                    }
                    v.sort_by(f64::total_cmp);
                    let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
                    out.push(YearCost {
                        year: self.settings.from + t as i32,
                        category: c,
                        perspective: p,
                        base: self.base_years[t][c as usize][p as usize],
                        scenario: self.scenario_years[t][c as usize][p as usize],
                        mean,
                        lo95: crate::run::quantile(&v, 0.025),
                        hi95: crate::run::quantile(&v, 0.975),
                    });
                }
            }
        }
        out
    }
}

pub fn pct(r: f64) -> String {
    let s = format!("{:.2}", r * 100.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// 20000 as "20,000".
pub fn thousands(v: f64) -> String {
    let s = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if v < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests;

/// GBP million as words a briefing uses: "GBP 12.3 million", "GBP 1.24 billion".
pub fn money_words(million: f64) -> String {
    let a = million.abs();
    let sign = if million < 0.0 { "-" } else { "" };
    if a >= 1000.0 {
        format!("{sign}GBP {:.2} billion", a / 1000.0)
    } else if a >= 100.0 {
        format!("{sign}GBP {a:.0} million")
    } else if a >= 1.0 {
        format!("{sign}GBP {a:.1} million")
    } else {
        format!("{sign}GBP {:.0} thousand", a * 1000.0)
    }
}

/// A count rounded for reading: 12,300; 1.2 million.
pub fn count_words(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.1} million", v / 1e6)
    } else if a >= 1000.0 {
        thousands((v / 100.0).round() * 100.0)
    } else if a >= 10.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

impl Appraisal {
    /// The result as a commissioner would read it: what it costs, what it buys,
    /// whether it is worth it, and how sure the runs are.
    pub fn reading(&self) -> Vec<String> {
        if self.runs() == 0 {
            return Vec::new();
        }
        let s = &self.settings;
        let all = self.measures();
        let get = |id: &str| all.iter().find(|m| m.id == id).expect("measure declared");
        let iv = |m: &Measure, f: &dyn Fn(f64) -> String| {
            format!("95% of runs {} to {}", f(m.lo95), f(m.hi95))
        };
        let cost = get("incremental_cost_public_sector");
        let mut out = Vec::new();
        let spend = if cost.mean >= 0.0 { "costs" } else { "saves" };
        out.push(format!(
            "Over {}-{} the scenario {spend} the public sector {} (present value at {} prices; 95% of runs {}).",
            s.from,
            s.to(),
            money_words(cost.mean.abs()),
            financial_year(self.prices.price_year),
            cost_range(cost.lo95, cost.hi95)
        ));
        let mut parts: Vec<(f64, String)> = Category::ALL
            .iter()
            .filter(|&&c| c != Category::Crime)
            .map(|&c| {
                let m = get(&format!("incremental_cost_{}", c.name()));
                (m.mean, lower_first(c.label()))
            })
            .filter(|(v, _)| v.abs() >= 0.05 * cost.mean.abs().max(0.1))
            .collect();
        parts.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
        if !parts.is_empty() {
            out.push(format!(
                "Where the money goes: {}.",
                parts
                    .iter()
                    .take(4)
                    .map(|(v, l)| format!("{l} {}", signed_money(*v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let crimes = get("crimes_averted");
        let deaths: f64 = DeathCause::ALL
            .iter()
            .map(|c| get(&format!("deaths_averted_{}", c.name())).mean)
            .sum();
        let victims = get("incremental_cost_victims");
        let qalys = get("qalys_gained");
        out.push(format!(
            "It {} {} crimes ({}), {} {} of harm to victims and society, {} {} deaths, and {} {} QALYs ({}).",
            if crimes.mean >= 0.0 { "averts" } else { "adds" },
            count_words(crimes.mean.abs()),
            iv(crimes, &count_words),
            if victims.mean <= 0.0 { "spares" } else { "adds" },
            money_words(victims.mean.abs()),
            if deaths >= 0.0 { "averts" } else { "adds" },
            count_words(deaths.abs()),
            if qalys.mean >= 0.0 { "gains" } else { "loses" },
            count_words(qalys.mean.abs()),
            iv(qalys, &count_words)
        ));
        let low = format!("{}k", (s.wtp_low / 1000.0).round());
        let nmb = get(&format!("net_monetary_benefit_public_sector_{low}"));
        let p_pub = get(&format!("probability_cost_effective_public_sector_{low}"));
        let p_soc = get(&format!("probability_cost_effective_society_{low}"));
        let icer = get("icer_public_sector").mean;
        let dq = get("qalys_gained").mean;
        let dc = cost.mean;
        let judgement = if dc == 0.0 && dq == 0.0 {
            "It makes no difference to public-sector costs or to health in these runs.".to_string()
        } else if (dc <= 0.0 && dq > 0.0) || (dc < 0.0 && dq >= 0.0) {
            "It dominates the baseline: cheaper for the public sector and better in health."
                .to_string()
        } else if (dc >= 0.0 && dq < 0.0) || (dc > 0.0 && dq <= 0.0) {
            "It is dominated: dearer for the public sector with no health gain.".to_string()
        } else if dq < 0.0 {
            format!(
                "It is cheaper but worse in health: it saves the public sector GBP {} for each QALY lost.",
                thousands(icer)
            )
        } else {
            format!(
                "Each QALY gained costs the public sector GBP {} ({}).",
                thousands(icer),
                if icer <= s.wtp_low {
                    format!("under NICE's GBP {} threshold", thousands(s.wtp_low))
                } else if icer <= s.wtp_high {
                    format!(
                        "between NICE's GBP {} and GBP {}",
                        thousands(s.wtp_low),
                        thousands(s.wtp_high)
                    )
                } else {
                    format!("above NICE's GBP {} threshold", thousands(s.wtp_high))
                }
            )
        };
        out.push(judgement);
        out.push(format!(
            "At GBP {} per QALY its net monetary benefit is {} ({}); it is cost-effective in {:.0}% of runs on public-sector costs, {:.0}% counting victims' costs, and total costs to society fall in {:.0}% of runs.",
            thousands(s.wtp_low),
            money_words(nmb.mean),
            iv(nmb, &|v| money_words(v)),
            100.0 * p_pub.mean,
            100.0 * p_soc.mean,
            100.0 * get("probability_benefits_exceed_costs").mean
        ));
        out.push(format!(
            "The runs are {} paired replicates over {} parameter set(s){}; a policy's own delivery costs beyond the activity the model counts are not priced, so the net monetary benefit is also the most that delivery could cost and still pay for itself.",
            self.runs(),
            self.sets,
            if self.sets > 1 {
                " drawn from the calibration's posterior, so the ranges carry parameter uncertainty as well as chance"
            } else {
                " (the point estimate: the ranges are Monte Carlo noise only)"
            }
        ));
        out
    }
}

/// An interval of extra cost in words: saving, costing, or either.
fn cost_range(lo: f64, hi: f64) -> String {
    if hi <= 0.0 {
        format!("saving {} to {}", money_words(-hi), money_words(-lo))
    } else if lo >= 0.0 {
        format!("costing {} to {}", money_words(lo), money_words(hi))
    } else {
        format!(
            "from saving {} to costing {}",
            money_words(-lo),
            money_words(hi)
        )
    }
}

/// "Drug tests and DIP assessments" as "drug tests and DIP assessments".
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn signed_money(million: f64) -> String {
    if million >= 0.0 {
        format!("+{}", money_words(million))
    } else {
        format!("-{}", money_words(-million))
    }
}

//! The prices an appraisal uses, read from sourced data files compiled in:
//! unit costs (`data/costs/unit_costs.csv`: what each counted event or month
//! costs, whom, in which price year, from which source), the GDP deflator that
//! brings them to one price year (`data/costs/gdp_deflator.csv`), and the
//! health-state utilities for QALYs (`data/costs/utilities.csv`).

use crate::metrics::{HealthState, Kind, M};
use std::sync::LazyLock;

const UNIT_COSTS_CSV: &str = include_str!("../../data/costs/unit_costs.csv");
const DEFLATOR_CSV: &str = include_str!("../../data/costs/gdp_deflator.csv");
const UTILITIES_CSV: &str = include_str!("../../data/costs/utilities.csv");

/// Where the money goes: the breakdown of every cost table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Category {
    Police = 0,
    Courts = 1,
    Probation = 2,
    Prison = 3,
    TestingAndAssessment = 4,
    Treatment = 5,
    Health = 6,
    /// The costs of crime to its victims and to society (harm, lost output,
    /// property, defensive spending), the Home Office's consequence and
    /// anticipation costs.
    Crime = 7,
}

impl Category {
    pub const N: usize = 8;
    pub const ALL: [Category; 8] = [
        Category::Police,
        Category::Courts,
        Category::Probation,
        Category::Prison,
        Category::TestingAndAssessment,
        Category::Treatment,
        Category::Health,
        Category::Crime,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Category::Police => "police",
            Category::Courts => "courts",
            Category::Probation => "probation",
            Category::Prison => "prison",
            Category::TestingAndAssessment => "testing_and_assessment",
            Category::Treatment => "treatment",
            Category::Health => "health",
            Category::Crime => "crime",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Category::Police => "Police",
            Category::Courts => "Courts",
            Category::Probation => "Probation",
            Category::Prison => "Prison",
            Category::TestingAndAssessment => "Drug tests and DIP assessments",
            Category::Treatment => "Drug treatment",
            Category::Health => "Health care",
            Category::Crime => "Crime (victims and society)",
        }
    }
    fn from_name(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.name() == s)
    }
}

/// Who bears a cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Perspective {
    /// Police, courts, prosecution, legal aid, probation, prison, NHS and
    /// treatment services.
    PublicSector = 0,
    /// Victims of crime and the rest of society.
    Victims = 1,
}

impl Perspective {
    pub const N: usize = 2;
    pub const ALL: [Perspective; 2] = [Perspective::PublicSector, Perspective::Victims];
    pub fn name(self) -> &'static str {
        match self {
            Perspective::PublicSector => "public_sector",
            Perspective::Victims => "victims",
        }
    }
    fn from_name(s: &str) -> Option<Perspective> {
        Perspective::ALL.into_iter().find(|c| c.name() == s)
    }
}

/// What one unit of a cost row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// Each counted event (an arrest, a test, a sentence, an offence, a death).
    Each,
    /// A person-month of a time metric.
    Month,
    /// A person-year of a time metric.
    Year,
}

/// One row of the unit-cost file.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitCost {
    pub id: String,
    pub item: String,
    pub category: Category,
    pub perspective: Perspective,
    /// The metric that counts what is priced.
    pub metric: M,
    /// Its group index, or `None` for the metric's total.
    pub group: Option<usize>,
    /// The share of the counted units the cost applies to.
    pub share: f64,
    pub basis: Basis,
    /// GBP at `price_year` prices.
    pub value: f64,
    /// The financial year of the price (2015 = 2015/16).
    pub price_year: i32,
    pub source: String,
    pub url: String,
}

impl UnitCost {
    /// The group's name as results rows carry it ("all" for the total).
    pub fn group_name(&self) -> &'static str {
        match self.group {
            None => "all",
            Some(g) => self.metric.def().grouping.names()[g],
        }
    }

    /// GBP per unit of the metric (an event, or a person-year of a time
    /// metric), before inflation: the value times its share, a month's price
    /// times twelve.
    pub fn per_metric_unit(&self) -> f64 {
        let per = match self.basis {
            Basis::Each | Basis::Year => 1.0,
            Basis::Month => 12.0,
        };
        self.value * self.share * per
    }
}

/// A CSV file's rows as header-keyed records, with errors naming file, line and column.
struct Table<'a> {
    file: &'a str,
    headers: csv::StringRecord,
    rows: Vec<(usize, csv::StringRecord)>,
}

impl<'a> Table<'a> {
    fn parse(file: &'a str, text: &str, required: &[&str]) -> Result<Table<'a>, String> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| format!("{file}: {e}"))?
            .clone();
        for col in required {
            if !headers.iter().any(|h| h == *col) {
                return Err(format!("{file}: no column {col}"));
            }
        }
        let mut rows = Vec::new();
        for (n, row) in reader.records().enumerate() {
            let row = row.map_err(|e| format!("{file}: {e}"))?;
            rows.push((n + 2, row));
        }
        Ok(Table {
            file,
            headers,
            rows,
        })
    }

    fn get<'r>(&self, row: &'r csv::StringRecord, col: &str) -> &'r str {
        let i = self
            .headers
            .iter()
            .position(|h| h == col)
            .expect("required columns are checked");
        row.get(i).unwrap_or("").trim()
    }

    fn err(&self, line: usize, col: &str, msg: impl std::fmt::Display) -> String {
        format!("{}:{line}: {col} {msg}", self.file)
    }

    fn number(&self, line: usize, row: &csv::StringRecord, col: &str) -> Result<f64, String> {
        let v = self.get(row, col);
        v.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| self.err(line, col, format!("must be a number, got {v:?}")))
    }
}

/// The columns of the unit-cost file (a `notes` column may follow).
pub const UNIT_COST_COLUMNS: [&str; 12] = [
    "id",
    "item",
    "category",
    "perspective",
    "applies_to",
    "group",
    "share",
    "basis",
    "value",
    "price_year",
    "source",
    "url",
];

/// Parse the unit-cost file: every metric, group and basis is checked against
/// the metric declarations, and every price year against the deflator.
pub fn parse_unit_costs(
    file: &str,
    text: &str,
    deflator: &Deflator,
) -> Result<Vec<UnitCost>, String> {
    let t = Table::parse(file, text, &UNIT_COST_COLUMNS)?;
    let mut out: Vec<UnitCost> = Vec::new();
    for (line, row) in &t.rows {
        let line = *line;
        let id = t.get(row, "id").to_string();
        if id.is_empty() || out.iter().any(|c| c.id == id) {
            return Err(t.err(
                line,
                "id",
                format!("must be unique and not empty, got {id:?}"),
            ));
        }
        let category = Category::from_name(t.get(row, "category")).ok_or_else(|| {
            t.err(
                line,
                "category",
                format!(
                    "must be one of {}, got {:?}",
                    Category::ALL.map(|c| c.name()).join(", "),
                    t.get(row, "category")
                ),
            )
        })?;
        let perspective = Perspective::from_name(t.get(row, "perspective")).ok_or_else(|| {
            t.err(
                line,
                "perspective",
                format!(
                    "must be public_sector or victims, got {:?}",
                    t.get(row, "perspective")
                ),
            )
        })?;
        let name = t.get(row, "applies_to");
        let metric = M::from_name(name)
            .ok_or_else(|| t.err(line, "applies_to", format!("is not a metric: {name:?}")))?;
        let g = t.get(row, "group");
        let names = metric.def().grouping.names();
        let group = if g == "all" {
            None
        } else {
            Some(names.iter().position(|n| *n == g).ok_or_else(|| {
                t.err(
                    line,
                    "group",
                    format!(
                        "must be all or a group of {name} ({}), got {g:?}",
                        names.join(", ")
                    ),
                )
            })?)
        };
        let basis = match (t.get(row, "basis"), metric.def().kind) {
            ("each", Kind::Count | Kind::Thousandths) => Basis::Each,
            ("month", Kind::PersonYears) => Basis::Month,
            ("year", Kind::PersonYears) => Basis::Year,
            (b, kind) => {
                let want = match kind {
                    Kind::PersonYears => "month or year (a time metric)",
                    Kind::Ratio(..) => "nothing: a rate cannot be priced",
                    _ => "each (a count)",
                };
                return Err(t.err(
                    line,
                    "basis",
                    format!("for {name} must be {want}, got {b:?}"),
                ));
            }
        };
        let share = t.number(line, row, "share")?;
        if !(share > 0.0 && share <= 1.0) {
            return Err(t.err(line, "share", format!("must be in (0, 1], got {share}")));
        }
        let value = t.number(line, row, "value")?;
        if value < 0.0 {
            return Err(t.err(line, "value", format!("must not be negative, got {value}")));
        }
        let price_year = t.number(line, row, "price_year")?;
        if price_year.fract() != 0.0 || deflator.index(price_year as i32).is_none() {
            return Err(t.err(
                line,
                "price_year",
                format!(
                    "must be a financial year the deflator covers ({}-{}), got {price_year}",
                    deflator.first(),
                    deflator.last()
                ),
            ));
        }
        let source = t.get(row, "source").to_string();
        if source.is_empty() {
            return Err(t.err(line, "source", "must name where the figure comes from"));
        }
        out.push(UnitCost {
            id,
            item: t.get(row, "item").to_string(),
            category,
            perspective,
            metric,
            group,
            share,
            basis,
            value,
            price_year: price_year as i32,
            source,
            url: t.get(row, "url").to_string(),
        });
    }
    Ok(out)
}

/// The GDP deflator by financial year.
#[derive(Clone, Debug, PartialEq)]
pub struct Deflator {
    /// (financial year, index), consecutive years.
    years: Vec<(i32, f64)>,
}

impl Deflator {
    pub fn parse(file: &str, text: &str) -> Result<Deflator, String> {
        let t = Table::parse(file, text, &["year", "deflator"])?;
        let mut years: Vec<(i32, f64)> = Vec::new();
        for (line, row) in &t.rows {
            let y = t.number(*line, row, "year")?;
            let d = t.number(*line, row, "deflator")?;
            if d <= 0.0 {
                return Err(t.err(*line, "deflator", format!("must be positive, got {d}")));
            }
            if let Some(&(last, _)) = years.last() {
                if y as i32 != last + 1 {
                    return Err(t.err(
                        *line,
                        "year",
                        format!("must follow {last} with no gap, got {y}"),
                    ));
                }
            }
            years.push((y as i32, d));
        }
        if years.is_empty() {
            return Err(format!("{file}: no rows"));
        }
        Ok(Deflator { years })
    }
    pub fn first(&self) -> i32 {
        self.years[0].0
    }
    pub fn last(&self) -> i32 {
        self.years[self.years.len() - 1].0
    }
    pub fn index(&self, year: i32) -> Option<f64> {
        let i = year.checked_sub(self.first())?;
        self.years.get(usize::try_from(i).ok()?).map(|&(_, d)| d)
    }
    /// The multiplier that takes a price from `from` to `to` prices.
    pub fn factor(&self, from: i32, to: i32) -> Option<f64> {
        Some(self.index(to)? / self.index(from)?)
    }
}

/// The utility of a year in each health state.
pub fn parse_utilities(file: &str, text: &str) -> Result<[f64; HealthState::N], String> {
    let t = Table::parse(file, text, &["state", "utility", "source"])?;
    let mut out = [f64::NAN; HealthState::N];
    for (line, row) in &t.rows {
        let state = t.get(row, "state");
        let i = HealthState::NAMES
            .iter()
            .position(|n| *n == state)
            .ok_or_else(|| {
                t.err(
                    *line,
                    "state",
                    format!(
                        "must be one of {}, got {state:?}",
                        HealthState::NAMES.join(", ")
                    ),
                )
            })?;
        let u = t.number(*line, row, "utility")?;
        if !(-0.6..=1.0).contains(&u) {
            return Err(t.err(*line, "utility", format!("must be in [-0.6, 1], got {u}")));
        }
        if !out[i].is_nan() {
            return Err(t.err(*line, "state", format!("{state} appears twice")));
        }
        out[i] = u;
    }
    if let Some(i) = out.iter().position(|u| u.is_nan()) {
        return Err(format!("{file}: no row for {}", HealthState::NAMES[i]));
    }
    Ok(out)
}

/// The shipped prices, parsed once (a test checks they parse).
pub struct Shipped {
    pub deflator: Deflator,
    pub unit_costs: Vec<UnitCost>,
    pub utilities: [f64; HealthState::N],
}

pub fn shipped() -> &'static Shipped {
    static S: LazyLock<Shipped> = LazyLock::new(|| {
        let deflator = Deflator::parse("data/costs/gdp_deflator.csv", DEFLATOR_CSV)
            .unwrap_or_else(|e| panic!("{e}"));
        let unit_costs = parse_unit_costs("data/costs/unit_costs.csv", UNIT_COSTS_CSV, &deflator)
            .unwrap_or_else(|e| panic!("{e}"));
        let utilities = parse_utilities("data/costs/utilities.csv", UTILITIES_CSV)
            .unwrap_or_else(|e| panic!("{e}"));
        Shipped {
            deflator,
            unit_costs,
            utilities,
        }
    });
    &S
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deflator() -> Deflator {
        Deflator::parse("d.csv", "year,deflator\n2015,80\n2016,82\n2017,84\n").unwrap()
    }

    #[test]
    fn the_shipped_files_parse_and_every_row_names_a_source_and_price_year() {
        let s = shipped();
        assert!(s.unit_costs.len() >= 20, "{} rows", s.unit_costs.len());
        for c in &s.unit_costs {
            assert!(
                !c.source.is_empty() && c.url.starts_with("http"),
                "{}",
                c.id
            );
            assert!(s.deflator.index(c.price_year).is_some(), "{}", c.id);
        }
        // Everything the issue asks to price is priced.
        for m in [
            M::ARRESTS,
            M::SENTENCES,
            M::ORDER_TIME,
            M::LICENCE_TIME,
            M::IN_CUSTODY,
            M::TESTS,
            M::DIP_ASSESSMENTS,
            M::TREATMENT_TIME_BY_SETTING,
            M::OFFENCES,
        ] {
            assert!(s.unit_costs.iter().any(|c| c.metric == m), "{m} unpriced");
        }
        assert!(s.utilities.iter().all(|u| (0.0..=1.0).contains(u)));
    }

    #[test]
    fn the_price_year_range_is_the_deflators() {
        let info = crate::params::info("value_for_money.price_year").unwrap();
        let d = &shipped().deflator;
        assert_eq!((info.min, info.max), (d.first() as f64, d.last() as f64));
    }

    #[test]
    fn the_deflator_brings_prices_to_another_year() {
        let d = deflator();
        assert_eq!(d.factor(2015, 2017), Some(84.0 / 80.0));
        assert_eq!(d.factor(2017, 2017), Some(1.0));
        assert_eq!(d.factor(2014, 2017), None);
        let gap = Deflator::parse("d.csv", "year,deflator\n2015,80\n2017,84\n").unwrap_err();
        assert!(gap.contains("d.csv:3: year"), "{gap}");
    }

    #[test]
    fn bad_unit_cost_rows_are_refused_with_file_line_and_column() {
        let d = deflator();
        let head = "id,item,category,perspective,applies_to,group,share,basis,value,price_year,source,url\n";
        let ok = "a,x,police,public_sector,arrests,all,1,each,700,2016,S,http://x\n";
        let parsed = parse_unit_costs("u.csv", &format!("{head}{ok}"), &d).unwrap();
        assert_eq!(parsed[0].per_metric_unit(), 700.0);
        let month = "b,x,probation,public_sector,order_time,drr,0.5,month,100,2016,S,http://x\n";
        let parsed = parse_unit_costs("u.csv", &format!("{head}{month}"), &d).unwrap();
        assert_eq!(parsed[0].per_metric_unit(), 600.0);
        assert_eq!(parsed[0].group_name(), "drr");
        for (row, want) in [
            (
                "a,x,police,public_sector,arrest,all,1,each,7,2016,S,u",
                "u.csv:2: applies_to",
            ),
            (
                "a,x,police,public_sector,arrests,drr,1,each,7,2016,S,u",
                "u.csv:2: group",
            ),
            (
                "a,x,police,public_sector,in_custody,all,1,each,7,2016,S,u",
                "u.csv:2: basis",
            ),
            (
                "a,x,police,public_sector,proven_reoffending_rate,all,1,each,7,2016,S,u",
                "u.csv:2: basis",
            ),
            (
                "a,x,police,public_sector,arrests,all,1,each,7,2009,S,u",
                "u.csv:2: price_year",
            ),
            (
                "a,x,police,public_sector,arrests,all,0,each,7,2016,S,u",
                "u.csv:2: share",
            ),
            (
                "a,x,police,public_sector,arrests,all,1,each,-7,2016,S,u",
                "u.csv:2: value",
            ),
            (
                "a,x,polce,public_sector,arrests,all,1,each,7,2016,S,u",
                "u.csv:2: category",
            ),
            (
                "a,x,police,taxpayer,arrests,all,1,each,7,2016,S,u",
                "u.csv:2: perspective",
            ),
            (
                "a,x,police,public_sector,arrests,all,1,each,7,2016,,u",
                "u.csv:2: source",
            ),
        ] {
            let e = parse_unit_costs("u.csv", &format!("{head}{row}\n"), &d).unwrap_err();
            assert!(e.starts_with(want), "{row}: {e}");
        }
        let twice = parse_unit_costs("u.csv", &format!("{head}{ok}{ok}"), &d).unwrap_err();
        assert!(twice.starts_with("u.csv:3: id"), "{twice}");
    }

    #[test]
    fn utilities_need_every_state_once() {
        let mut text = String::from("state,utility,source\n");
        for n in HealthState::NAMES {
            text.push_str(&format!("{n},0.7,S\n"));
        }
        assert_eq!(
            parse_utilities("t.csv", &text).unwrap(),
            [0.7; HealthState::N]
        );
        let short = text.replace("abstinent,0.7,S\n", "");
        assert!(parse_utilities("t.csv", &short)
            .unwrap_err()
            .contains("abstinent"));
        let bad = text.replace("using_other,0.7", "using_other,1.7");
        assert!(parse_utilities("t.csv", &bad)
            .unwrap_err()
            .starts_with("t.csv:7: utility"));
    }
}

//! Calendar inputs: the dated, sourced series that move the model with the
//! calendar (`data/calendar/<input>.csv`, one file per input, compiled in).
//!
//! Every row is `from,variant,value,unit,source,url,definition`: a value holds
//! from its `from` day until the next row's. Rows marked `observed` are published
//! figures (or interpolations between them, said so in the row); after the last
//! observed row each projection variant (`central`, `low`, `high`, in the manner
//! of the Ministry of Justice's prison population projections) continues the
//! series, and the scenario chooses one (`calendar.projection`).
//!
//! A stage turns an input into a multiplier on one of its rates (its file says
//! which): the input's value on a day relative to its value on the reference
//! date (`calendar.reference`, the date the stages' parameters describe), or,
//! for a share such as testing coverage, the value itself. A scenario can
//! multiply any input over any window (`[calendar.<input>]` with `from`, `to`
//! and `multiplier`), which is how a what-if changes policing, courts or funding.
//!
//! The series are inputs, not targets: none is built from a figure the model is
//! checked against (`calibration/targets.csv` says which national rows, if any,
//! an input meets by construction).

use crate::calendar::Date;
use crate::parameter::{parameters, ParamInfo};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// The projection variant a series follows after its last observed row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Projection {
    /// The series' central assumption (mostly: held at its latest level).
    #[default]
    Central,
    /// The lower assumption.
    Low,
    /// The higher assumption.
    High,
}

impl Projection {
    pub const ALL: [Projection; 3] = [Projection::Central, Projection::Low, Projection::High];
    pub fn name(self) -> &'static str {
        match self {
            Projection::Central => "central",
            Projection::Low => "low",
            Projection::High => "high",
        }
    }
}

/// Whose a row is: a published figure or one projection variant's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    Observed,
    Projected(Projection),
}

/// One row of an input file.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub from: Date,
    pub variant: Variant,
    pub value: f64,
    pub source: String,
    pub url: String,
    pub definition: String,
}

/// One input file, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub unit: String,
    pub rows: Vec<Row>,
}

parameters! {
    /// A scenario's change to one calendar input: its value multiplied over a window.
    pub struct InputOverride in "calendar.*" {
        /// First day the multiplier applies.
        from: Date = (2100, 1, 1), "date", 0.0, 0.0,
            "what-if: no change in the baseline";
        /// Day the multiplier stops applying (the input returns to its series).
        to: Date = (2200, 1, 1), "date", 0.0, 0.0,
            "what-if";
        /// Multiplier on the input's value from `from` until `to`.
        multiplier: f64 = 1.0, "multiplier", 0.0, 100.0,
            "what-if: none in the baseline";
    }
}

/// Declares every input once: its variant, file stem (the scenario key under
/// `[calendar]`) and what it drives.
macro_rules! inputs {
    ($( $(#[doc = $doc:literal])* $variant:ident => $field:ident; )*) => {
        /// A calendar input: one file of `data/calendar/`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Input { $( $(#[doc = $doc])* $variant, )* }

        impl Input {
            pub const ALL: &'static [Input] = &[ $( Input::$variant, )* ];
            /// The file stem and scenario key.
            pub fn name(self) -> &'static str {
                match self { $( Input::$variant => stringify!($field), )* }
            }
            /// What the input is and what it drives (its doc comment).
            pub fn doc(self) -> &'static str {
                match self { $( Input::$variant => concat!($($doc),*), )* }
            }
            fn text(self) -> &'static str {
                match self {
                    $( Input::$variant => include_str!(concat!("../data/calendar/", stringify!($field), ".csv")), )*
                }
            }
        }

        /// The calendar: the projection variant, the reference date, and each
        /// input's override (`[calendar.<input>]`).
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct CalendarParams {
            /// The projection variant every input follows after its last observed row.
            pub projection: Projection,
            /// The date the stages' parameters describe: an index input scales its
            /// rate by its value relative to its value on this day.
            pub reference: Date,
            $( pub $field: InputOverride, )*
        }

        impl Default for CalendarParams {
            fn default() -> Self {
                CalendarParams {
                    projection: Projection::Central,
                    reference: Date::ymd(2005, 7, 1),
                    $( $field: InputOverride::default(), )*
                }
            }
        }

        impl CalendarParams {
            /// The scenario's override of one input.
            pub fn override_of(&self, input: Input) -> &InputOverride {
                match input { $( Input::$variant => &self.$field, )* }
            }
        }
    };
}

inputs! {
    /// Crime Survey for England and Wales incidents (excluding fraud and
    /// computer misuse): offence rates follow it (`offending.crime_survey_elasticity`).
    CrimeSurvey => crime_survey;
    /// Police recorded crime in the COVID-19 lockdown quarters relative to the same
    /// quarter of 2019: multiplies offence rates in 2020-21.
    LockdownCrime => lockdown_crime;
    /// The police's sanction detection rate (spliced to the charge/summons rate
    /// from 2014/15): detection follows it (`detection.detection_rate_elasticity`).
    DetectionRate => detection_rate;
    /// Police officers (full-time equivalent) in the 43 forces: detection
    /// follows them too (`detection.police_officer_elasticity`).
    PoliceOfficers => police_officers;
    /// The cautioning rate (offenders cautioned as a share of those cautioned or
    /// convicted): the caution probability follows it (`court.caution_probability`).
    OutOfCourt => out_of_court;
    /// The criminal courts' throughput relative to 2019 (COVID-19 and the
    /// backlog): court delays are divided by it.
    CourtThroughput => court_throughput;
    /// The custody rate for indictable offences: the weights of custodial
    /// sentences follow it.
    CustodyRate => custody_rate;
    /// Average custodial sentence length: sentence lengths follow it.
    SentenceLength => sentence_length;
    /// Share of trigger-offence arrests tested for drugs in police custody.
    DrugTesting => drug_testing;
    /// Real public funding of community drug treatment in England: voluntary
    /// entry follows it (`treatment.funding_entry_elasticity`).
    TreatmentFunding => treatment_funding;
    /// First-time entrants to the criminal justice system (first caution or
    /// conviction): offending careers outside the heroin/crack group start at a
    /// rate that follows them (`population.first_time_entrants_elasticity`).
    FirstTimeEntrants => first_time_entrants;
    /// Relative incidence of new heroin users: entrants of the heroin/crack
    /// group who start with heroin follow it.
    HeroinInitiation => heroin_initiation;
    /// Relative incidence of new crack cocaine users: entrants of the
    /// heroin/crack group who start with crack follow it
    /// (`population.crack_entrant_share`).
    CrackInitiation => crack_initiation;
}

const REFERENCE_DOC: &str = "The date the stages' parameters describe: an index input scales its rate by its value relative to its value on this day.";

/// The calendar's registry rows: the projection, the reference date, and each
/// input's override fields under its name.
pub fn registry() -> &'static [ParamInfo] {
    static ROWS: LazyLock<Vec<ParamInfo>> = LazyLock::new(|| {
        let mut rows = vec![
            ParamInfo {
                key: "calendar.projection",
                unit: "choice",
                min: 0.0,
                max: 0.0,
                source: "assumption: the central variant of every input (data/calendar/*.csv)",
                doc: "The projection variant every input follows after its last observed row: `central`, `low` or `high`.",
                fitted: false,
            },
            ParamInfo {
                key: "calendar.reference",
                unit: "date",
                min: 0.0,
                max: 0.0,
                source: "assumption: mid-2005, the year of the sentencing and custody figures the stages' parameters were set from (sentenced_receptions_2005)",
                doc: REFERENCE_DOC,
                fitted: false,
            },
        ];
        for &input in Input::ALL {
            for row in InputOverride::INFO {
                let field = row
                    .key
                    .strip_prefix("calendar.*.")
                    .expect("the override's keys are calendar.*.<field>");
                let key: &'static str =
                    Box::leak(format!("calendar.{}.{field}", input.name()).into_boxed_str());
                rows.push(ParamInfo { key, ..*row });
            }
        }
        rows
    });
    &ROWS
}

/// The checked series of an input (the compiled-in file; a test proves every
/// file parses, so this cannot fail at run time).
pub fn series(input: Input) -> &'static Series {
    static ALL: LazyLock<Vec<Series>> = LazyLock::new(|| {
        Input::ALL
            .iter()
            .map(|&i| parse(&file_name(i), i.text()).unwrap_or_else(|e| panic!("{e}")))
            .collect()
    });
    let k = Input::ALL.iter().position(|&i| i == input).expect("listed");
    &ALL[k]
}

/// The repository path of an input's file.
pub fn file_name(input: Input) -> String {
    format!("data/calendar/{}.csv", input.name())
}

const HEADER: [&str; 7] = [
    "from",
    "variant",
    "value",
    "unit",
    "source",
    "url",
    "definition",
];

/// Parse and check one input file: the header, a date, variant and finite value
/// on every row, one unit, rows in date order, observed rows before every
/// projection row, and the three variants at the same dates. Errors name the
/// file, line and column.
pub fn parse(file: &str, text: &str) -> Result<Series, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| format!("{file}:1: {e}"))?
        .clone();
    if header.iter().collect::<Vec<_>>() != HEADER {
        return Err(format!(
            "{file}:1: the header must be `{}`, got `{}`",
            HEADER.join(","),
            header.iter().collect::<Vec<_>>().join(",")
        ));
    }
    let mut rows: Vec<Row> = Vec::new();
    let mut unit: Option<String> = None;
    for record in reader.records() {
        let record = record.map_err(|e| format!("{file}: {e}"))?;
        let line = record.position().map_or(0, |p| p.line());
        let at =
            |column: &str, message: String| format!("{file}:{line}: column `{column}`: {message}");
        let field = |i: usize| record.get(i).unwrap_or("").trim().to_string();
        let from = Date::parse(&field(0)).map_err(|e| at("from", e))?;
        let variant = match field(1).as_str() {
            "observed" => Variant::Observed,
            "central" => Variant::Projected(Projection::Central),
            "low" => Variant::Projected(Projection::Low),
            "high" => Variant::Projected(Projection::High),
            other => {
                return Err(at(
                    "variant",
                    format!("must be observed, central, low or high, got `{other}`"),
                ))
            }
        };
        let value: f64 = field(2)
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| {
                at(
                    "value",
                    format!("must be a number, 0 or more, got `{}`", field(2)),
                )
            })?;
        match &unit {
            None => unit = Some(field(3)),
            Some(u) if *u != field(3) => {
                return Err(at(
                    "unit",
                    format!("must be `{u}` as on the first row, got `{}`", field(3)),
                ))
            }
            _ => {}
        }
        if let Some(last) = rows.last() {
            if from < last.from {
                return Err(at(
                    "from",
                    format!(
                        "rows must be in date order: {from} comes after {}",
                        last.from
                    ),
                ));
            }
            if variant == Variant::Observed && last.variant != Variant::Observed {
                return Err(at(
                    "variant",
                    "observed rows must all come before the projection rows".into(),
                ));
            }
            if variant == Variant::Observed && from == last.from {
                return Err(at("from", format!("a second observed row for {from}")));
            }
        }
        if field(4).is_empty() {
            return Err(at("source", "every row names its source".into()));
        }
        rows.push(Row {
            from,
            variant,
            value,
            source: field(4),
            url: field(5),
            definition: field(6),
        });
    }
    if !rows.iter().any(|r| r.variant == Variant::Observed) {
        return Err(format!("{file}: no observed rows"));
    }
    let dates = |p: Projection| -> Vec<Date> {
        rows.iter()
            .filter(|r| r.variant == Variant::Projected(p))
            .map(|r| r.from)
            .collect()
    };
    let central = dates(Projection::Central);
    for p in [Projection::Low, Projection::High] {
        if dates(p) != central {
            return Err(format!(
                "{file}: the {} projection must have rows at the same dates as the central one",
                p.name()
            ));
        }
    }
    if central.is_empty() {
        return Err(format!(
            "{file}: no projection rows: give central, low and high rows after the last observed one"
        ));
    }
    Ok(Series {
        unit: unit.unwrap_or_default(),
        rows,
    })
}

impl Series {
    /// The last day of published figures: the first projection row's date.
    pub fn projected_from(&self) -> Date {
        self.rows
            .iter()
            .find(|r| r.variant != Variant::Observed)
            .map(|r| r.from)
            .expect("a checked series has projection rows")
    }

    /// The input as a step function under one projection variant.
    pub fn path(&self, projection: Projection) -> Timeline {
        let rows = self.rows.iter().filter(|r| {
            matches!(r.variant, Variant::Observed) || r.variant == Variant::Projected(projection)
        });
        let mut t = Timeline {
            days: Vec::new(),
            values: Vec::new(),
        };
        for r in rows {
            t.days.push(r.from.as_f64());
            t.values.push(r.value);
        }
        t
    }
}

/// A value that changes on given days: `values[k]` holds from `days[k]` until
/// `days[k + 1]`; before the first day the first value holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    days: Vec<f64>,
    values: Vec<f64>,
}

impl Timeline {
    /// A value that never changes.
    pub fn constant(value: f64) -> Timeline {
        Timeline {
            days: vec![f64::NEG_INFINITY],
            values: vec![value],
        }
    }

    /// The value on day `t`.
    pub fn at(&self, t: f64) -> f64 {
        let k = self.days.partition_point(|&d| d <= t);
        self.values[k.saturating_sub(1)]
    }

    /// The finite days on which the value changes.
    pub fn change_days(&self) -> impl Iterator<Item = f64> + '_ {
        (0..self.days.len())
            .filter(move |&k| {
                self.days[k].is_finite() && (k == 0 || self.values[k] != self.values[k - 1])
            })
            .map(move |k| self.days[k])
    }

    /// The day on which `work` days of time at this rate, started on day `t`,
    /// are done: the value is the speed (1 normal; a throughput of 0.5 doubles
    /// the calendar time a piece of the work takes). Infinite if the speed
    /// falls to zero for good first.
    pub fn advance(&self, t: f64, work: f64) -> f64 {
        let mut k = self.days.partition_point(|&d| d <= t).saturating_sub(1);
        let (mut now, mut left) = (t, work);
        loop {
            let speed = self.values[k];
            let end = self.days.get(k + 1).copied().unwrap_or(f64::INFINITY);
            if speed > 0.0 {
                let done = now + left / speed;
                if done <= end {
                    return done;
                }
                left -= speed * (end - now);
            } else if end.is_infinite() {
                return f64::INFINITY;
            }
            now = end;
            k += 1;
        }
    }

    /// `f` of every value.
    pub fn map(&self, f: impl Fn(f64) -> f64) -> Timeline {
        Timeline {
            days: self.days.clone(),
            values: self.values.iter().map(|&v| f(v)).collect(),
        }
    }

    /// The pointwise product of two timelines (changing on either's days).
    pub fn times(&self, other: &Timeline) -> Timeline {
        let mut days: Vec<f64> = self.days.iter().chain(&other.days).copied().collect();
        days.sort_by(f64::total_cmp);
        days.dedup();
        let values = days.iter().map(|&d| self.at(d) * other.at(d)).collect();
        Timeline { days, values }
    }

    /// The value multiplied by `multiplier` on days in `[from, to)`.
    pub fn with_window(&self, from: f64, to: f64, multiplier: f64) -> Timeline {
        if multiplier == 1.0 || from >= to {
            return self.clone();
        }
        let window = Timeline {
            days: vec![f64::NEG_INFINITY, from, to],
            values: vec![1.0, multiplier, 1.0],
        };
        self.times(&window)
    }
}

/// An input's path in a scenario: the chosen projection variant with the
/// scenario's override applied.
pub fn input_path(c: &CalendarParams, input: Input) -> Timeline {
    let o = c.override_of(input);
    series(input)
        .path(c.projection)
        .with_window(o.from.as_f64(), o.to.as_f64(), o.multiplier)
}

/// An index input relative to its value on the reference date, raised to
/// `elasticity`: the multiplier a stage puts on its rate.
pub fn relative_path(c: &CalendarParams, input: Input, elasticity: f64) -> Timeline {
    let path = input_path(c, input);
    let base = path.at(c.reference.as_f64());
    path.map(|v| {
        if base > 0.0 {
            (v / base).powf(elasticity)
        } else {
            1.0
        }
    })
}

/// The first day on which any input's projection variants differ: from then
/// on, outputs rest on the variant chosen.
pub fn variants_differ_from() -> Date {
    static FROM: LazyLock<Date> = LazyLock::new(first_day_variants_differ);
    *FROM
}

/// [`variants_differ_from`], computed from the compiled-in files.
fn first_day_variants_differ() -> Date {
    Input::ALL
        .iter()
        .filter_map(|&i| {
            let s = series(i);
            let paths = Projection::ALL.map(|p| s.path(p));
            s.rows
                .iter()
                .filter(|r| r.variant != Variant::Observed)
                .map(|r| r.from)
                .find(|d| {
                    let v = paths.each_ref().map(|p| p.at(d.as_f64()));
                    v[0] != v[1] || v[0] != v[2]
                })
        })
        .min()
        .expect("an input's variants differ")
}

/// What a year's outputs rest on: `observed` inputs before the variants
/// differ, else the scenario's projection variant (`central projection`).
pub fn inputs_label(c: &CalendarParams, year: i32) -> String {
    if year < variants_differ_from().year() {
        "observed".into()
    } else {
        format!("{} projection", c.projection.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "from,variant,value,unit,source,url,definition\n\
        2000-01-01,observed,10,people,a,u,d\n\
        2001-01-01,observed,20,people,a,u,d\n\
        2002-01-01,central,20,people,a,u,held\n\
        2002-01-01,low,10,people,a,u,halved\n\
        2002-01-01,high,40,people,a,u,doubled\n";

    #[test]
    fn every_shipped_input_file_parses_and_ends_in_three_projections() {
        for &input in Input::ALL {
            let s = series(input);
            assert!(s.rows.len() >= 3, "{}", input.name());
            for p in Projection::ALL {
                let path = s.path(p);
                assert!(path.at(Date::ymd(2035, 12, 31).as_f64()).is_finite());
            }
            assert!(!input.doc().is_empty());
        }
    }

    #[test]
    fn a_series_holds_each_value_until_the_next_row_and_follows_its_variant() {
        let s = parse("x.csv", GOOD).unwrap();
        let d = |y| Date::ymd(y, 6, 1).as_f64();
        let central = s.path(Projection::Central);
        assert_eq!(central.at(d(1999)), 10.0, "the first value holds before");
        assert_eq!(central.at(d(2000)), 10.0);
        assert_eq!(central.at(d(2001)), 20.0);
        assert_eq!(central.at(Date::ymd(2001, 12, 31).as_f64()), 20.0);
        assert_eq!(central.at(d(2010)), 20.0);
        assert_eq!(s.path(Projection::Low).at(d(2010)), 10.0);
        assert_eq!(s.path(Projection::High).at(d(2010)), 40.0);
        assert_eq!(s.projected_from(), Date::ymd(2002, 1, 1));
    }

    #[test]
    fn bad_rows_are_refused_with_their_line_and_column() {
        let bad = |text: &str| parse("data/calendar/x.csv", text).unwrap_err();
        let head = "from,variant,value,unit,source,url,definition\n";
        let e = bad(&format!("{head}2000-13-01,observed,1,p,a,u,d\n"));
        assert!(e.starts_with("data/calendar/x.csv:2: column `from`"), "{e}");
        let e = bad(&format!(
            "{head}2000-01-01,observed,1,p,a,u,d\n2001-01-01,guess,1,p,a,u,d\n"
        ));
        assert!(
            e.starts_with("data/calendar/x.csv:3: column `variant`"),
            "{e}"
        );
        let e = bad(&format!("{head}2000-01-01,observed,-1,p,a,u,d\n"));
        assert!(e.contains(":2: column `value`"), "{e}");
        let e = bad(&format!(
            "{head}2000-01-01,observed,1,p,a,u,d\n2001-01-01,observed,1,q,a,u,d\n"
        ));
        assert!(e.contains(":3: column `unit`"), "{e}");
        let e = bad(&format!(
            "{head}2001-01-01,observed,1,p,a,u,d\n2000-01-01,observed,1,p,a,u,d\n"
        ));
        assert!(
            e.contains(":3: column `from`") && e.contains("date order"),
            "{e}"
        );
        let e = bad(&format!(
            "{head}2000-01-01,observed,1,p,a,u,d\n2002-01-01,central,1,p,a,u,d\n2002-01-01,low,1,p,a,u,d\n"
        ));
        assert!(e.contains("high projection"), "{e}");
        let e = bad("date,value\n");
        assert!(e.starts_with("data/calendar/x.csv:1: the header"), "{e}");
    }

    #[test]
    fn a_window_multiplies_the_value_only_inside_it() {
        let s = parse("x.csv", GOOD).unwrap();
        let t = s.path(Projection::Central).with_window(
            Date::ymd(2000, 7, 1).as_f64(),
            Date::ymd(2001, 7, 1).as_f64(),
            3.0,
        );
        let d = |y, m| Date::ymd(y, m, 1).as_f64();
        assert_eq!(t.at(d(2000, 6)), 10.0);
        assert_eq!(t.at(d(2000, 7)), 30.0);
        assert_eq!(t.at(d(2001, 3)), 60.0);
        assert_eq!(t.at(d(2001, 7)), 20.0);
        let days: Vec<f64> = t.change_days().collect();
        // 2000-01-01 is no change: the first value also holds before it.
        for day in [d(2000, 7), d(2001, 1), d(2001, 7)] {
            assert!(days.contains(&day), "{day} in {days:?}");
        }
    }

    #[test]
    fn outputs_say_when_they_rest_on_a_projection_variant() {
        let from = variants_differ_from();
        assert!(from.year() >= 2023 && from.year() <= 2027, "{from}");
        let mut c = CalendarParams::default();
        assert_eq!(inputs_label(&c, 2010), "observed");
        assert_eq!(inputs_label(&c, from.year()), "central projection");
        c.projection = Projection::Low;
        assert_eq!(inputs_label(&c, 2035), "low projection");
    }

    #[test]
    fn work_advances_at_the_speed_of_each_day_it_spans() {
        // Speed 1, then 0.5 for 10 days, then 1 again.
        let t = Timeline {
            days: vec![0.0, 100.0, 110.0],
            values: vec![1.0, 0.5, 1.0],
        };
        assert_eq!(t.advance(10.0, 30.0), 40.0, "all at full speed");
        // 95 -> 100 does 5 days; 100 -> 110 does 5; the last 10 take 10.
        assert_eq!(t.advance(95.0, 20.0), 120.0);
        assert_eq!(t.advance(102.0, 2.0), 106.0, "inside the slow spell");
        assert_eq!(Timeline::constant(1.0).advance(3.5, 75.25), 3.5 + 75.25);
        let stopped = Timeline {
            days: vec![0.0, 10.0],
            values: vec![1.0, 0.0],
        };
        assert_eq!(stopped.advance(5.0, 20.0), f64::INFINITY);
    }

    #[test]
    fn a_relative_path_is_one_on_the_reference_date_and_follows_the_elasticity() {
        // Any shipped index input: 1 on the reference day, and its square with
        // elasticity 2.
        let c = CalendarParams::default();
        let one = relative_path(&c, Input::DetectionRate, 1.0);
        let two = relative_path(&c, Input::DetectionRate, 2.0);
        let r = c.reference.as_f64();
        assert!((one.at(r) - 1.0).abs() < 1e-12);
        for y in [1995, 2008, 2019, 2030] {
            let t = Date::ymd(y, 1, 1).as_f64();
            assert!((two.at(t) - one.at(t).powi(2)).abs() < 1e-12);
        }
    }
}

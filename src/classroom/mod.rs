//! `pathsim classroom`: a live page for a class. A few sliders (how often people
//! drop out of treatment, continuity of care at release, testing on arrest,
//! community orders instead of short custody, opioid treatment in prison) set a
//! scenario; each change runs a small paired simulation (today's world and the
//! class's, the same people on common random numbers, the shared years before
//! the change simulated once) and the page redraws its cards and chart from the
//! answer.
//!
//! This file holds the controls, how a request's query becomes a scenario, and
//! the answer; [`server`] serves the page and the answers over HTTP.

pub mod server;

use crate::calendar::Date;
use crate::metrics::{Kind, Row, M, METRICS};
use crate::params::Params;
use crate::report::approx;
use crate::run::{self, RunOutput};
use serde_json::{json, Value};

/// The day every change takes effect (as in the lessons): the first day of the
/// financial year after the calibration's last observed year.
pub const CHANGE: (i32, u32, u32) = (2026, 4, 1);
/// The years the cards average over: the first full calendar year after the
/// change to the horizon's last.
pub const FROM: i32 = 2027;
pub const TO: i32 = 2035;
/// The first year the chart shows (the shared past, before the lines part).
pub const CHART_FROM: i32 = 2016;

/// One slider on the page.
pub struct Control {
    /// The query key (`dropout=50`).
    pub id: &'static str,
    pub label: &'static str,
    /// One sentence under the slider: what it means.
    pub help: &'static str,
    pub min: f64,
    pub max: f64,
    pub step: f64,
    /// Today's value, read from the baseline.
    pub today: fn(&Params) -> f64,
    /// Set a scenario to a value (only called when it differs from today's).
    pub apply: fn(&mut Params, f64, Date),
}

/// The page's sliders, in the order shown. Every value is a percentage.
pub const CONTROLS: &[Control] = &[
    Control {
        id: "dropout",
        label: "Dropping out of treatment",
        help: "How often people leave drug treatment early, as a percentage of today's rate (100 = as today, 50 = half as often).",
        min: 25.0,
        max: 200.0,
        step: 5.0,
        today: |_| 100.0,
        apply: |p, v, start| {
            let l = &mut p.levers.retention;
            l.enabled = true;
            l.start = start;
            l.dropout_multiplier = v / 100.0;
        },
    },
    Control {
        id: "continuity",
        label: "Treatment picked up at release",
        help: "Of drug users leaving prison, the percentage linked straight to treatment in the community (continuity of care).",
        min: 0.0,
        max: 100.0,
        step: 5.0,
        today: |p| 100.0 * p.treatment.release_continuity_probability,
        apply: |p, v, start| {
            let c = &mut p.interventions.continuity_of_care;
            c.expansion_start = start;
            c.expansion_probability = v / 100.0;
        },
    },
    Control {
        id: "prison_ost",
        label: "Opioid treatment in prison",
        help: "Of heroin or crack users sent to prison, the percentage given detoxification or a substitute medicine (methadone, buprenorphine) there.",
        min: 0.0,
        max: 100.0,
        step: 5.0,
        today: |p| 100.0 * p.interventions.detox_maintenance.coverage,
        apply: |p, v, start| {
            let d = &mut p.interventions.detox_maintenance;
            d.expansion_start = start;
            d.expansion_coverage = v / 100.0;
        },
    },
    Control {
        id: "testing",
        label: "Drug tests for other arrests",
        help: "The percentage of people arrested for offences other than theft, burglary or drug offences (the trigger offences) who are also tested for heroin and cocaine.",
        min: 0.0,
        max: 100.0,
        step: 10.0,
        today: |_| 0.0,
        apply: |p, v, start| {
            // Trigger arrests keep today's coverage: only the other arrests change.
            let trigger = crate::pathway::Model::new(p).testing.coverage.at(start.as_f64());
            let l = &mut p.levers.testing_extended;
            l.enabled = true;
            l.start = start;
            l.trigger_coverage = trigger;
            l.non_trigger_coverage = v / 100.0;
        },
    },
    Control {
        id: "community",
        label: "Community orders instead of short prison sentences",
        help: "The percentage of short prison sentences (under 12 months) that become community orders, with drug or alcohol treatment where the person needs it.",
        min: 0.0,
        max: 100.0,
        step: 10.0,
        today: |_| 0.0,
        apply: |p, v, start| {
            let l = &mut p.levers.community_instead_of_short_custody;
            l.enabled = true;
            l.start = start;
            l.share = v / 100.0;
        },
    },
];

/// A value for every control, in [`CONTROLS`] order.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings(pub Vec<f64>);

impl Settings {
    /// The baseline's own values: today's world.
    pub fn today(base: &Params) -> Settings {
        Settings(
            CONTROLS
                .iter()
                .map(|c| round_to_step(c, (c.today)(base)))
                .collect(),
        )
    }

    /// Read `dropout=50&testing=20` (any order, any subset; the rest stay as
    /// today). An unknown key, a repeated key, a value that is not a number, out
    /// of range or off the slider's steps is an error naming the key.
    pub fn from_query(query: &str, base: &Params) -> Result<Settings, String> {
        let mut s = Settings::today(base);
        let mut seen = vec![false; CONTROLS.len()];
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| format!("`{}` is not key=value", decode(pair)))?;
            let (key, value) = (decode(key), decode(value));
            let (key, value) = (key.as_str(), value.as_str());
            let Some(k) = CONTROLS.iter().position(|c| c.id == key) else {
                let keys: Vec<&str> = CONTROLS.iter().map(|c| c.id).collect();
                return Err(format!(
                    "unknown setting `{key}`; the settings are: {}",
                    keys.join(", ")
                ));
            };
            if std::mem::replace(&mut seen[k], true) {
                return Err(format!("setting `{key}` is given twice"));
            }
            let c = &CONTROLS[k];
            let v: f64 = value
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| format!("setting `{key}`: `{value}` is not a number"))?;
            if v < c.min || v > c.max {
                return Err(format!(
                    "setting `{key}` must be between {} and {} (got {value})",
                    c.min, c.max
                ));
            }
            let today = (c.today)(base);
            let on_step = ((v - c.min) / c.step - ((v - c.min) / c.step).round()).abs() < 1e-9;
            if !on_step && (v - today).abs() > 1e-9 {
                return Err(format!(
                    "setting `{key}` moves in steps of {} from {} (got {value})",
                    c.step, c.min
                ));
            }
            s.0[k] = v;
        }
        Ok(s)
    }

    /// The scenario these settings describe: the baseline with each control
    /// that differs from today's value applied from [`CHANGE`].
    pub fn scenario(&self, base: &Params) -> Params {
        let today = Settings::today(base);
        let start = Date::ymd(CHANGE.0, CHANGE.1, CHANGE.2);
        let mut p = base.clone();
        for ((c, &v), &t) in CONTROLS.iter().zip(&self.0).zip(&today.0) {
            if (v - t).abs() > 1e-9 {
                (c.apply)(&mut p, v, start);
            }
        }
        p.name = "classroom".into();
        p
    }
}

/// Percent-decoding of one part of a query (`+` as a space).
fn decode(q: &str) -> String {
    let b = q.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = hex {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Today's value shown on a slider: on its steps, so the slider can hold it.
fn round_to_step(c: &Control, v: f64) -> f64 {
    let steps = ((v - c.min) / c.step).round();
    (c.min + steps * c.step).clamp(c.min, c.max)
}

/// Which way an outcome's change is good news for the people it counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Fewer,
    More,
    /// Neither (tests, prison places): shown without a colour.
    Neither,
}

impl Better {
    fn name(self) -> &'static str {
        match self {
            Better::Fewer => "fewer",
            Better::More => "more",
            Better::Neither => "neither",
        }
    }
}

/// What the cards show, in order; the first is the headline.
pub struct Outcome {
    pub id: &'static str,
    pub metric: M,
    /// Groups summed (for a share: of numerator and denominator).
    pub groups: &'static [&'static str],
    pub label: &'static str,
    /// Which way is better for the people involved, if either: only the colour
    /// of a change, not a judgement of the policy.
    pub better: Better,
}

pub const OUTCOMES: &[Outcome] = &[
    Outcome {
        id: "reconvicted",
        metric: M::REOFFENDERS,
        groups: &["all"],
        label: "People reconvicted within a year, each year",
        better: Better::Fewer,
    },
    Outcome {
        id: "in_treatment",
        metric: M::TREATMENT_CASELOAD,
        groups: &["all"],
        label: "People in drug or alcohol treatment (on 30 June)",
        better: Better::More,
    },
    Outcome {
        id: "overdose_deaths",
        metric: M::POISONING_DEATHS,
        groups: &["all"],
        label: "Deaths from drug poisoning (overdoses), each year",
        better: Better::Fewer,
    },
    Outcome {
        id: "prison",
        metric: M::PRISON_POPULATION,
        groups: &["all"],
        label: "People in prison (on 30 June)",
        better: Better::Neither,
    },
    Outcome {
        id: "tests",
        metric: M::TESTS,
        groups: &["all"],
        label: "Drug tests on arrest, each year",
        better: Better::Neither,
    },
];

/// One replicate's value of an outcome in `year`: NaN when the year has no
/// rows (proven reoffending in the last years, whose follow-up runs past the
/// horizon).
fn value_in(rows: &[Row], o: &Outcome, year: i32) -> f64 {
    let sum = |m: M| -> Option<f64> {
        let mut found = false;
        let mut s = 0.0;
        for r in rows
            .iter()
            .filter(|r| r.metric == m && r.period == year && o.groups.contains(&r.group.as_str()))
        {
            found = true;
            s += r.value;
        }
        found.then_some(s)
    };
    match o.metric.def().kind {
        Kind::Ratio(n, d) => match (sum(METRICS[n].id), sum(METRICS[d].id)) {
            (Some(n), Some(d)) if d > 0.0 => n / d,
            _ => f64::NAN,
        },
        _ => sum(o.metric).unwrap_or(f64::NAN),
    }
}

/// One replicate's yearly average of an outcome over the years of
/// [`FROM`]..=[`TO`] it is measured in.
fn window_value(rows: &[Row], o: &Outcome) -> f64 {
    let v: Vec<f64> = (FROM..=TO)
        .map(|y| value_in(rows, o, y))
        .filter(|v| v.is_finite())
        .collect();
    v.iter().sum::<f64>() / v.len() as f64
}

/// The last year of [`FROM`]..=[`TO`] an outcome is measured in.
fn last_measured(rows: &[Row], o: &Outcome) -> i32 {
    (FROM..=TO)
        .rev()
        .find(|&y| value_in(rows, o, y).is_finite())
        .unwrap_or(TO)
}

/// One card: today, with the class's settings, and the paired change.
#[derive(Clone, Debug)]
pub struct Card {
    /// The last year averaged (the first is [`FROM`]).
    pub to: i32,
    pub today: [f64; 3],
    pub with: [f64; 3],
    pub change: [f64; 3],
}

/// A simulation's answer to one set of settings.
#[derive(Clone, Debug)]
pub struct Answer {
    pub settings: Settings,
    pub cards: Vec<Card>,
    /// Per outcome, per chart year: (today's mean, lo, hi), (with, lo, hi).
    pub series: Vec<Vec<([f64; 3], [f64; 3])>>,
    pub headline: String,
    /// Whether the headline change's interval leaves out zero.
    pub sure: bool,
    pub replicates: usize,
    pub sets: usize,
    pub scale: f64,
    pub seconds: f64,
}

/// The headline sentence for a change in people reconvicted a year: the same
/// rounded number the headline card shows, with its direction in words.
pub fn headline(change: [f64; 3], settings_are_today: bool) -> (String, bool) {
    if settings_are_today {
        return (
            "These are today's settings. Move a slider to change the world and see what happens."
                .into(),
            false,
        );
    }
    let [m, lo, hi] = change;
    let sure = lo > 0.0 || hi < 0.0;
    let n = approx(m.abs());
    let text = if approx(m) == "0" || !m.is_finite() {
        "With your changes, about the same number of people are reconvicted each year".to_string()
    } else if m < 0.0 {
        format!("With your changes, about {n} fewer people are reconvicted each year")
    } else {
        format!("With your changes, about {n} more people are reconvicted each year")
    };
    (text, sure)
}

/// Simulate today's world and the settings' world on the same people (`sets`:
/// the parameter sets the baseline's replicates are spread over, as for `run`).
pub fn simulate(base: &Params, sets: &[Params], settings: &Settings) -> Answer {
    let started = std::time::Instant::now();
    let scenario = settings.scenario(base);
    let scenario_sets: Vec<Params> = sets
        .iter()
        .map(|s| {
            let mut p = settings.scenario(s);
            p.name = scenario.name.clone();
            p
        })
        .collect();
    let bar = indicatif::ProgressBar::hidden();
    let (a, b) = run::run_sets_paired(base, sets, &scenario, &scenario_sets, &bar);
    answer(settings, &a, &b, base, started.elapsed().as_secs_f64())
}

fn answer(
    settings: &Settings,
    a: &RunOutput,
    b: &RunOutput,
    base: &Params,
    seconds: f64,
) -> Answer {
    let cards: Vec<Card> = OUTCOMES
        .iter()
        .map(|o| {
            let wa: Vec<f64> = a.replicates.iter().map(|r| window_value(r, o)).collect();
            let wb: Vec<f64> = b.replicates.iter().map(|r| window_value(r, o)).collect();
            let d: Vec<f64> = wa.iter().zip(&wb).map(|(x, y)| y - x).collect();
            Card {
                to: a.replicates.first().map_or(TO, |r| last_measured(r, o)),
                today: run::mean_and_interval(&wa),
                with: run::mean_and_interval(&wb),
                change: run::mean_and_interval(&d),
            }
        })
        .collect();
    let last = base.run.horizon.year() - 1;
    let series = OUTCOMES
        .iter()
        .map(|o| {
            (CHART_FROM..=last)
                .map(|y| {
                    let of = |out: &RunOutput| {
                        let v: Vec<f64> =
                            out.replicates.iter().map(|r| value_in(r, o, y)).collect();
                        run::mean_and_interval(&v)
                    };
                    (of(a), of(b))
                })
                .collect()
        })
        .collect();
    let is_today = *settings == Settings::today(base);
    let (headline, sure) = headline(cards[0].change, is_today);
    Answer {
        settings: settings.clone(),
        cards,
        series,
        headline,
        sure,
        replicates: a.replicates.len(),
        sets: a.sets,
        scale: base.run.scale,
        seconds,
    }
}

/// Finite numbers as JSON numbers, anything else as null.
fn num(v: f64) -> Value {
    if v.is_finite() {
        json!(v)
    } else {
        Value::Null
    }
}

fn triple(v: [f64; 3]) -> Value {
    json!([num(v[0]), num(v[1]), num(v[2])])
}

impl Answer {
    /// The answer as the page reads it.
    pub fn to_json(&self, base: &Params) -> Value {
        let last = base.run.horizon.year() - 1;
        let years: Vec<i32> = (CHART_FROM..=last).collect();
        let outcomes: Vec<Value> = OUTCOMES
            .iter()
            .zip(&self.cards)
            .zip(&self.series)
            .map(|((o, c), s)| {
                json!({
                    "id": o.id,
                    "label": o.label,
                    "better": o.better.name(),
                    "from": FROM,
                    "to": c.to,
                    "today": triple(c.today),
                    "with": triple(c.with),
                    "change": triple(c.change),
                    "today_series": s.iter().map(|x| triple(x.0)).collect::<Vec<_>>(),
                    "with_series": s.iter().map(|x| triple(x.1)).collect::<Vec<_>>(),
                })
            })
            .collect();
        let settings: serde_json::Map<String, Value> = CONTROLS
            .iter()
            .zip(&self.settings.0)
            .map(|(c, v)| (c.id.to_string(), json!(v)))
            .collect();
        json!({
            "settings": settings,
            "headline": self.headline,
            "headline_change": num(self.cards[0].change[0]),
            "headline_number": approx(self.cards[0].change[0].abs()),
            "sure": self.sure,
            "outcomes": outcomes,
            "years": years,
            "from": FROM,
            "to": TO,
            "change_year": CHANGE.0,
            "replicates": self.replicates,
            "sets": self.sets,
            "scale": self.scale,
            "seconds": self.seconds,
        })
    }
}

/// The controls as the page builds its sliders from them.
pub fn controls_json(base: &Params) -> Value {
    let today = Settings::today(base);
    Value::Array(
        CONTROLS
            .iter()
            .zip(&today.0)
            .map(|(c, t)| {
                json!({
                    "id": c.id,
                    "label": c.label,
                    "help": c.help,
                    "min": c.min,
                    "max": c.max,
                    "step": c.step,
                    "today": t,
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Params {
        let mut p = crate::params::baseline();
        p.run.scale = 4000.0;
        p.run.replicates = 4;
        p
    }

    #[test]
    fn a_query_sets_the_named_controls_and_leaves_the_rest_as_today() {
        let b = base();
        let today = Settings::today(&b);
        assert_eq!(today.0, vec![100.0, 25.0, 55.0, 0.0, 0.0]);
        let s = Settings::from_query("testing=20&dropout=50", &b).unwrap();
        assert_eq!(s.0, vec![50.0, 25.0, 55.0, 20.0, 0.0]);
        assert_eq!(Settings::from_query("", &b).unwrap(), today);
        // Today's value is accepted even off the steps.
        let p = (CONTROLS[2].today)(&b);
        assert!(Settings::from_query(&format!("prison_ost={p}"), &b).is_ok());
    }

    #[test]
    fn bad_queries_name_the_setting() {
        let b = base();
        let err = |q: &str| Settings::from_query(q, &b).unwrap_err();
        assert!(
            err("drop=50").contains("unknown setting `drop`"),
            "{}",
            err("drop=50")
        );
        assert!(err("drop=50").contains("dropout, continuity, prison_ost, testing, community"));
        assert!(err("dropout=lots").contains("`lots` is not a number"));
        assert!(err("dropout=NaN").contains("not a number"));
        assert!(err("dropout=10").contains("between 25 and 200"));
        assert!(err("testing=15").contains("steps of 10"));
        assert!(err("dropout=50&dropout=60").contains("twice"));
        assert!(err("dropout").contains("not key=value"));
    }

    #[test]
    fn query_parts_are_percent_decoded() {
        assert_eq!(decode("50%26"), "50&");
        assert_eq!(decode("a+b"), "a b");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        let s = Settings::from_query("%64ropout=5%30", &base()).unwrap();
        assert_eq!(s.0[0], 50.0);
    }

    #[test]
    fn settings_become_levers_and_expansions_from_the_change_date() {
        let b = base();
        let start = Date::ymd(2026, 4, 1);
        // Today's settings are the baseline itself.
        let mut same = Settings::today(&b).scenario(&b);
        same.name = b.name.clone();
        assert_eq!(same, b);
        let s = Settings(vec![50.0, 60.0, 90.0, 30.0, 40.0]).scenario(&b);
        assert!(s.levers.retention.enabled);
        assert_eq!(s.levers.retention.dropout_multiplier, 0.5);
        assert_eq!(s.levers.retention.start, start);
        assert_eq!(
            s.interventions.continuity_of_care.expansion_probability,
            0.6
        );
        assert_eq!(s.interventions.continuity_of_care.expansion_start, start);
        assert_eq!(s.interventions.detox_maintenance.expansion_coverage, 0.9);
        let t = &s.levers.testing_extended;
        assert!(t.enabled && t.non_trigger_coverage == 0.3);
        let today_trigger = crate::pathway::Model::new(&b)
            .testing
            .coverage
            .at(start.as_f64());
        assert_eq!(t.trigger_coverage, today_trigger);
        assert_eq!(s.levers.community_instead_of_short_custody.share, 0.4);
        // Every setting shares the years before the change with today.
        assert_eq!(
            crate::pathway::levers::shared_until(&b, &s),
            Some(start.as_f64())
        );
    }

    #[test]
    fn the_headline_says_the_cards_rounded_number_and_its_direction() {
        let (h, sure) = headline([-1234.0, -2000.0, -500.0], false);
        assert_eq!(
            h,
            "With your changes, about 1,200 fewer people are reconvicted each year"
        );
        assert!(sure);
        let (h, sure) = headline([56.0, -10.0, 90.0], false);
        assert_eq!(
            h,
            "With your changes, about 56 more people are reconvicted each year"
        );
        assert!(!sure);
        assert!(headline([0.2, -1.0, 1.0], false)
            .0
            .contains("about the same"));
        assert!(headline([0.0; 3], true)
            .0
            .starts_with("These are today's settings"));
    }

    #[test]
    fn window_values_average_the_years_and_sum_the_groups() {
        let row = |metric: M, group: &str, period, value| Row {
            metric,
            group: group.into(),
            period,
            value,
        };
        let mut rows = Vec::new();
        for y in FROM..=TO {
            rows.push(row(M::POISONING_DEATHS_BY_RELEASE_WEEKS, "week_1", y, 2.0));
            rows.push(row(
                M::POISONING_DEATHS_BY_RELEASE_WEEKS,
                "weeks_3_4",
                y,
                1.0,
            ));
            rows.push(row(
                M::POISONING_DEATHS_BY_RELEASE_WEEKS,
                "weeks_5_12",
                y,
                50.0,
            ));
            if y < TO - 1 {
                rows.push(row(M::REOFFENDERS, "all", y, (y - FROM) as f64));
            }
        }
        rows.push(row(M::REOFFENDERS, "all", FROM - 1, 1e6));
        let deaths = Outcome {
            id: "release_deaths",
            metric: M::POISONING_DEATHS_BY_RELEASE_WEEKS,
            groups: &["week_1", "week_2", "weeks_3_4"],
            label: "",
            better: Better::Fewer,
        };
        assert_eq!(window_value(&rows, &deaths), 3.0);
        assert_eq!(last_measured(&rows, &deaths), TO);
        // 0, 1, ..., 6 over the 7 years with follow-up.
        assert_eq!(window_value(&rows, &OUTCOMES[0]), 3.0);
        assert_eq!(last_measured(&rows, &OUTCOMES[0]), TO - 2);
    }

    #[test]
    fn halving_dropout_keeps_more_people_in_treatment_on_the_same_people() {
        let b = base();
        let s = Settings::from_query("dropout=50", &b).unwrap();
        let a = simulate(&b, std::slice::from_ref(&b), &s);
        assert_eq!(a.replicates, 4);
        let c = &a.cards[1];
        assert!(c.change[1] > 0.0, "in treatment: {:?}", c.change);
        // Before the change the two worlds are the same people living the same lives.
        let before = CHANGE.0 - 1 - CHART_FROM;
        for (t, w) in &a.series[0][..before as usize] {
            assert_eq!(t, w);
        }
        let j = a.to_json(&b);
        assert_eq!(j["outcomes"].as_array().unwrap().len(), OUTCOMES.len());
        assert_eq!(j["settings"]["dropout"], 50.0);
        assert_eq!(j["headline"], a.headline);
    }
}

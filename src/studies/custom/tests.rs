//! Custom studies on hand-built histories: windows, occurrences, record
//! order, offence dates, follow-up, exclusions and each measure, with the
//! values worked out by hand.

use super::*;
use crate::history::{Disposal, Event, EventKind, Histories, OrderKind, OrderOutcome, Substance};
use crate::input::Spans;
use crate::studies::testkit::*;
use std::sync::Arc;

fn compile(text: &str) -> Result<Study, crate::error::ScenarioError> {
    let (file, spans): (spec::StudyFile, Spans) =
        crate::input::parse_toml(std::path::Path::new("study.toml"), text.to_string())?;
    spec::compile(&file, &spans)
}

fn counter(text: &str, people: Vec<(Person, Vec<Event>)>) -> Counter {
    let study = Arc::new(compile(text).expect("study compiles"));
    let mut h = Histories::default();
    for (p, ev) in people {
        h.push(p, &ev);
    }
    let mut c = Counter::new(study);
    c.observe(&h);
    c
}

fn get(c: &Counter, group: &str, outcome: &str) -> f64 {
    c.values(1.0)
        .into_iter()
        .find(|v| v.group.first().map_or("all", |g| g.as_str()) == group && v.outcome == outcome)
        .unwrap_or_else(|| panic!("{group} {outcome}"))
        .value
}

const TESTS_2011: &str = r#"
name = "t"
group_by = ["positive"]
[cohort]
event = "drug_test"
from = 2011-01-01
to = 2011-12-31
occurrence = "first_in_window"
[[outcome]]
name = "arrests_after"
event = "arrest"
measure = "count"
days = [0, 364]
[[outcome]]
name = "any_conviction"
event = "conviction"
measure = "any"
days = [1, 730]
offence_days = [1, 730]
[[outcome]]
name = "first_arrest"
event = "arrest"
measure = "first_day"
days = [-30, 364]
"#;

#[test]
fn first_in_window_index_counts_outcomes_in_day_windows() {
    let p = person(Substance::OpiatesCrack);
    let s = day(2011, 3, 1);
    // positive: two arrests after (one the same day, recorded before the test:
    // by day it is in [0, 364]), one a year later (out); the conviction on day
    // 100 is for an offence on day 90 (in); a second test later in 2011 is not
    // a second index (first in window).
    let a = sorted(vec![
        arrest(s, true),
        test(s, true),
        arrest(s + 200, false),
        arrest(s + 365, false),
        conviction(s + 100, 10),
        test(s + 200, false),
    ]);
    // negative: a conviction on day 50 for an offence before the test (out),
    // an arrest 20 days before (first_day counts it: -20)
    let b = sorted(vec![
        arrest(s - 20, false),
        test(s, false),
        conviction(s + 50, 60),
    ]);
    // tested in 2010 only: not in
    let c_ = vec![test(day(2010, 12, 31), true)];
    let c = counter(TESTS_2011, vec![(p, a), (p, b), (p, c_)]);
    assert_eq!(get(&c, "all", "cohort"), 2.0);
    assert_eq!(get(&c, "true", "arrests_after"), 2.0);
    assert_eq!(get(&c, "false", "arrests_after"), 0.0);
    assert_eq!(get(&c, "true", "any_conviction"), 100.0);
    assert_eq!(get(&c, "false", "any_conviction"), 0.0);
    assert_eq!(get(&c, "all", "any_conviction"), 50.0);
    // days to the first arrest in [-30, 364]: 0 for the positive, -20 for the negative
    assert_eq!(get(&c, "true", "first_arrest"), 0.0);
    assert_eq!(get(&c, "false", "first_arrest"), -20.0);
    assert_eq!(get(&c, "all", "first_arrest"), -10.0);
    // with no arrest in the window, first_arrest has no value for that group
    let none = counter(TESTS_2011, vec![(p, vec![test(s, false)])]);
    assert!(none.values(1.0).iter().all(|v| v.outcome != "first_arrest"));
}

#[test]
fn follow_up_censors_at_the_horizon_but_not_at_death() {
    let s = day(2011, 6, 1);
    let mut short = person(Substance::OpiatesCrack);
    short.exit_day = s + 729; // the horizon a day before the 730-day window ends
    let mut died = short;
    died.exit_day = s + 10;
    let c = counter(
        TESTS_2011,
        vec![
            (short, vec![test(s, true)]),
            (
                died,
                vec![test(s, true), Event::new(s + 10, EventKind::Death, 0, 0)],
            ),
        ],
    );
    assert_eq!(
        get(&c, "all", "cohort"),
        1.0,
        "only the death is followed up"
    );
}

const ORDERS: &str = r#"
name = "orders"
group_by = ["index_outcome", "sex"]
[cohort]
event = "order_start"
where = { order = ["dtto", "drr"] }
from = 2000-01-01
to = 2000-12-31
ended = true
previous_offences = ["1_2", "3_6"]
[[cohort.exclude]]
event = "treatment_start"
days = [-10, 0]
recorded = "before"
[[outcome]]
name = "proven_after"
event = "proven_offence"
measure = "count"
days = [1, 365]
"#;

fn order(d: i32, kind: OrderKind) -> Event {
    Event::new(d, EventKind::OrderStart, kind as u8, 0)
}
fn order_end(d: i32, kind: OrderKind, o: OrderOutcome) -> Event {
    Event::new(d, EventKind::OrderEnd, kind as u8, o as u16)
}
fn caution(d: i32) -> Event {
    Event::new(d, EventKind::Disposal, Disposal::Caution as u8, 0)
}

#[test]
fn every_order_with_its_outcome_priors_and_exclusions() {
    let s = day(2000, 3, 1);
    let mut p = person(Substance::OpiatesCrack);
    p.prior_offences = 1;
    let mut woman = p;
    woman.male = false;
    // two DTTOs in the window (every occurrence), the first completed, the
    // second revoked; previous offences: 1 + the conviction = 2, then 2 + 1
    // caution + 1 conviction = 4: both in the bands asked for
    let man = sorted(vec![
        conviction(s - 5, 5),
        order(s, OrderKind::Dtto),
        caution(s + 30),
        order_end(s + 100, OrderKind::Dtto, OrderOutcome::Completed),
        conviction(s + 110, 5),
        order(s + 110, OrderKind::Dtto),
        order_end(s + 200, OrderKind::Dtto, OrderOutcome::Revoked),
    ]);
    // a DRR still open: left out (ended = true); a community order: not asked for
    let open = vec![conviction(s - 5, 5), order(s, OrderKind::Drr)];
    let community = vec![
        conviction(s - 5, 5),
        order(s, OrderKind::Community),
        order_end(s + 60, OrderKind::Community, OrderOutcome::Completed),
    ];
    // a woman's DRR, excluded by a treatment start recorded just before it; her
    // second DRR has no previous offence beyond the one before entry (band 1_2),
    // and the start after it (recorded after) does not exclude it
    let w = vec![
        Event::new(s, EventKind::TreatmentStart, 2, 0),
        order(s, OrderKind::Drr),
        order_end(s + 10, OrderKind::Drr, OrderOutcome::Custody),
        order(s + 20, OrderKind::Drr),
        Event::new(s + 20, EventKind::TreatmentStart, 2, 0),
        order_end(s + 30, OrderKind::Drr, OrderOutcome::Died),
    ];
    let mut none = p;
    none.prior_offences = 0;
    // no previous offences: band 0, not asked for
    let unconvicted = vec![
        order(s, OrderKind::Dtto),
        order_end(s + 10, OrderKind::Dtto, OrderOutcome::Completed),
    ];
    let c = counter(
        ORDERS,
        vec![
            (p, man),
            (p, open),
            (p, community),
            (woman, w),
            (none, unconvicted),
        ],
    );
    let v = c.values(10.0);
    let row = |outcome: &str, g: [&str; 2]| {
        v.iter()
            .find(|x| x.outcome == outcome && x.group == g)
            .map(|x| x.value)
    };
    assert_eq!(row("cohort", ["all", "all"]), Some(30.0), "scaled by 10");
    assert_eq!(row("cohort", ["completed", "male"]), Some(10.0));
    assert_eq!(row("cohort", ["revoked", "male"]), Some(10.0));
    assert_eq!(row("cohort", ["died", "female"]), Some(10.0));
    assert_eq!(row("cohort", ["custody", "female"]), None, "excluded");
    // proven offences in [1, 365]: first order: the caution and the conviction;
    // second: none after it; the woman's: none
    assert_eq!(row("proven_after", ["completed", "male"]), Some(2.0));
    assert_eq!(row("proven_after", ["revoked", "male"]), Some(0.0));
    assert_eq!(row("proven_after", ["all", "all"]), Some(2.0 / 3.0));
}

#[test]
fn change_and_retention_as_best_et_al_count_them() {
    let text = r#"
name = "b"
group_by = ["retained"]
[cohort]
event = "treatment_start"
from = 2007-01-01
to = 2007-12-31
occurrence = "first"
retained_days = 365
[[outcome]]
name = "change"
event = "arrest"
measure = "change"
before = [-365, -1]
after = [0, 364]
"#;
    let s = day(2007, 6, 1);
    let p = person(Substance::OpiatesCrack);
    let kept = sorted(vec![
        arrest(s - 100, true),
        arrest(s - 50, true),
        start(s, crate::history::Route::Dip),
        arrest(s + 10, false),
        end(
            s + 365,
            crate::history::Route::Dip,
            crate::history::TreatmentExit::Completed,
        ),
    ]);
    let dropped = sorted(vec![
        arrest(s - 100, true),
        start(s, crate::history::Route::Dip),
        end(
            s + 364,
            crate::history::Route::Dip,
            crate::history::TreatmentExit::Dropout,
        ),
        arrest(s + 100, false),
        arrest(s + 200, false),
    ]);
    // first start ever is in 2006: not in (occurrence = "first")
    let earlier = vec![
        start(day(2006, 1, 1), crate::history::Route::Voluntary),
        start(s, crate::history::Route::Voluntary),
    ];
    let c = counter(text, vec![(p, kept), (p, dropped), (p, earlier)]);
    assert_eq!(get(&c, "all", "cohort"), 2.0);
    assert_eq!(get(&c, "retained", "change"), -50.0);
    assert_eq!(get(&c, "not_retained", "change"), 100.0);
    // total: 3 arrests before, 3 after
    assert_eq!(get(&c, "all", "change"), 0.0);
}

#[test]
fn summaries_put_totals_first_with_intervals_over_replicates() {
    let v = |x: f64, g: &str| Value {
        group: vec![g.into()],
        outcome: "o".into(),
        measure: "mean_count",
        n: 4,
        value: x,
    };
    let reps: Vec<Vec<Value>> = (1..=5)
        .map(|i| vec![v(i as f64, "b"), v(10.0 * i as f64, "all")])
        .collect();
    let s = summarise(&reps);
    assert_eq!(s[0].group, vec!["all".to_string()]);
    assert_eq!(s[0].mean, 30.0);
    assert_eq!(s[1].mean, 3.0);
    assert!((s[1].hi95 - 4.9).abs() < 1e-12);
    assert_eq!((s[1].replicates, s[1].simulated), (5, 4.0));
}

#[test]
fn bad_studies_name_their_key() {
    let base = r#"
name = "x"
[cohort]
event = "arrest"
from = 2010-01-01
to = 2010-12-31
[[outcome]]
name = "o"
event = "arrest"
measure = "count"
days = [1, 10]
"#;
    assert!(compile(base).is_ok());
    let err = |from: &str, to: &str| {
        let text = base.replacen(from, to, 1);
        assert_ne!(text, base, "{from}");
        compile(&text).expect_err(to).to_string()
    };
    let cases = [
        ("days = [1, 10]", "days = [10, 1]", "outcome[0].days"),
        (
            "measure = \"count\"",
            "measure = \"change\"",
            "it has no `days`",
        ),
        (
            "event = \"arrest\"\nfrom",
            "event = \"arrest\"\nended = true\nfrom",
            "cohort.ended",
        ),
        (
            "name = \"x\"",
            "name = \"x\"\ngroup_by = [\"retained\"]",
            "group_by[0]",
        ),
        (
            "name = \"x\"",
            "name = \"x\"\ngroup_by = [\"sx\"]",
            "did you mean `sex`",
        ),
        ("name = \"x\"", "name = \"a/b\"", "name"),
        ("to = 2010-12-31", "to = 2009-12-31", "cohort.to"),
        (
            "days = [1, 10]",
            "days = [1, 10]\noffence_days = [1, 10]",
            "outcome[0].offence_days",
        ),
        (
            "event = \"arrest\"\nmeasure",
            "event = \"proven_offence\"\nwhere = { sentence = \"community\" }\nmeasure",
            "outcome[0].where.sentence",
        ),
        (
            "event = \"arrest\"\nfrom",
            "event = \"arrest\"\nwhere = { offence_group = \"burglary\" }\nfrom",
            "values are: acquisitive, violence, drugs, other",
        ),
    ];
    for (from, to, needle) in cases {
        let e = err(from, to);
        assert!(e.contains(needle), "{needle} in {e}");
    }
}

#[test]
fn column_values_are_what_the_decoder_writes() {
    let col = |name: &str| EVENTS.iter().position(|c| c.name == name).unwrap();
    assert_eq!(
        column_values(col("order_outcome")),
        OrderOutcome::ALL
            .iter()
            .map(|o| o.name())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        column_values(col("scheme")).len(),
        crate::interventions::Scheme::ALL.len()
    );
    assert_eq!(
        column_values(col("length_band")),
        ["up_to_6m", "6m_to_12m", "12m_to_4y", "4y_plus"]
    );
}

#[test]
fn a_null_index_column_is_its_own_group_and_retention_needs_follow_up() {
    use crate::history::{CustodyKind, LengthBand};
    let text = r#"
name = "c"
group_by = ["length_band"]
[cohort]
event = "custody_start"
from = 2010-01-01
to = 2010-12-31
retained_days = 100
[[outcome]]
name = "released"
event = "release"
measure = "any"
days = [1, 30]
"#;
    let s = day(2010, 5, 1);
    let p = person(Substance::OpiatesCrack);
    let sentenced = Event::new(
        s,
        EventKind::CustodyStart,
        CustodyKind::Short as u8,
        (LengthBand::Over6m as u16) << 1,
    );
    let remand = Event::new(s, EventKind::CustodyStart, CustodyKind::Remand as u8, 0);
    let release = Event::new(s + 20, EventKind::Release, 1, 0);
    // the horizon 50 days after the index: before the 100 days of retention end
    let mut cut = p;
    cut.exit_day = s + 50;
    let c = counter(
        text,
        vec![
            (p, vec![sentenced]),
            (p, vec![remand, release]),
            (cut, vec![remand]),
        ],
    );
    let v = c.values(1.0);
    let cohort = |g: &str| {
        v.iter()
            .find(|x| x.group[0] == g && x.outcome == "cohort")
            .map(|x| x.value)
    };
    assert_eq!(cohort("6m_to_12m"), Some(1.0));
    assert_eq!(
        cohort(NOT_RECORDED),
        Some(1.0),
        "the remand, not filed under a band"
    );
    assert_eq!(
        cohort("all"),
        Some(2.0),
        "the history cut before day 99 is not followed up"
    );
    assert_eq!(c.study.follow_up(), 99);
}

#[test]
fn a_group_missing_from_a_replicate_counts_a_cohort_of_zero() {
    let row = |outcome: &str, g: &str, x: f64| Value {
        group: vec![g.into()],
        outcome: outcome.into(),
        measure: "people",
        n: x as u64,
        value: x,
    };
    let reps = vec![
        vec![
            row("cohort", "all", 4.0),
            row("cohort", "rare", 2.0),
            row("o", "rare", 50.0),
        ],
        vec![row("cohort", "all", 6.0)],
    ];
    let s = summarise(&reps);
    let get = |g: &str, o: &str| {
        s.iter()
            .find(|r| r.group[0] == g && r.outcome == o)
            .unwrap()
    };
    assert_eq!(get("rare", "cohort").mean, 1.0);
    assert_eq!(get("rare", "cohort").replicates, 2);
    assert_eq!(
        (get("rare", "o").mean, get("rare", "o").replicates),
        (50.0, 1)
    );
    assert_eq!(get("rare", "cohort").simulated, 1.0);
}

//! One test per intervention lever: switching it on (or off) changes the metrics
//! it should, and nothing else.
//!
//! Each test simulates the same people (same seed, same roster) under the
//! baseline and with the lever changed. Common random numbers make the lever's
//! effect exact: people the lever never reaches must have byte-identical
//! histories. So each test checks
//! 1. some histories differ, and the relevant aggregate moves the right way;
//! 2. every person whose history differs was reached by the lever before (or at)
//!    the first event where the two histories part.

use pathsim::calendar::Date;
use pathsim::capacity;
use pathsim::engine::simulate_people;
use pathsim::history::{
    CustodyKind, Event, EventKind, Histories, OrderKind, OrderOutcome, Person, Route, Sentence,
    Substance, TreatmentExit,
};
use pathsim::interventions::{Priority, Scheme};
use pathsim::params::{baseline, Params};
use pathsim::population::Roster;
use pathsim::rng::replicate_seed;
use std::sync::{Arc, Mutex};

/// The default test horizon: short, so a test takes a second or two.
fn horizon() -> Date {
    Date::ymd(2016, 1, 1)
}

/// The baseline at a coarse scale with a short horizon.
fn base_params() -> Params {
    let mut p = baseline();
    p.run.scale = 100.0;
    p.run.horizon = horizon();
    p
}

fn day(y: i32, m: u32, d: u32) -> i32 {
    Date::ymd(y, m, d).day()
}

/// Baseline histories are shared between tests with the same parameters.
static CACHE: Mutex<Vec<(Params, Arc<Histories>)>> = Mutex::new(Vec::new());

/// Simulate every person of the roster under `p` (the model built as a
/// replicate builds it, so capacity plans are set).
fn simulate(p: &Params, roster: &Roster) -> Histories {
    let seed = replicate_seed(p.run.seed, 0);
    let model = capacity::model_for(p, seed, roster);
    let mut h = Histories::default();
    simulate_people(p, &model, roster, seed, 0..roster.total, &mut h);
    h
}

fn simulate_cached(p: &Params, roster: &Roster) -> Arc<Histories> {
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, h)) = cache.iter().find(|(q, _)| q == p) {
        return h.clone();
    }
    let h = Arc::new(simulate(p, roster));
    cache.push((p.clone(), h.clone()));
    h
}

/// Both runs, and how many people differ.
struct Outcome {
    base: Arc<Histories>,
    lever: Histories,
    people: usize,
    differing: usize,
    /// Ids of the people whose histories differ.
    differ_ids: Vec<u64>,
}

impl Outcome {
    fn differs(&self, id: u64) -> bool {
        self.differ_ids.binary_search(&id).is_ok()
    }
}

/// The first index at which two event vectors differ (None if equal).
fn first_difference(a: &[Event], b: &[Event]) -> Option<usize> {
    if a == b {
        return None;
    }
    Some(
        (0..a.len().max(b.len()))
            .find(|&i| a.get(i) != b.get(i))
            .expect("unequal vectors differ somewhere"),
    )
}

fn show(events: &[Event], around: usize) -> String {
    let lo = around.saturating_sub(12);
    let hi = (around + 4).min(events.len());
    let mut s = String::new();
    for (i, e) in events.iter().enumerate().take(hi).skip(lo) {
        let (y, m, d) = pathsim::calendar::civil_from_days(e.day);
        let mark = if i == around { "=>" } else { "  " };
        s += &format!(
            "\n   {mark} [{i}] {y}-{m:02}-{d:02} {:?} detail={} extra={}",
            e.kind, e.detail, e.extra
        );
    }
    s
}

/// Simulate the same people under `base` and `lever`; panic, naming the person
/// and the events, if anyone whose history differs was not `reached`
/// (`reached(base_events, lever_events, first_difference)`).
fn compare(
    base: &Params,
    lever: &Params,
    reached: impl Fn(&[Event], &[Event], usize) -> bool,
) -> Outcome {
    let roster = Roster::new(base);
    assert_eq!(
        roster.total,
        Roster::new(lever).total,
        "the lever changed the roster"
    );
    let hb = simulate_cached(base, &roster);
    let hl = simulate(lever, &roster);
    assert_eq!(hb.len(), hl.len());
    let mut differ_ids = Vec::new();
    for ((pa, ea), (pb, eb)) in hb.iter().zip(hl.iter()) {
        // Attributes come from their own stream: only the exit day may move.
        assert_eq!(
            Person { exit_day: 0, ..*pa },
            Person { exit_day: 0, ..*pb },
            "attributes of person {} differ",
            pa.id
        );
        let Some(d) = first_difference(ea, eb) else {
            assert_eq!(pa.exit_day, pb.exit_day, "person {}: exit day moved", pa.id);
            continue;
        };
        if !reached(ea, eb, d) {
            panic!(
                "person {} ({:?}) was not reached by the lever but their history \
                 differs from event {d}\n  baseline:{}\n  lever:{}",
                pa.id,
                pa.substance,
                show(ea, d),
                show(eb, d)
            );
        }
        differ_ids.push(pa.id);
    }
    let out = Outcome {
        people: hb.len(),
        differing: differ_ids.len(),
        base: hb,
        lever: hl,
        differ_ids,
    };
    eprintln!("{} of {} people differ", out.differing, out.people);
    assert!(out.differing > 0, "the lever changed nobody");
    out
}

// ---------------------------------------------------------------------------
// Conditions and counts on event vectors.

/// The event at index <= `d` satisfying `f`, or on the same day as event `d`.
fn before(events: &[Event], d: usize, f: impl Fn(&Event) -> bool) -> bool {
    let day_d = events.get(d).map(|e| e.day);
    events
        .iter()
        .enumerate()
        .any(|(i, e)| f(e) && (i <= d || Some(e.day) == day_d))
}

fn is_scheme(s: Scheme) -> impl Fn(&Event) -> bool {
    move |e| e.kind == EventKind::Intervention && e.detail == s as u8
}

/// Reached by a scheme: its marker in the given run at or before the first
/// difference (or on that day).
fn marker_in(s: Scheme, events: &[Event], d: usize) -> bool {
    before(events, d, is_scheme(s))
}

/// Count events satisfying `f` over everyone.
fn count(h: &Histories, f: impl Fn(&Person, &Event) -> bool) -> usize {
    h.iter()
        .map(|(p, ev)| ev.iter().filter(|e| f(p, e)).count())
        .sum()
}

/// Count events satisfying `f` over the people whose histories differ.
fn count_differing(o: &Outcome, h: &Histories, f: impl Fn(&Event) -> bool) -> usize {
    h.iter()
        .filter(|(p, _)| o.differs(p.id))
        .map(|(_, ev)| ev.iter().filter(|e| f(e)).count())
        .sum()
}

fn starts(s: Scheme) -> impl Fn(&Person, &Event) -> bool {
    move |_, e| is_scheme(s)(e)
}

fn treatment_starts(route: Route, from: i32) -> impl Fn(&Person, &Event) -> bool {
    move |_, e| e.kind == EventKind::TreatmentStart && e.detail == route as u8 && e.day >= from
}

fn arrests(e: &Event) -> bool {
    e.kind == EventKind::Arrest
}

/// Both counts, printed for the test log.
fn both(o: &Outcome, what: &str, f: impl Fn(&Person, &Event) -> bool) -> (usize, usize) {
    let a = count(&o.base, &f);
    let b = count(&o.lever, &f);
    eprintln!("{what}: baseline {a}, lever {b}");
    (a, b)
}

// ---------------------------------------------------------------------------
// Arrest and court schemes.

fn diversion_params() -> (Params, Params) {
    let base = base_params();
    let mut lever = base.clone();
    let d = &mut lever.interventions.diversion;
    d.enabled = true;
    d.start = Date::ymd(2010, 1, 1);
    (base, lever)
}

#[test]
fn diversion_diverts_and_refers_to_treatment() {
    let (base, lever) = diversion_params();
    // Only the people it diverts: each scheme at arrest has its own stream.
    let o = compare(&base, &lever, |_, l, d| marker_in(Scheme::Diversion, l, d));
    let (a, b) = both(&o, "diversion starts", starts(Scheme::Diversion));
    assert_eq!(a, 0);
    assert!(b > 50, "{b}");
    let from = day(2010, 1, 1);
    let conv = |_: &Person, e: &Event| e.kind == EventKind::Conviction && e.day >= from;
    let (a, b) = both(&o, "convictions from 2010", conv);
    assert!(b < a, "diversion should mean fewer convictions: {a} -> {b}");
    let (a, b) = both(
        &o,
        "DIP-route starts from 2010",
        treatment_starts(Route::Dip, from),
    );
    assert!(b > a, "diversion refers to treatment: {a} -> {b}");
}

#[test]
fn conditional_caution_coverage_up_cautions_more() {
    let base = base_params();
    let mut lever = base.clone();
    let c = &mut lever.interventions.conditional_caution;
    c.expansion_start = Date::ymd(2008, 1, 1);
    c.expansion_coverage = 0.5;
    let o = compare(&base, &lever, |_, l, d| {
        marker_in(Scheme::ConditionalCaution, l, d)
    });
    let (a, b) = both(&o, "caution starts", starts(Scheme::ConditionalCaution));
    assert!(b > 5 * a.max(10), "{a} -> {b}");
    let from = day(2008, 1, 1);
    let conv = |_: &Person, e: &Event| e.kind == EventKind::Conviction && e.day >= from;
    let (a, b) = both(&o, "convictions from 2008", conv);
    assert!(b < a, "{a} -> {b}");
}

fn bail_params() -> (Params, Params) {
    let base = base_params();
    let mut lever = base.clone();
    lever.interventions.restriction_on_bail.enabled = true;
    (base, lever)
}

#[test]
fn restriction_on_bail_refers_people_facing_prosecution() {
    let (base, lever) = bail_params();
    // Only the people bailed on the condition.
    let o = compare(&base, &lever, |_, l, d| {
        marker_in(Scheme::RestrictionOnBail, l, d)
    });
    let (a, b) = both(&o, "bail starts", starts(Scheme::RestrictionOnBail));
    assert_eq!(a, 0);
    assert!(b > 50, "{b}");
    let from = lever.interventions.restriction_on_bail.start.day();
    let (a, b) = both(&o, "DIP-route starts", treatment_starts(Route::Dip, from));
    assert!(b > a, "{a} -> {b}");
}

#[test]
fn intensive_partnership_engages_repeat_positive_testers() {
    let base = base_params();
    let mut lever = base.clone();
    let ip = &mut lever.interventions.intensive_partnership;
    ip.enabled = true;
    ip.start = Date::ymd(2008, 1, 1);
    ip.min_positive_tests = 2.0;
    let o = compare(&base, &lever, |_, l, d| {
        marker_in(Scheme::IntensivePartnership, l, d)
    });
    let (a, b) = both(
        &o,
        "partnership starts",
        starts(Scheme::IntensivePartnership),
    );
    assert_eq!(a, 0);
    assert!(b > 20, "{b}");
    let from = day(2008, 1, 1);
    let (a, b) = both(
        &o,
        "DIP-route starts from 2008",
        treatment_starts(Route::Dip, from),
    );
    assert!(b > a, "{a} -> {b}");
}

#[test]
fn testing_on_arrest_switched_off_reaches_only_people_tested() {
    let base = base_params();
    let mut lever = base.clone();
    lever.interventions.testing_on_arrest.enabled = false;
    let o = compare(&base, &lever, |b, _, d| {
        before(b, d, |e| e.kind == EventKind::Test)
    });
    let (a, b) = both(&o, "tests", |_, e| e.kind == EventKind::Test);
    assert!(a > 1000 && b == 0, "{a} -> {b}");
    let (a, b) = both(
        &o,
        "DIP-route starts",
        treatment_starts(Route::Dip, i32::MIN),
    );
    assert!(b < a / 2, "{a} -> {b}");
    let (a, b) = both(&o, "failed assessments", |_, e| {
        e.kind == EventKind::AssessmentFailed
    });
    assert!(a > 0 && b == 0, "{a} -> {b}");
}

#[test]
fn required_assessment_failures_prosecuted_bring_more_convictions() {
    let mut base = base_params();
    base.interventions
        .required_assessment
        .failure_prosecution_probability = 0.0;
    let mut lever = base.clone();
    lever
        .interventions
        .required_assessment
        .failure_prosecution_probability = 1.0;
    let o = compare(&base, &lever, |b, _, d| {
        before(b, d, |e| e.kind == EventKind::AssessmentFailed)
    });
    let (a, b) = both(&o, "failed assessments", |_, e| {
        e.kind == EventKind::AssessmentFailed
    });
    assert!(a > 50, "{a}");
    let _ = b;
    let conv = |_: &Person, e: &Event| e.kind == EventKind::Conviction;
    let (a, b) = both(&o, "convictions", conv);
    assert!(b > a, "{a} -> {b}");
    let cus = |_: &Person, e: &Event| e.kind == EventKind::CustodyStart;
    let (a, b) = both(&o, "custody receptions", cus);
    assert!(b > a, "{a} -> {b}");
}

// ---------------------------------------------------------------------------
// Orders.

fn order_start(kind: OrderKind, from: i32) -> impl Fn(&Person, &Event) -> bool {
    move |_, e| e.kind == EventKind::OrderStart && e.detail == kind as u8 && e.day >= from
}

fn revoked(kinds: &'static [OrderKind], from: i32) -> impl Fn(&Person, &Event) -> bool {
    move |_, e| {
        e.kind == EventKind::OrderEnd
            && kinds.iter().any(|&k| e.detail == k as u8)
            && e.extra == OrderOutcome::Revoked as u16
            && e.day >= from
    }
}

#[test]
fn dtto_drr_withdrawn_in_2006_reaches_only_people_who_got_one() {
    let base = base_params();
    let mut lever = base.clone();
    lever.interventions.dtto_drr.end = Date::ymd(2006, 1, 1);
    let from = day(2006, 1, 1);
    let o = compare(&base, &lever, |b, _, d| {
        before(b, d, |e| {
            e.kind == EventKind::OrderStart
                && (e.detail == OrderKind::Dtto as u8 || e.detail == OrderKind::Drr as u8)
                && e.day >= from
        })
    });
    let (a, b) = both(
        &o,
        "DRR starts from 2006",
        order_start(OrderKind::Drr, from),
    );
    assert!(a > 50 && b == 0, "{a} -> {b}");
    let (a, b) = both(&o, "order-route treatment starts from 2006", |p, e| {
        p.substance.uses_drugs() && treatment_starts(Route::Order, from)(p, e)
    });
    assert!(b < a / 2, "{a} -> {b}");
}

#[test]
fn atr_switched_off_reaches_only_people_who_got_one() {
    let base = base_params();
    let mut lever = base.clone();
    lever.interventions.atr.enabled = false;
    let o = compare(&base, &lever, |b, _, d| {
        before(b, d, |e| {
            e.kind == EventKind::OrderStart && e.detail == OrderKind::Atr as u8
        })
    });
    let (a, b) = both(&o, "ATR starts", order_start(OrderKind::Atr, i32::MIN));
    assert!(a > 20 && b == 0, "{a} -> {b}");
    let (a, b) = both(&o, "alcohol order-route treatment starts", |p, e| {
        p.substance == Substance::Alcohol && treatment_starts(Route::Order, i32::MIN)(p, e)
    });
    assert!(b < a, "{a} -> {b}");
}

#[test]
fn drug_courts_expanded_lower_breaches() {
    let base = base_params();
    let mut lever = base.clone();
    let dc = &mut lever.interventions.drug_courts;
    dc.expansion_start = Date::ymd(2010, 1, 1);
    dc.expansion_coverage = 1.0;
    let o = compare(&base, &lever, |_, l, d| marker_in(Scheme::DrugCourt, l, d));
    let (a, b) = both(&o, "drug court starts", starts(Scheme::DrugCourt));
    assert!(b > 5 * a.max(10), "{a} -> {b}");
    let from = day(2010, 1, 1);
    let (a, b) = both(
        &o,
        "DRR revocations from 2010",
        revoked(&[OrderKind::Drr], from),
    );
    assert!(b < a, "{a} -> {b}");
}

#[test]
fn low_intensity_orders_switched_off_raise_breaches() {
    let base = base_params();
    let mut lever = base.clone();
    lever.interventions.low_intensity_order.enabled = false;
    let o = compare(&base, &lever, |b, _, d| {
        marker_in(Scheme::LowIntensityOrder, b, d)
    });
    let (a, b) = both(
        &o,
        "low-intensity starts",
        starts(Scheme::LowIntensityOrder),
    );
    assert!(a > 20 && b == 0, "{a} -> {b}");
    let kinds = &[OrderKind::Dtto, OrderKind::Drr];
    let (a, b) = both(&o, "DTTO/DRR revocations", revoked(kinds, i32::MIN));
    assert!(b > a, "{a} -> {b}");
}

#[test]
fn asro_with_an_effect_lowers_arrests_of_people_on_it() {
    let base = base_params();
    let mut lever = base.clone();
    lever.interventions.asro.offending_multiplier = 0.8;
    let o = compare(&base, &lever, |_, l, d| marker_in(Scheme::Asro, l, d));
    let (a, b) = both(&o, "ASRO starts", starts(Scheme::Asro));
    assert!(a > 0, "{a} {b}");
    let a = count_differing(&o, &o.base, arrests);
    let b = count_differing(&o, &o.lever, arrests);
    eprintln!("arrests of the people on ASRO who differ: {a} -> {b}");
    assert!(b < a, "{a} -> {b}");
}

// ---------------------------------------------------------------------------
// Prison.

#[test]
fn carat_continuity_effect_brings_more_starts_on_release() {
    let base = base_params();
    let mut lever = base.clone();
    lever.interventions.carat.continuity_multiplier = 2.0;
    let o = compare(&base, &lever, |_, l, d| marker_in(Scheme::Carat, l, d));
    let (a, b) = both(
        &o,
        "release-route starts",
        treatment_starts(Route::Release, i32::MIN),
    );
    assert!(b > a, "{a} -> {b}");
}

#[test]
fn detox_maintenance_expanded_treats_more_receptions() {
    let base = base_params();
    let mut lever = base.clone();
    let dm = &mut lever.interventions.detox_maintenance;
    dm.expansion_start = Date::ymd(2010, 1, 1);
    dm.expansion_coverage = 1.0;
    let o = compare(&base, &lever, |_, l, d| {
        marker_in(Scheme::DetoxMaintenance, l, d)
    });
    let (a, b) = both(&o, "detox starts", starts(Scheme::DetoxMaintenance));
    assert!(b > a, "{a} -> {b}");
    // For each person treated differently, a death in the window after the
    // first release that follows the first difference: with a lower excess
    // rate on the same death stream it can only come later, so there are never
    // more of them. (Over a whole life they need not fall: a later death can
    // land in a later window.)
    let first_window_death = |events: &[Event], from: usize| {
        let Some(r) = events[from..]
            .iter()
            .position(|e| e.kind == EventKind::Release)
        else {
            return false;
        };
        events[from + r + 1..]
            .iter()
            .take_while(|e| e.kind != EventKind::CustodyStart)
            .any(|e| e.kind == EventKind::Death && e.detail == 1)
    };
    let (mut a, mut b) = (0, 0);
    for (p, base_events) in o.base.iter() {
        if !o.differs(p.id) {
            continue;
        }
        let lever_events = o.lever.iter().find(|(q, _)| q.id == p.id).unwrap().1;
        let i = first_difference(base_events, lever_events).unwrap();
        a += first_window_death(base_events, i) as usize;
        b += first_window_death(lever_events, i) as usize;
    }
    eprintln!("deaths in the first window after a change: baseline {a}, lever {b}");
    assert!(b <= a, "{a} -> {b}");
}

#[test]
fn idts_switched_off_reaches_only_idts_receptions() {
    let base = base_params();
    let mut lever = base.clone();
    lever.interventions.idts.enabled = false;
    let o = compare(&base, &lever, |b, _, d| marker_in(Scheme::Idts, b, d));
    let (a, b) = both(&o, "IDTS starts", starts(Scheme::Idts));
    assert!(a > 20 && b == 0, "{a} -> {b}");
    let (a, b) = both(&o, "detox starts", starts(Scheme::DetoxMaintenance));
    assert!(b < a, "{a} -> {b}");
}

/// A prison programme with more coverage (and an effect) reaches more people
/// and lowers their arrests after release.
fn prison_programme(
    scheme: Scheme,
    set: impl Fn(&mut pathsim::interventions::PrisonProgramme),
    marker_in_base: bool,
) -> Outcome {
    let base = base_params();
    let mut lever = base.clone();
    let iv = &mut lever.interventions;
    set(match scheme {
        Scheme::Rapt => &mut iv.rapt,
        Scheme::ShortDurationProgramme => &mut iv.short_duration_programme,
        Scheme::Pasro => &mut iv.pasro,
        Scheme::DrugFreeWing => &mut iv.drug_free_wings,
        _ => unreachable!(),
    });
    let o = compare(&base, &lever, |b, l, d| {
        marker_in(scheme, l, d) || (marker_in_base && marker_in(scheme, b, d))
    });
    both(&o, &format!("{} starts", scheme.name()), starts(scheme));
    o
}

fn fewer_arrests_among_differing(o: &Outcome) {
    let a = count_differing(o, &o.base, arrests);
    let b = count_differing(o, &o.lever, arrests);
    eprintln!("arrests of the people who differ: {a} -> {b}");
    assert!(b < a, "{a} -> {b}");
}

#[test]
fn rapt_coverage_up_reaches_more_and_lowers_their_arrests() {
    let o = prison_programme(
        Scheme::Rapt,
        |p| {
            p.expansion_start = Date::ymd(2008, 1, 1);
            p.expansion_coverage = 0.5;
        },
        false,
    );
    let a = count(&o.base, starts(Scheme::Rapt));
    let b = count(&o.lever, starts(Scheme::Rapt));
    assert!(b > 3 * a.max(10), "{a} -> {b}");
    fewer_arrests_among_differing(&o);
}

#[test]
fn short_duration_programme_coverage_up_with_an_effect() {
    let o = prison_programme(
        Scheme::ShortDurationProgramme,
        |p| {
            p.expansion_start = Date::ymd(2008, 1, 1);
            p.expansion_coverage = 0.5;
            p.offending_multiplier = 0.8;
        },
        true,
    );
    let s = starts(Scheme::ShortDurationProgramme);
    let (a, b) = (count(&o.base, &s), count(&o.lever, &s));
    assert!(b > 3 * a.max(10), "{a} -> {b}");
    fewer_arrests_among_differing(&o);
}

#[test]
fn pasro_with_an_effect_lowers_arrests_of_people_on_it() {
    let o = prison_programme(Scheme::Pasro, |p| p.offending_multiplier = 0.8, false);
    fewer_arrests_among_differing(&o);
}

#[test]
fn drug_free_wings_coverage_up_reaches_more() {
    let o = prison_programme(
        Scheme::DrugFreeWing,
        |p| {
            p.expansion_start = Date::ymd(2008, 1, 1);
            p.expansion_coverage = 0.5;
        },
        false,
    );
    let s = starts(Scheme::DrugFreeWing);
    let (a, b) = (count(&o.base, &s), count(&o.lever, &s));
    assert!(b > 3 * a.max(10), "{a} -> {b}");
}

#[test]
fn continuity_of_care_expanded_reaches_only_people_released() {
    let base = base_params();
    let mut lever = base.clone();
    let c = &mut lever.interventions.continuity_of_care;
    c.expansion_start = Date::ymd(2010, 1, 1);
    c.expansion_probability = 0.8;
    let from = day(2010, 1, 1);
    let o = compare(&base, &lever, |b, _, d| {
        before(b, d, |e| e.kind == EventKind::Release && e.day >= from)
    });
    let (a, b) = both(
        &o,
        "release-route starts from 2010",
        treatment_starts(Route::Release, from),
    );
    assert!(b > a, "{a} -> {b}");
}

// ---------------------------------------------------------------------------
// The four `levers.*`.

/// In treatment on some day on or after `from`, before the first difference.
fn in_treatment_from(events: &[Event], d: usize, from: i32) -> bool {
    let mut open = false;
    let day_d = events.get(d).map_or(i32::MAX, |e| e.day);
    for (i, e) in events.iter().enumerate() {
        if i > d && e.day != day_d {
            break;
        }
        match e.kind {
            EventKind::TreatmentStart => {
                open = true;
                if e.day >= from {
                    return true;
                }
            }
            EventKind::TreatmentEnd => {
                if open && e.day >= from {
                    return true;
                }
                open = false;
            }
            _ => {}
        }
    }
    open && day_d >= from
}

#[test]
fn retention_lever_reaches_only_people_in_treatment_after_its_start() {
    let base = base_params();
    let mut lever = base.clone();
    let r = &mut lever.levers.retention;
    r.enabled = true;
    r.start = Date::ymd(2010, 1, 1);
    let from = day(2010, 1, 1);
    let o = compare(&base, &lever, |b, l, d| {
        in_treatment_from(b, d, from) || in_treatment_from(l, d, from)
    });
    let ends = |exit: TreatmentExit| {
        move |_: &Person, e: &Event| {
            e.kind == EventKind::TreatmentEnd && e.extra == exit as u16 && e.day >= from
        }
    };
    let (a, b) = both(&o, "dropouts from 2010", ends(TreatmentExit::Dropout));
    let (c, d) = both(&o, "completions from 2010", ends(TreatmentExit::Completed));
    assert!(d > c, "{c} -> {d}");
    let share = |x: usize, y: usize| x as f64 / (x + y) as f64;
    assert!(share(b, d) < share(a, c), "dropout share did not fall");
}

#[test]
fn testing_extended_reaches_only_people_arrested_after_its_start() {
    let base = base_params();
    let mut lever = base.clone();
    let t = &mut lever.levers.testing_extended;
    t.enabled = true;
    t.start = Date::ymd(2010, 1, 1);
    let from = day(2010, 1, 1);
    let o = compare(&base, &lever, |b, l, d| {
        let tested = |e: &Event| e.kind == EventKind::Test && e.day >= from;
        before(b, d, tested) || before(l, d, tested)
    });
    let test = |_: &Person, e: &Event| e.kind == EventKind::Test && e.day >= from;
    let (a, b) = both(&o, "tests from 2010", test);
    assert!(b > a, "{a} -> {b}");
}

#[test]
fn testing_extended_widens_the_net_to_people_with_no_drug_problem() {
    let base = base_params();
    let mut lever = base.clone();
    let t = &mut lever.levers.testing_extended;
    t.enabled = true;
    t.start = Date::ymd(2010, 1, 1);
    let from = day(2010, 1, 1);
    let o = compare(&base, &lever, |b, l, d| {
        let tested = |e: &Event| e.kind == EventKind::Test && e.day >= from;
        before(b, d, tested) || before(l, d, tested)
    });
    let no_problem = |p: &Person| matches!(p.substance, Substance::None | Substance::Alcohol);
    let (a, b) = both(&o, "tests of people with no drug problem", |p, e| {
        no_problem(p) && e.kind == EventKind::Test && e.day >= from
    });
    assert!(b > a, "{a} -> {b}");
    let (a, b) = both(
        &o,
        "failed assessments of people with no drug problem",
        |p, e| no_problem(p) && e.kind == EventKind::AssessmentFailed && e.day >= from,
    );
    assert!(b > a, "{a} -> {b}");
}

#[test]
fn community_instead_of_short_custody_reaches_only_people_sentenced_to_it() {
    let base = base_params();
    let mut lever = base.clone();
    let c = &mut lever.levers.community_instead_of_short_custody;
    c.enabled = true;
    c.start = Date::ymd(2010, 1, 1);
    let from = day(2010, 1, 1);
    let o = compare(&base, &lever, |b, _, d| {
        before(b, d, |e| {
            e.kind == EventKind::Conviction
                && e.detail == Sentence::ShortCustody as u8
                && e.day >= from
        })
    });
    let short = |_: &Person, e: &Event| {
        e.kind == EventKind::CustodyStart && e.detail == CustodyKind::Short as u8 && e.day >= from
    };
    let (a, b) = both(&o, "short custody receptions from 2010", short);
    assert!((b as f64) < 0.7 * a as f64, "{a} -> {b}");
    let orders = |_: &Person, e: &Event| e.kind == EventKind::OrderStart && e.day >= from;
    let (a, b) = both(&o, "order starts from 2010", orders);
    assert!(b > a, "{a} -> {b}");
}

#[test]
fn treatment_access_reaches_only_voluntary_entrants_after_its_start() {
    let base = base_params();
    let mut lever = base.clone();
    let t = &mut lever.levers.treatment_access;
    t.enabled = true;
    t.start = Date::ymd(2010, 1, 1);
    let from = day(2010, 1, 1);
    // The entry clock runs faster from the start date: a voluntary start on or
    // after it may move within its day, so later events can part first.
    let o = compare(&base, &lever, |b, l, d| {
        let voluntary = |e: &Event| {
            e.kind == EventKind::TreatmentStart
                && e.detail == Route::Voluntary as u8
                && e.day >= from
        };
        before(l, d, voluntary) || before(b, d, voluntary)
    });
    let (a, b) = both(
        &o,
        "voluntary starts from 2010",
        treatment_starts(Route::Voluntary, from),
    );
    assert!(b as f64 > 1.1 * a as f64, "{a} -> {b}");
}

// ---------------------------------------------------------------------------
// Capacity and the waiting list.

fn capacity_params(priority: Priority) -> Params {
    let mut lever = base_params();
    let c = &mut lever.capacity;
    c.enabled = true;
    c.start = Date::ymd(2010, 1, 1);
    // Well below demand in every year tested, as treatment funding falls.
    c.community_places_per_year = 50_000.0;
    c.prison_places_per_year = 1e8;
    c.priority = priority;
    lever
}

fn waitlist_reached(_: &[Event], l: &[Event], d: usize) -> bool {
    before(l, d, |e| {
        matches!(e.kind, EventKind::WaitlistJoin | EventKind::NoPlace)
    })
}

#[test]
fn capacity_rations_treatment_starts_to_the_places() {
    let base = base_params();
    let lever = capacity_params(Priority::FirstCome);
    let o = compare(&base, &lever, waitlist_reached);
    let scale = lever.run.scale;
    let places = lever.capacity.community_places_per_year / scale;
    for year in 2011..2016 {
        let (a, b) = (
            Date::year_start(year).day(),
            Date::year_start(year + 1).day(),
        );
        let in_year =
            |_: &Person, e: &Event| e.kind == EventKind::TreatmentStart && e.day >= a && e.day < b;
        let (demand, served) = (count(&o.base, in_year), count(&o.lever, in_year));
        eprintln!("{year}: {demand} starts without a limit, {served} with {places:.0} places");
        assert!(
            demand as f64 > 1.3 * places,
            "{year}: demand {demand} is not above {places}"
        );
        let ratio = served as f64 / places;
        assert!(
            (0.8..=1.2).contains(&ratio),
            "{year}: {served} starts for {places:.0} places"
        );
    }
    let (_, gave_up) = both(&o, "give-ups", |_, e| e.kind == EventKind::WaitlistGiveUp);
    assert!(gave_up > 100, "{gave_up}");
}

#[test]
fn capacity_with_criminal_justice_priority_displaces_voluntary_entrants() {
    let base = base_params();
    let lever = capacity_params(Priority::CriminalJustice);
    let o = compare(&base, &lever, waitlist_reached);
    let give_ups = |cj: bool| {
        count(&o.lever, |_, e| {
            e.kind == EventKind::WaitlistGiveUp
                && Route::from_u8(e.detail).is_criminal_justice() == cj
        })
    };
    let (vol, cj) = (give_ups(false), give_ups(true));
    eprintln!("give-ups: voluntary {vol}, criminal justice {cj}");
    assert!(vol > cj, "voluntary {vol} vs criminal justice {cj}");
    assert!(vol > 100, "{vol}");
}

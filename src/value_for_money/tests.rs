use super::prices::{parse_unit_costs, Deflator};
use super::*;
use crate::calendar::{Date, DAYS_PER_YEAR};
use crate::history::{
    CustodyKind, EventKind, Histories, LengthBand, Modality, Person, Sentence, Substance,
    TreatmentExit,
};
use crate::metrics::Metrics;

const HEAD: &str =
    "id,item,category,perspective,applies_to,group,share,basis,value,price_year,source,url\n";

fn deflator() -> Deflator {
    // Prices rise 10% from 2020/21 to 2021/22.
    Deflator::parse("d.csv", "year,deflator\n2019,90\n2020,100\n2021,110\n").unwrap()
}

fn settings(from: i32, years: u32) -> AppraisalParams {
    AppraisalParams {
        from,
        years,
        price_year: 2021,
        ..AppraisalParams::default()
    }
}

fn prices(rows: &str, s: &AppraisalParams) -> Prices {
    let costs = parse_unit_costs("u.csv", &format!("{HEAD}{rows}"), &deflator()).unwrap();
    // Custody (both), OST, psychosocial, using (both), abstinent, no problem.
    let u = [0.5, 0.9, 0.7, 0.65, 0.6, 0.6, 0.8, 0.85];
    Prices::new(&costs, &deflator(), u, s).unwrap()
}

/// One person through an arrest, a short custodial sentence with licence, and
/// a year of community OST, in 2020 and 2021.
fn history() -> Histories {
    let d = |y, m, dd| Date::ymd(y, m, dd).day();
    let p = Person {
        id: 0,
        substance: Substance::OpiatesCrack,
        male: true,
        birth_day: d(1985, 1, 1),
        entry_day: d(2019, 1, 1),
        exit_day: d(2021, 12, 31),
        propensity: 1.0,
        risk_score: 50,
        unstable_housing: false,
        mental_health: false,
        prior_offences: 2,
        offends: true,
    };
    let ev = |day, kind, detail, extra| crate::history::Event::new(day, kind, detail, extra);
    let mut h = Histories::default();
    h.push(
        p,
        &[
            ev(d(2020, 2, 1), EventKind::Arrest, 1, 0),
            ev(
                d(2020, 3, 1),
                EventKind::Conviction,
                Sentence::ShortCustody as u8,
                29,
            ),
            // Sentenced from liberty, a 6-12 month band: 92 days inside.
            ev(
                d(2020, 3, 1),
                EventKind::CustodyStart,
                CustodyKind::Short as u8,
                (LengthBand::Over6m as u16) << 1,
            ),
            // Released with 90 days of licence.
            ev(d(2020, 6, 1), EventKind::Release, 0, 90),
            ev(
                d(2021, 1, 1),
                EventKind::TreatmentStart,
                0,
                Modality::Ost as u16,
            ),
            ev(
                d(2021, 7, 2),
                EventKind::TreatmentEnd,
                0,
                TreatmentExit::Completed as u16,
            ),
        ],
    );
    h
}

fn rows_of(h: &Histories) -> Vec<Row> {
    let mut p = crate::params::baseline();
    p.run.observe_from = 2019;
    p.run.horizon = Date::ymd(2022, 1, 1);
    let mut m = Metrics::new(&p);
    crate::history::Observer::observe(&mut m, h);
    m.rows(1.0)
}

#[test]
fn a_hand_built_history_costs_what_its_events_and_months_cost() {
    let h = history();
    let rows = rows_of(&h);
    let s = settings(2020, 2);
    let p = prices(
        "arrest,a,police,public_sector,arrests,all,1,each,500,2020,S,http://s\n\
         court,c,courts,public_sector,sentences,short_custody,0.5,each,2000,2020,S,http://s\n\
         prison,p,prison,public_sector,in_custody,all,1,year,36525,2021,S,http://s\n\
         licence,l,probation,public_sector,licence_time,all,1,month,100,2021,S,http://s\n\
         ost,o,treatment,public_sector,treatment_time_by_setting,community_ost,1,year,3652.5,2021,S,http://s\n",
        &s,
    );
    let a = account(&rows, &p, &s);
    let cat = |t: usize, c: Category| a.cost[t][c as usize][Perspective::PublicSector as usize];
    // 2020: one arrest (500 at 2020 prices = 550 in 2021 prices), half a
    // short-custody sentence's court cost (1000 -> 1100), 92 days in prison
    // (36,525 a person-year), 90 days of licence (1,200 a year).
    assert!((cat(0, Category::Police) - 550.0).abs() < 1e-9);
    assert!((cat(0, Category::Courts) - 1100.0).abs() < 1e-9);
    let days_in = (Date::ymd(2020, 6, 1).day() - Date::ymd(2020, 3, 1).day()) as f64;
    assert_eq!(days_in, 92.0);
    let prison = days_in / DAYS_PER_YEAR * 36525.0;
    assert!(
        (cat(0, Category::Prison) - prison).abs() < 1e-6,
        "{}",
        cat(0, Category::Prison)
    );
    assert!((cat(0, Category::Probation) - 90.0 / DAYS_PER_YEAR * 1200.0).abs() < 1e-6);
    // 2021: 182 days of community OST at 3,652.5 a year, nothing else.
    let ost_days = (Date::ymd(2021, 7, 2).day() - Date::ymd(2021, 1, 1).day()) as f64;
    assert_eq!(ost_days, 182.0);
    let ost = ost_days / DAYS_PER_YEAR * 3652.5;
    assert!((cat(1, Category::Treatment) - ost).abs() < 1e-6);
    assert_eq!(cat(1, Category::Police), 0.0);
    // QALYs: 2020 is 92 days in custody (0.5) and the rest using (0.6); 2021
    // is 182 days in OST (0.7), then abstinent after the completion (0.8) to
    // the end of the year (the person's last day is 31 December).
    let y2020 = (Date::ymd(2021, 1, 1).day() - Date::ymd(2020, 1, 1).day()) as f64;
    let want_2020 = (days_in * 0.5 + (y2020 - days_in) * 0.6) / DAYS_PER_YEAR;
    assert!((a.qalys[0] - want_2020).abs() < 1e-9, "{}", a.qalys[0]);
    let want_2021 = (ost_days * 0.7 + (365.0 - ost_days) * 0.8) / DAYS_PER_YEAR;
    assert!((a.qalys[1] - want_2021).abs() < 1e-9, "{}", a.qalys[1]);
    // Discounted at 3.5%: year 1 divided by 1.035.
    let t = a.totals(&s);
    let want = cat(0, Category::Treatment) + cat(1, Category::Treatment) / 1.035;
    assert!((t.cost[Category::Treatment as usize][0] - want).abs() < 1e-9);
    assert!((t.qalys - (want_2020 + want_2021 / 1.035)).abs() < 1e-12);
}

#[test]
fn identical_arms_differ_by_nothing_and_fewer_offences_are_crimes_averted() {
    let h = history();
    let rows = rows_of(&h);
    let s = settings(2020, 2);
    let p = prices(
        "crime,v,crime,victims,offences,acquisitive,1,each,1000,2021,S,http://s\n",
        &s,
    );
    let same = appraise_with(
        std::slice::from_ref(&rows),
        std::slice::from_ref(&rows),
        &s,
        p.clone(),
        1,
    );
    for m in same.measures() {
        if m.unit == GBP_M || m.unit == "offences" || m.unit == "QALYs" {
            assert_eq!(m.mean, 0.0, "{}", m.id);
        }
    }
    // The scenario commits 10 fewer acquisitive offences in each year.
    let fewer: Vec<Row> = rows
        .iter()
        .map(|r| {
            let mut r = r.clone();
            if r.metric == M::OFFENCES && (r.group == "acquisitive" || r.group == "all") {
                r.value -= 10.0;
            }
            r
        })
        .collect();
    let ap = appraise_with(std::slice::from_ref(&rows), &[fewer], &s, p, 1);
    let get = |id: &str| ap.measures().into_iter().find(|m| m.id == id).unwrap();
    assert_eq!(get("crimes_averted_acquisitive").mean, 20.0);
    assert_eq!(get("crimes_averted").mean, 20.0);
    // 10,000 fewer in year 0 and 10,000 / 1.035 in year 1, in GBP million.
    let saved = (10_000.0 + 10_000.0 / 1.035) / 1e6;
    assert!((get("incremental_cost_victims").mean + saved).abs() < 1e-12);
    assert!((get("incremental_cost_society").mean + saved).abs() < 1e-12);
    assert_eq!(get("incremental_cost_public_sector").mean, 0.0);
    assert_eq!(get("probability_benefits_exceed_costs").mean, 1.0);
    assert_eq!(get("benefit_cost_ratio").mean, f64::INFINITY);
}

#[test]
fn net_monetary_benefit_icer_and_benefit_cost_ratio_of_known_increments() {
    let mut d = Totals {
        items: vec![],
        ..Totals::default()
    };
    // GBP 30m more treatment, GBP 10m less prison, GBP 5m less crime, 1,000 QALYs.
    d.cost[Category::Treatment as usize][0] = 30e6;
    d.cost[Category::Prison as usize][0] = -10e6;
    d.cost[Category::Crime as usize][1] = -5e6;
    d.qalys = 1000.0;
    assert_eq!(d.public_sector(), 20e6);
    assert_eq!(d.society(), 15e6);
    assert_eq!(d.net_monetary_benefit(20_000.0, false), 0.0);
    assert_eq!(d.net_monetary_benefit(30_000.0, true), 15e6);
    assert_eq!(d.benefits_and_costs(), (15e6, 30e6));
    let base = Totals {
        items: vec![],
        ..Totals::default()
    };
    let s = settings(2020, 1);
    let ap = Appraisal {
        settings: s.clone(),
        prices: prices("", &s),
        base: vec![base.clone()],
        scenario: vec![d.clone()],
        increments: vec![d.minus(&base)],
        base_years: vec![[[0.0; 2]; Category::N]],
        scenario_years: vec![[[0.0; 2]; Category::N]],
        increment_years: vec![vec![[[0.0; 2]; Category::N]]],
        sets: 1,
    };
    let get = |id: &str| ap.measures().into_iter().find(|m| m.id == id).unwrap();
    assert_eq!(get("icer_public_sector").mean, 20_000.0);
    assert_eq!(get("icer_society").mean, 15_000.0);
    assert!(icer("x", "y", -5.0, 2.0)
        .label
        .ends_with("dominant, cheaper and better"));
    assert!(icer("x", "y", -5.0, 2.0).mean.is_nan());
    assert!(icer("x", "y", 5.0, -2.0)
        .label
        .ends_with("dominated, dearer and worse"));
    // Cheaper and worse: the ratio is the saving per QALY given up.
    assert_eq!(icer("x", "y", -50.0, -2.0).mean, 25.0);
    assert_eq!(get("benefit_cost_ratio").mean, 0.5);
    assert_eq!(get("net_monetary_benefit_public_sector_30k").mean, 10.0);
    // At exactly GBP 20,000 the benefit is zero: not positive.
    assert_eq!(
        get("probability_cost_effective_public_sector_20k").mean,
        0.0
    );
    assert_eq!(
        get("probability_cost_effective_public_sector_30k").mean,
        1.0
    );
    let curve = ap.acceptability_curve();
    assert_eq!(curve[0], (0.0, 0.0, 0.0));
    assert_eq!(curve[7], (17_500.0, 0.0, 1.0));
}

#[test]
fn the_probability_of_benefit_recovers_a_known_distribution() {
    use rand::SeedableRng;
    use rand_distr::Distribution;
    // Net benefits drawn from Normal(1, 1): P(> 0) = Phi(1) = 0.841345.
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
    let normal = rand_distr::Normal::new(1.0, 1.0).unwrap();
    let v: Vec<f64> = (0..200_000).map(|_| normal.sample(&mut rng)).collect();
    let p = probability_positive(&v);
    // Binomial SD at n = 200,000 is 0.0008.
    assert!((p - 0.841345).abs() < 0.004, "{p}");
    assert_eq!(probability_positive(&[-1.0, 2.0, 3.0, 0.0]), 0.5);
    assert!(probability_positive(&[]).is_nan());
}

#[test]
fn financial_years_are_written_as_published() {
    assert_eq!(financial_year(2024), "2024/25");
    assert_eq!(financial_year(1999), "1999/00");
}

#[test]
fn thousands_are_grouped() {
    assert_eq!(thousands(20_000.0), "20,000");
    assert_eq!(thousands(1_234_567.4), "1,234,567");
    assert_eq!(thousands(-950.0), "-950");
}

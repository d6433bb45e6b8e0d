//! Microdata on a hand-built history: every column's value, written to
//! Parquet and read back, and the filters.

use super::*;
use crate::history::{
    CustodyKind, DeathCircumstances, Disposal, Event, EventKind as K, LengthBand, Modality,
    OffenceGroup, OrderKind, OrderOutcome, Person, Route, Sentence, Substance, TreatmentExit,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float32Type, Float64Type, Int32Type, Int64Type};
use arrow_array::Array;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn day(y: i32, m: u32, d: u32) -> i32 {
    Date::ymd(y, m, d).day()
}

fn person(id: u64) -> Person {
    Person {
        id,
        substance: Substance::OpiatesCrack,
        male: false,
        birth_day: day(1975, 5, 6),
        entry_day: day(1995, 1, 1),
        exit_day: day(2012, 3, 4),
        propensity: 1.5,
        risk_score: 77,
        unstable_housing: true,
        mental_health: false,
        prior_offences: 3,
        offends: true,
    }
}

/// One history with an event of each kind that has details.
fn history() -> Vec<Event> {
    let d = day(2010, 1, 1);
    vec![
        Event::new(day(1995, 1, 1), K::CareerStart, 0, 0),
        Event::new(d, K::Arrest, 1, OffenceGroup::Drugs as u16),
        Event::new(d, K::Test, 1, 0),
        Event::new(d, K::DipAssessment, 1, 0),
        Event::new(d, K::Disposal, Disposal::Charge as u8, 0),
        Event::new(d + 60, K::Conviction, Sentence::ShortCustody as u8, 60),
        Event::new(
            d + 60,
            K::CustodyStart,
            CustodyKind::Short as u8,
            1 | (LengthBand::Over6m as u16) << 1,
        ),
        Event::new(
            d + 61,
            K::TreatmentStart,
            Route::Release as u8,
            Modality::Ost as u16,
        ),
        Event::new(d + 120, K::Release, 0, 200),
        Event::new(d + 130, K::OrderStart, OrderKind::Drr as u8, 0),
        Event::new(
            d + 300,
            K::OrderEnd,
            OrderKind::Drr as u8,
            OrderOutcome::Revoked as u16,
        ),
        Event::new(
            d + 301,
            K::TreatmentEnd,
            Route::Release as u8,
            TreatmentExit::Dropout as u16,
        ),
        Event::new(d + 302, K::OffendingRate, 0x01, 0x86a0), // 100,000 thousandths
        Event::new(d + 303, K::WaitlistJoin, Route::Voluntary as u8, 42),
        Event::new(day(2011, 7, 8), K::Desistance, 0, 0),
        Event::new(
            day(2012, 3, 4),
            K::Death,
            1,
            DeathCircumstances {
                release_weeks: 0,
                in_treatment: false,
                in_ost: false,
                after_ost: true,
            }
            .encode(),
        ),
    ]
}

fn read(path: &Path) -> RecordBatch {
    let file = std::fs::File::open(path).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let mut batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
    assert_eq!(batches.len(), 1, "a small file reads as one batch");
    batches.remove(0)
}

fn cat(b: &RecordBatch, col: &str, row: usize) -> Option<String> {
    let a = b.column_by_name(col).unwrap();
    let d = a.as_dictionary::<Int8Type>();
    if d.is_null(row) {
        return None;
    }
    let values = d.values().as_string::<i32>();
    Some(values.value(d.keys().value(row) as usize).to_string())
}

fn flag(b: &RecordBatch, col: &str, row: usize) -> Option<bool> {
    let a = b.column_by_name(col).unwrap().as_boolean();
    (!a.is_null(row)).then(|| a.value(row))
}

fn int(b: &RecordBatch, col: &str, row: usize) -> Option<i64> {
    let a = b.column_by_name(col).unwrap();
    if a.is_null(row) {
        return None;
    }
    Some(match a.data_type() {
        DataType::Int32 => a.as_primitive::<Int32Type>().value(row) as i64,
        DataType::Int64 => a.as_primitive::<Int64Type>().value(row),
        DataType::Date32 => a.as_primitive::<Date32Type>().value(row) as i64,
        t => panic!("{col} is {t}"),
    })
}

#[test]
fn every_column_round_trips_through_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = Histories::default();
    h.push(person(7), &history());
    let w = Writer::create(dir.path()).unwrap();
    w.send(batches(&Filter::default(), 1, 3, &h));
    let written = w.finish().unwrap();
    assert_eq!((written.people, written.events), (1, 16));
    assert!(written.bytes > 0);
    assert!(dir.path().join("dictionary.csv").exists());

    let p = read(&dir.path().join("people.parquet"));
    assert_eq!(p.num_rows(), 1);
    assert_eq!(p.num_columns(), PEOPLE.len());
    assert_eq!(int(&p, "replicate", 0), Some(3));
    assert_eq!(int(&p, "person", 0), Some(7));
    assert_eq!(cat(&p, "sex", 0).as_deref(), Some("female"));
    assert_eq!(int(&p, "birth_date", 0), Some(day(1975, 5, 6) as i64));
    assert_eq!(cat(&p, "exit_reason", 0).as_deref(), Some("death"));
    assert_eq!(int(&p, "desistance_date", 0), Some(day(2011, 7, 8) as i64));
    assert_eq!(cat(&p, "substance", 0).as_deref(), Some("opiates_crack"));
    assert_eq!(
        p.column_by_name("propensity")
            .unwrap()
            .as_primitive::<Float32Type>()
            .value(0),
        1.5
    );
    assert_eq!(cat(&p, "risk_band", 0).as_deref(), Some("high"));
    assert_eq!(flag(&p, "unstable_housing", 0), Some(true));
    assert_eq!(int(&p, "prior_offences", 0), Some(3));

    let e = read(&dir.path().join("events.parquet"));
    assert_eq!(e.num_rows(), 16);
    assert_eq!(e.num_columns(), EVENTS.len());
    let kinds: Vec<String> = (0..16).map(|r| cat(&e, "event", r).unwrap()).collect();
    assert_eq!(kinds[1], "arrest");
    assert_eq!(kinds[14], "desistance");
    assert_eq!(kinds[15], "death");
    assert_eq!(
        (0..16)
            .map(|r| int(&e, "sequence", r).unwrap())
            .collect::<Vec<_>>(),
        (0..16).collect::<Vec<_>>()
    );
    // the arrest's details, and nulls where a column does not apply
    assert_eq!(cat(&e, "offence_group", 1).as_deref(), Some("drugs"));
    assert_eq!(flag(&e, "trigger_offence", 1), Some(true));
    assert_eq!(flag(&e, "trigger_offence", 2), None);
    assert_eq!(flag(&e, "positive", 2), Some(true));
    assert_eq!(flag(&e, "assessment_required", 3), Some(true));
    assert_eq!(cat(&e, "disposal", 4).as_deref(), Some("charge"));
    assert_eq!(cat(&e, "sentence", 5).as_deref(), Some("short_custody"));
    assert_eq!(int(&e, "offence_date", 5), Some(day(2010, 1, 1) as i64));
    assert_eq!(cat(&e, "custody", 6).as_deref(), Some("short"));
    assert_eq!(cat(&e, "length_band", 6).as_deref(), Some("6m_to_12m"));
    assert_eq!(flag(&e, "sentenced_on_remand", 6), Some(true));
    assert_eq!(cat(&e, "route", 7).as_deref(), Some("release"));
    assert_eq!(cat(&e, "modality", 7).as_deref(), Some("ost"));
    assert_eq!(flag(&e, "from_remand", 8), Some(false));
    assert_eq!(int(&e, "licence_days", 8), Some(200));
    assert_eq!(cat(&e, "order", 9).as_deref(), Some("drr"));
    assert_eq!(cat(&e, "order_outcome", 10).as_deref(), Some("revoked"));
    assert_eq!(cat(&e, "treatment_exit", 11).as_deref(), Some("dropout"));
    let rate = e
        .column_by_name("offences_per_year")
        .unwrap()
        .as_primitive::<Float64Type>();
    assert_eq!(rate.value(12), 100.0);
    assert!(rate.is_null(11));
    assert_eq!(int(&e, "wait_days", 13), Some(42));
    assert_eq!(cat(&e, "cause", 15).as_deref(), Some("drug_poisoning"));
    assert_eq!(
        cat(&e, "weeks_since_release", 15).as_deref(),
        Some("not_recently_released")
    );
    assert_eq!(flag(&e, "after_ost", 15), Some(true));
    assert_eq!(flag(&e, "in_ost", 15), Some(false));
}

#[test]
fn filters_keep_years_and_a_stable_sample() {
    let mut h = Histories::default();
    for id in 0..2000 {
        h.push(person(id), &history());
    }
    let years = Filter::parse(None, Some("2010"), None).unwrap();
    let b = batches(&years, 1, 0, &h);
    assert_eq!(b.people.num_rows(), 2000, "all in the model in 2010");
    // 2010's events: arrest to the waiting list (rows 1-13 of each history)
    assert_eq!(b.events.num_rows(), 2000 * 13);
    let later = Filter::parse(None, Some("2013-2020"), None).unwrap();
    assert_eq!(
        batches(&later, 1, 0, &h).people.num_rows(),
        0,
        "dead by 2013"
    );
    let half = Filter::parse(None, None, Some(0.5)).unwrap();
    let n = batches(&half, 1, 0, &h).people.num_rows();
    assert!((900..1100).contains(&n), "{n} of 2000");
    // the same people for the same seed and replicate, others for another
    let ids = |seed, g| {
        let b = batches(&half, seed, g, &h);
        let a = b
            .people
            .column_by_name("person")
            .unwrap()
            .as_primitive::<Int64Type>()
            .clone();
        a.values().to_vec()
    };
    assert_eq!(ids(1, 0), ids(1, 0));
    assert_ne!(ids(1, 0), ids(1, 1));
    assert_ne!(ids(1, 0), ids(2, 0));
    let reps = Filter::parse(Some("0-2,5"), None, None).unwrap();
    assert_eq!(reps.replicates, Some(vec![0, 1, 2, 5]));
    assert!(reps.keeps_replicate(5) && !reps.keeps_replicate(3));
    for bad in [
        Filter::parse(Some("2-1"), None, None),
        Filter::parse(Some("x"), None, None),
        Filter::parse(None, Some("10"), None),
        Filter::parse(None, None, Some(0.0)),
        Filter::parse(None, None, Some(1.5)),
    ] {
        assert!(bad.is_err());
    }
}

#[test]
fn the_dictionary_lists_every_column_once() {
    let rows = dictionary_rows();
    assert_eq!(rows.len(), PEOPLE.len() + EVENTS.len());
    for table in ["people", "events"] {
        let mut names: Vec<&str> = rows
            .iter()
            .filter(|r| r[0] == table)
            .map(|r| r[1].as_str())
            .collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n, "{table}: a column twice");
    }
    assert!(
        rows.iter().all(|r| !r[5].is_empty()),
        "every column has a meaning"
    );
    let md = dictionary_markdown();
    for k in EventKind::ALL {
        assert!(md.contains(&format!("| `{}` |", k.name())));
    }
}

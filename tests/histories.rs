//! `--histories`: Parquet microdata from `run` and `compare`, read back with
//! the parquet crate's own reader. One summary row is reproduced from the
//! events and people tables; the files do not depend on the thread count; a
//! comparison writes the same people in both arms.

mod common;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Int32Type, Int64Type, Int8Type};
use arrow_array::{Array, RecordBatch};
use common::{pathsim, repo};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::HashMap;
use std::path::Path;

fn read(path: &Path) -> Vec<RecordBatch> {
    let file = std::fs::File::open(path).unwrap();
    ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap()
        .map(|b| b.unwrap())
        .collect()
}

fn cat(b: &RecordBatch, col: &str, row: usize) -> Option<String> {
    let d = b.column_by_name(col).unwrap().as_dictionary::<Int8Type>();
    (!d.is_null(row)).then(|| {
        d.values()
            .as_string::<i32>()
            .value(d.keys().value(row) as usize)
            .to_string()
    })
}

fn run(out: &Path, extra: &[&str]) {
    let base = repo("scenarios/baseline.toml");
    let mut args = vec![
        "run",
        base.to_str().unwrap(),
        "--scale",
        "1000",
        "--replicates",
        "2",
        "--point",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
        "--histories",
    ];
    args.extend(extra);
    let o = pathsim(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn run_histories_reproduce_a_summary_row_and_do_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    let filters = ["--histories-replicates", "1", "--histories-years", "2011"];
    run(&one, &[&filters[..], &["--threads", "1"]].concat());
    run(&two, &[&filters[..], &["--threads", "2"]].concat());
    for f in ["people.parquet", "events.parquet", "dictionary.csv"] {
        let a = std::fs::read(one.join("histories").join(f)).unwrap();
        let b = std::fs::read(two.join("histories").join(f)).unwrap();
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
    // Each person's substance group, from the people table.
    let mut substance: HashMap<i64, String> = HashMap::new();
    for b in read(&one.join("histories/people.parquet")) {
        let ids = b
            .column_by_name("person")
            .unwrap()
            .as_primitive::<Int64Type>();
        let reps = b
            .column_by_name("replicate")
            .unwrap()
            .as_primitive::<Int32Type>();
        for r in 0..b.num_rows() {
            assert_eq!(reps.value(r), 1, "only replicate 1");
            substance.insert(ids.value(r), cat(&b, "substance", r).unwrap());
        }
    }
    // Arrests of opiate/crack users in 2011, replicate 1, times the scale...
    let (first, last) = (
        pathsim::calendar::Date::ymd(2011, 1, 1).day(),
        pathsim::calendar::Date::ymd(2011, 12, 31).day(),
    );
    let mut arrests = 0u64;
    let mut events = 0u64;
    for b in read(&one.join("histories/events.parquet")) {
        let ids = b
            .column_by_name("person")
            .unwrap()
            .as_primitive::<Int64Type>();
        let dates = b
            .column_by_name("date")
            .unwrap()
            .as_primitive::<Date32Type>();
        for r in 0..b.num_rows() {
            events += 1;
            let d = dates.value(r);
            assert!(first <= d && d <= last, "only 2011");
            let s = substance
                .get(&ids.value(r))
                .expect("every event's person is in the people table");
            if cat(&b, "event", r).as_deref() == Some("arrest") && s == "opiates_crack" {
                arrests += 1;
            }
        }
    }
    assert!(events > 1000, "{events} events");
    // ...is the arrests row of results.csv for that replicate, group and year.
    let results = std::fs::read_to_string(one.join("results.csv")).unwrap();
    let row = results
        .lines()
        .find(|l| l.starts_with("baseline,1,arrests,opiates_crack,2011,"))
        .expect("the row");
    let value: f64 = row.rsplit(',').next().unwrap().parse().unwrap();
    assert!(arrests > 0);
    assert_eq!(arrests as f64 * 1000.0, value);
}

#[test]
fn compare_writes_both_arms_with_the_same_people() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let o = common::compare_retention(
        &out,
        &[
            "--point",
            "--quiet",
            "--histories",
            "--histories-sample",
            "0.2",
            "--histories-replicates",
            "0",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let people = |arm: &str| -> Vec<(i64, i32)> {
        read(&out.join("histories").join(arm).join("people.parquet"))
            .iter()
            .flat_map(|b| {
                let ids = b
                    .column_by_name("person")
                    .unwrap()
                    .as_primitive::<Int64Type>()
                    .clone();
                let born = b
                    .column_by_name("birth_date")
                    .unwrap()
                    .as_primitive::<Date32Type>()
                    .clone();
                (0..b.num_rows()).map(move |r| (ids.value(r), born.value(r)))
            })
            .collect()
    };
    let (a, b) = (people("baseline"), people("scenario"));
    assert!(a.len() > 100, "{} people", a.len());
    assert_eq!(a, b, "the same sampled people, with the same attributes");
    // The comparison simulates the years before the lever's start once for both
    // arms; each arm's files are still those of that arm run alone.
    let alone = dir.path().join("alone");
    let o = common::pathsim(&[
        "run",
        common::repo("scenarios/retention_improved.toml")
            .to_str()
            .unwrap(),
        "--scale",
        "1000",
        "--replicates",
        "4",
        "--point",
        "--quiet",
        "--histories",
        "--histories-sample",
        "0.2",
        "--histories-replicates",
        "0",
        "--out",
        alone.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["people.parquet", "events.parquet"] {
        let x = std::fs::read(alone.join("histories").join(f)).unwrap();
        let y = std::fs::read(out.join("histories/scenario").join(f)).unwrap();
        assert!(
            x == y,
            "{f}: the paired comparison's scenario arm differs from the arm alone"
        );
    }
    for arm in ["baseline", "scenario"] {
        assert!(out
            .join("histories")
            .join(arm)
            .join("dictionary.csv")
            .exists());
    }
}

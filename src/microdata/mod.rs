//! Person-level microdata: the simulated histories as two Parquet tables (people
//! and events) that pandas, polars, R arrow and DuckDB read with no options, and
//! a data dictionary beside them.
//!
//! Chunks are converted to Arrow record batches on the worker threads and
//! written in chunk order by one writer thread, so the files do not depend on
//! the thread count and memory holds a few chunks at a time, not the run.

pub mod columns;

use anyhow::{Context, Result};
use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float32Builder, Float64Builder, Int32Builder, Int64Builder,
    StringDictionaryBuilder,
};
use arrow_array::types::Int8Type;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use columns::{Cell, Column, EventRow, PersonRow, Ty, EVENTS, PEOPLE};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::calendar::Date;
use crate::history::{EventKind, Histories};

/// Mixed into the sample's hash so it is apart from every model stream.
const SAMPLE_KEY: u64 = 0x6d69_6372_6f64_6174;

/// Which histories to write: replicates, calendar years and a sample of people.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    /// Replicates to write (`None`: all).
    pub replicates: Option<Vec<u32>>,
    /// First and last calendar year of events (`None`: every year); people are
    /// written if their time in the model overlaps these years.
    pub years: Option<(i32, i32)>,
    /// Fraction of people written, drawn by person id (the same people in every
    /// arm of a comparison).
    pub sample: f64,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            replicates: None,
            years: None,
            sample: 1.0,
        }
    }
}

impl Filter {
    /// Whether replicate `g` is written.
    pub fn keeps_replicate(&self, g: u32) -> bool {
        self.replicates.as_ref().is_none_or(|r| r.contains(&g))
    }
    /// Days of the year window, inclusive.
    fn days(&self) -> (i32, i32) {
        match self.years {
            Some((a, b)) => (Date::ymd(a, 1, 1).day(), Date::ymd(b, 12, 31).day()),
            None => (i32::MIN, i32::MAX),
        }
    }
    /// Whether person `id` of replicate `g` is in the sample: a hash of (seed,
    /// replicate, id) under the fraction, drawn apart from the model's streams.
    pub fn samples(&self, seed: u64, g: u32, id: u64) -> bool {
        if self.sample >= 1.0 {
            return true;
        }
        let h = crate::rng::mix64(crate::rng::mix64(seed ^ SAMPLE_KEY) ^ ((g as u64) << 48) ^ id);
        ((h >> 11) as f64 / (1u64 << 53) as f64) < self.sample
    }
    /// Parse the command line's forms: replicates "0,2,5" or "0-3"; years
    /// "2005-2010" or "2011"; a sample fraction in (0, 1].
    pub fn parse(
        replicates: Option<&str>,
        years: Option<&str>,
        sample: Option<f64>,
    ) -> Result<Filter, String> {
        let mut f = Filter::default();
        if let Some(s) = replicates {
            let mut list = Vec::new();
            for part in s.split(',') {
                let (a, b) = range(part.trim()).ok_or_else(|| {
                    format!(
                        "--histories-replicates: '{part}' is not a replicate or range such as 0-3"
                    )
                })?;
                list.extend(a..=b);
            }
            f.replicates = Some(list);
        }
        if let Some(s) = years {
            let (a, b) = range(s.trim())
                .filter(|&(a, b)| (1900..=2200).contains(&a) && (1900..=2200).contains(&b))
                .ok_or_else(|| {
                    format!("--histories-years: '{s}' is not a year or range such as 2005-2010")
                })?;
            f.years = Some((a as i32, b as i32));
        }
        if let Some(x) = sample {
            if !(x > 0.0 && x <= 1.0) {
                return Err(format!(
                    "--histories-sample: {x} is not a fraction in (0, 1]"
                ));
            }
            f.sample = x;
        }
        Ok(f)
    }
}

/// "a" or "a-b" with a <= b.
fn range(s: &str) -> Option<(u32, u32)> {
    let (a, b) = match s.split_once('-') {
        Some((a, b)) => (a.trim().parse().ok()?, b.trim().parse().ok()?),
        None => {
            let a = s.parse().ok()?;
            (a, a)
        }
    };
    (a <= b).then_some((a, b))
}

/// One chunk's rows of both tables.
pub struct Batches {
    pub people: RecordBatch,
    pub events: RecordBatch,
}

enum Builder {
    Cat(StringDictionaryBuilder<Int8Type>),
    Date(Date32Builder),
    Bool(BooleanBuilder),
    I32(Int32Builder),
    I64(Int64Builder),
    F32(Float32Builder),
    F64(Float64Builder),
}

impl Builder {
    fn new(ty: Ty, rows: usize) -> Builder {
        match ty {
            Ty::Category => Builder::Cat(StringDictionaryBuilder::with_capacity(rows, 32, 512)),
            Ty::Date => Builder::Date(Date32Builder::with_capacity(rows)),
            Ty::Bool => Builder::Bool(BooleanBuilder::with_capacity(rows)),
            Ty::Int32 => Builder::I32(Int32Builder::with_capacity(rows)),
            Ty::Int64 => Builder::I64(Int64Builder::with_capacity(rows)),
            Ty::Float32 => Builder::F32(Float32Builder::with_capacity(rows)),
            Ty::Float64 => Builder::F64(Float64Builder::with_capacity(rows)),
        }
    }
    fn push(&mut self, c: Cell, column: &str) {
        match (self, c) {
            (Builder::Cat(b), Cell::Cat(s)) => {
                b.append(s).expect("fewer than 128 categories");
            }
            (Builder::Cat(b), Cell::Null) => b.append_null(),
            (Builder::Date(b), Cell::Day(d)) => b.append_value(d),
            (Builder::Date(b), Cell::Null) => b.append_null(),
            (Builder::Bool(b), Cell::Bool(v)) => b.append_value(v),
            (Builder::Bool(b), Cell::Null) => b.append_null(),
            (Builder::I32(b), Cell::Int(v)) => b.append_value(v as i32),
            (Builder::I32(b), Cell::Null) => b.append_null(),
            (Builder::I64(b), Cell::Int(v)) => b.append_value(v),
            (Builder::I64(b), Cell::Null) => b.append_null(),
            (Builder::F32(b), Cell::Float(v)) => b.append_value(v as f32),
            (Builder::F32(b), Cell::Null) => b.append_null(),
            (Builder::F64(b), Cell::Float(v)) => b.append_value(v),
            (Builder::F64(b), Cell::Null) => b.append_null(),
            (_, c) => panic!("column {column}: value {c:?} does not fit its type"),
        }
    }
    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Cat(b) => Arc::new(b.finish()),
            Builder::Date(b) => Arc::new(b.finish()),
            Builder::Bool(b) => Arc::new(b.finish()),
            Builder::I32(b) => Arc::new(b.finish()),
            Builder::I64(b) => Arc::new(b.finish()),
            Builder::F32(b) => Arc::new(b.finish()),
            Builder::F64(b) => Arc::new(b.finish()),
        }
    }
}

fn data_type(ty: Ty) -> DataType {
    match ty {
        Ty::Category => DataType::Dictionary(Box::new(DataType::Int8), Box::new(DataType::Utf8)),
        Ty::Date => DataType::Date32,
        Ty::Bool => DataType::Boolean,
        Ty::Int32 => DataType::Int32,
        Ty::Int64 => DataType::Int64,
        Ty::Float32 => DataType::Float32,
        Ty::Float64 => DataType::Float64,
    }
}

/// The Arrow schema of a table. Columns that apply to every row are not nullable.
pub fn schema<R>(cols: &[Column<R>]) -> SchemaRef {
    let nullable = |c: &Column<R>| !c.applies_to.is_empty() || c.ty == Ty::Category;
    Arc::new(Schema::new(
        cols.iter()
            .map(|c| {
                Field::new(
                    c.name,
                    data_type(c.ty),
                    nullable(c) || PEOPLE_NULLABLE.contains(&c.name),
                )
            })
            .collect::<Vec<_>>(),
    ))
}

/// People columns that are null for people who never offend.
const PEOPLE_NULLABLE: [&str; 4] = ["propensity", "risk_score", "risk_band", "desistance_date"];

/// Build one table's batch from its rows.
fn batch<R>(cols: &[Column<R>], rows: &[R]) -> RecordBatch {
    let arrays: Vec<ArrayRef> = cols
        .iter()
        .map(|c| {
            let mut b = Builder::new(c.ty, rows.len());
            for r in rows {
                b.push((c.get)(r), c.name);
            }
            b.finish()
        })
        .collect();
    RecordBatch::try_new(schema(cols), arrays).expect("columns match the schema")
}

/// One chunk's rows, filtered: replicate `g` of a run with seed `seed`.
pub fn batches(filter: &Filter, seed: u64, g: u32, h: &Histories) -> Batches {
    let (first, last) = filter.days();
    let mut people = Vec::new();
    let mut events = Vec::new();
    for (p, ev) in h.iter() {
        if p.exit_day < first || p.entry_day > last || !filter.samples(seed, g, p.id) {
            continue;
        }
        people.push(PersonRow {
            replicate: g,
            person: *p,
            last: ev.last().map(|e| e.kind),
            desisted: ev
                .iter()
                .find(|e| e.kind == EventKind::Desistance)
                .map(|e| e.day),
        });
        for (i, e) in ev.iter().enumerate() {
            if first <= e.day && e.day <= last {
                events.push(EventRow {
                    replicate: g,
                    person: p.id,
                    sequence: i as u32,
                    event: *e,
                });
            }
        }
    }
    Batches {
        people: batch(PEOPLE, &people),
        events: batch(EVENTS, &events),
    }
}

/// What a finished writer wrote.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Written {
    pub people: u64,
    pub events: u64,
    /// Bytes of the two Parquet files.
    pub bytes: u64,
}

/// Writes batches to `people.parquet` and `events.parquet` in a folder, on a
/// thread of its own, in the order they are sent.
pub struct Writer {
    tx: Option<SyncSender<Batches>>,
    handle: Option<JoinHandle<Result<Written>>>,
}

/// Batches queued for the writer before senders wait.
const QUEUE: usize = 8;

impl Writer {
    /// Create the folder's two files (and the data dictionary beside them).
    pub fn create(dir: &Path) -> Result<Writer> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        write_dictionary(&dir.join("dictionary.csv"))?;
        let open =
            |name: &str, schema: SchemaRef| -> Result<(ArrowWriter<std::fs::File>, PathBuf)> {
                let path = dir.join(name);
                let file = std::fs::File::create(&path)
                    .with_context(|| format!("cannot create {}", path.display()))?;
                let props = WriterProperties::builder()
                    .set_compression(Compression::SNAPPY)
                    .set_created_by(format!("pathsim {}", env!("CARGO_PKG_VERSION")))
                    .set_statistics_enabled(parquet::file::properties::EnabledStatistics::Chunk)
                    .build();
                let w = ArrowWriter::try_new(file, schema, Some(props))
                    .with_context(|| format!("cannot start {}", path.display()))?;
                Ok((w, path))
            };
        let (mut people, people_path) = open("people.parquet", schema(PEOPLE))?;
        let (mut events, events_path) = open("events.parquet", schema(EVENTS))?;
        let (tx, rx) = sync_channel::<Batches>(QUEUE);
        let handle = std::thread::spawn(move || -> Result<Written> {
            let mut w = Written::default();
            for b in rx {
                w.people += b.people.num_rows() as u64;
                w.events += b.events.num_rows() as u64;
                people
                    .write(&b.people)
                    .with_context(|| format!("cannot write {}", people_path.display()))?;
                events
                    .write(&b.events)
                    .with_context(|| format!("cannot write {}", events_path.display()))?;
            }
            people
                .close()
                .with_context(|| format!("cannot finish {}", people_path.display()))?;
            events
                .close()
                .with_context(|| format!("cannot finish {}", events_path.display()))?;
            for p in [&people_path, &events_path] {
                w.bytes += std::fs::metadata(p)?.len();
            }
            Ok(w)
        });
        Ok(Writer {
            tx: Some(tx),
            handle: Some(handle),
        })
    }

    /// Queue one chunk's batches (waits while the queue is full). An error of
    /// the writer thread is reported by [`Writer::finish`].
    pub fn send(&self, b: Batches) {
        if let Some(tx) = &self.tx {
            // A closed channel means the writer failed; finish() says why.
            let _ = tx.send(b);
        }
    }

    /// Close both files and report what was written.
    pub fn finish(mut self) -> Result<Written> {
        self.tx.take();
        let handle = self.handle.take().expect("finished once");
        match handle.join() {
            Ok(r) => r,
            Err(_) => anyhow::bail!("the histories writer stopped unexpectedly"),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// The histories of one run being written: which to keep, and where.
pub struct Recorder {
    pub filter: Filter,
    pub writer: Writer,
}

/// Rows of the data dictionary: table, column, type, unit, applies to, meaning.
pub fn dictionary_rows() -> Vec<[String; 6]> {
    fn rows<R>(table: &str, cols: &[Column<R>]) -> Vec<[String; 6]> {
        cols.iter()
            .map(|c| {
                [
                    table.to_string(),
                    c.name.to_string(),
                    c.ty.name().to_string(),
                    c.unit.to_string(),
                    if c.applies_to.is_empty() {
                        "every row".to_string()
                    } else {
                        c.applies_to
                            .iter()
                            .map(|k| k.name())
                            .collect::<Vec<_>>()
                            .join(" ")
                    },
                    c.meaning.to_string(),
                ]
            })
            .collect()
    }
    let mut out = rows("people", PEOPLE);
    out.extend(rows("events", EVENTS));
    out
}

/// Write the data dictionary as CSV.
pub fn write_dictionary(path: &Path) -> Result<()> {
    let mut w = csv::Writer::from_path(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    w.write_record(["table", "column", "type", "unit", "applies_to", "meaning"])?;
    for r in dictionary_rows() {
        w.write_record(&r)?;
    }
    w.flush()?;
    Ok(())
}

/// The dictionary as Markdown (docs/histories.md's generated part).
pub fn dictionary_markdown() -> String {
    let mut s = String::new();
    for (table, title) in [("people", "people.parquet"), ("events", "events.parquet")] {
        s.push_str(&format!(
            "\n### {title}\n\n| column | type | unit | applies to | meaning |\n| --- | --- | --- | --- | --- |\n"
        ));
        for r in dictionary_rows().iter().filter(|r| r[0] == table) {
            s.push_str(&format!(
                "| `{}` | {} | {} | {} | {} |\n",
                r[1], r[2], r[3], r[4], r[5]
            ));
        }
    }
    s.push_str("\n### Event kinds\n\n| event | meaning |\n| --- | --- |\n");
    for k in EventKind::ALL {
        s.push_str(&format!(
            "| `{}` | {} |\n",
            k.name(),
            columns::event_meaning(k)
        ));
    }
    s
}

/// The line that opens the generated dictionary in docs/histories.md.
pub const DOC_BEGIN: &str = "<!-- BEGIN GENERATED: histories dictionary -->";

#[cfg(test)]
mod tests;

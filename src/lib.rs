//! pathsim: an agent-based, parallel Monte Carlo simulator of drug-using offenders'
//! pathways through criminal justice and drug treatment in England and Wales.
//!
//! Layout: [`params`] (every parameter, with unit, range and source) and
//! [`scenario`] (TOML files) feed the [`engine`], which simulates people through
//! the [`pathway`] stages and records [`history`]; [`metrics`] read histories;
//! [`run`] orchestrates replicates and [`output`] writes files.

pub mod app;
pub mod appraisal;
pub mod bench;
pub mod calendar;
pub mod calibrate;
pub mod capacity;
pub mod classroom;
pub mod docs;
pub mod engine;
pub mod ensemble;
pub mod error;
pub mod history;
pub mod history_matching;
pub mod input;
pub mod interventions;
pub mod interventions_doc;
pub mod lesson;
pub mod life_table;
pub mod metrics;
pub mod microdata;
pub mod output;
pub mod parameter;
pub mod params;
pub mod pathway;
pub mod progress;
pub mod report;
pub mod rng;
pub mod run;
pub mod scenario;
pub mod series;
pub mod studies;
pub mod sweep;
pub mod value_for_money;

/// The open population (who is active, who enters, their attributes) lives with
/// the pathway stages; this name is kept for callers.
pub use pathway::population;

//! The interventions table: `pathsim interventions [--markdown]`, pasted into
//! docs/interventions.md between [`DOC_BEGIN`] and [`DOC_END`] (a test keeps the
//! two equal).
//!
//! One row per [`CATALOGUE`] entry: where it acts, its parameters with their
//! baseline defaults, the UKDPC evidence grade, the seed figures and the defaults
//! that are assumptions (from the parameter registry's sources), and whether the
//! baseline has it on.

use crate::interventions::{InterventionInfo, Stage, CATALOGUE};

/// The line that opens the generated table in docs/interventions.md.
pub const DOC_BEGIN: &str = "<!-- BEGIN GENERATED: pathsim interventions --markdown -->";
/// The line that closes it.
pub const DOC_END: &str = "<!-- END GENERATED -->";

/// Date meaning "never" (no end, no expansion) in the baseline.
const NEVER: &str = "2100-01-01";

/// One row of the table.
#[derive(Clone, Debug)]
pub struct Row {
    pub key: &'static str,
    pub label: &'static str,
    pub stage: &'static str,
    pub acts: &'static str,
    /// `field = default` pairs shown (the block's own parameters).
    pub params: Vec<String>,
    /// Core keys that hold the rest of its parameters.
    pub core: &'static str,
    pub evidence: &'static str,
    pub evidence_note: &'static str,
    pub seeds: Vec<&'static str>,
    /// Shown parameters whose default the registry gives as an assumption.
    pub assumed: Vec<String>,
    pub baseline_on: bool,
}

fn stage_name(s: Stage) -> &'static str {
    match s {
        Stage::Arrest => "arrest",
        Stage::Court => "court",
        Stage::Order => "order",
        Stage::Prison => "prison",
        Stage::Release => "release",
    }
}

fn show(v: &toml::Value) -> String {
    match v {
        toml::Value::Float(f) => format!("{f}"),
        toml::Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

/// Whether a default is an assumption by the registry's source, leaving out
/// dates and effects at their "none" value (those follow the evidence rule).
fn is_assumed(info: &InterventionInfo, field: &str, v: &toml::Value) -> bool {
    let Some(x) = v.as_float() else {
        return false;
    };
    let none = info
        .effects
        .iter()
        .find(|(f, _)| *f == field)
        .map(|&(_, n)| n)
        .or(field.ends_with("_multiplier").then_some(1.0));
    if none == Some(x) {
        return false;
    }
    let key = format!("interventions.{}.{field}", info.key);
    crate::params::info(&key)
        .is_some_and(|i| i.source.starts_with("assumption") || i.source.contains("assumed"))
}

/// The keys of `[section]` in serialised TOML, in order.
fn fields_in_order<'a>(text: &'a str, section: &str) -> Vec<&'a str> {
    let header = format!("[{section}]");
    text.lines()
        .skip_while(|l| l.trim() != header)
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with('['))
        .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim()))
        .collect()
}

/// The rows, in catalogue (pathway) order, with the baseline's defaults.
pub fn rows() -> Vec<Row> {
    let p = crate::params::baseline();
    // Through text, so dates come back as TOML dates; the text also gives the
    // fields in the order of their struct.
    let text = toml::to_string(&p.interventions).expect("interventions serialise");
    let value: toml::Table = toml::from_str(&text).expect("interventions parse");
    CATALOGUE
        .iter()
        .map(|info| {
            let block = value
                .get(info.key)
                .and_then(|b| b.as_table())
                .expect("catalogue names a block");
            let never = |field: &str| block.get(field).is_some_and(|v| v.to_string() == NEVER);
            let mut params = Vec::new();
            let mut assumed = Vec::new();
            for field in fields_in_order(&text, info.key) {
                let v = &block[field];
                let hidden = field == "enabled"
                    || (field == "end" && never("end"))
                    || (field.starts_with("expansion_") && never("expansion_start"));
                if hidden {
                    continue;
                }
                params.push(format!("{field} = {}", show(v)));
                if is_assumed(info, field, v) {
                    assumed.push(field.to_string());
                }
            }
            let (acts, core) = (info.acts, info.core);
            Row {
                key: info.key,
                label: info.label,
                stage: stage_name(info.stage),
                acts,
                params,
                core,
                evidence: info.evidence.label(),
                evidence_note: info.evidence_note,
                seeds: info
                    .seeds
                    .split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect(),
                assumed,
                baseline_on: block.get("enabled").and_then(|e| e.as_bool()) == Some(true),
            }
        })
        .collect()
}

fn on_off(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

/// The interventions table, aligned plain text or Markdown.
pub fn interventions_table(markdown: bool) -> String {
    let rows = rows();
    let mut out = String::new();
    if markdown {
        out.push_str(
            "| intervention | where it acts | parameters (baseline defaults) | evidence (UKDPC 2008) | sources | baseline |\n\
             | --- | --- | --- | --- | --- | --- |\n",
        );
        for r in &rows {
            let mut params = if r.params.is_empty() {
                String::new()
            } else {
                format!("`{}`", r.params.join("; "))
            };
            if !r.core.is_empty() {
                if !params.is_empty() {
                    params.push_str("; ");
                }
                params.push_str(&format!("with its stage: `{}`", r.core));
            }
            let mut sources: Vec<String> = r.seeds.iter().map(|s| format!("`{s}`")).collect();
            if !r.assumed.is_empty() {
                sources.push(format!("assumed: {}", r.assumed.join(", ")));
            }
            let sources = sources.join("; ");
            out.push_str(&format!(
                "| **{}** `{}` | {}: {} | {} | **{}**. {} | {} | {} |\n",
                cell(r.label),
                r.key,
                r.stage,
                cell(r.acts),
                params,
                r.evidence,
                cell(r.evidence_note),
                sources,
                on_off(r.baseline_on),
            ));
        }
    } else {
        let w = rows.iter().map(|r| r.key.len()).max().unwrap_or(0);
        out.push_str(&format!(
            "{:<w$}  {:<7}  {:<8}  {:<19}  {}\n",
            "block", "stage", "baseline", "evidence", "intervention"
        ));
        for r in &rows {
            out.push_str(&format!(
                "{:<w$}  {:<7}  {:<8}  {:<19}  {}\n",
                r.key,
                r.stage,
                on_off(r.baseline_on),
                r.evidence,
                r.label
            ));
            let mut lines = vec![("acts", r.acts.to_string())];
            if !r.params.is_empty() {
                lines.push(("parameters", r.params.join("; ")));
            }
            if !r.core.is_empty() {
                lines.push(("with stage", r.core.to_string()));
            }
            lines.push(("evidence", r.evidence_note.to_string()));
            if !r.seeds.is_empty() {
                lines.push(("seeds", r.seeds.join(", ")));
            }
            if !r.assumed.is_empty() {
                lines.push(("assumed", r.assumed.join(", ")));
            }
            for (name, text) in lines {
                out.push_str(&format!("    {name:<11} {text}\n"));
            }
        }
    }
    out
}

/// A Markdown table cell: no pipes.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The generated block of docs/interventions.md (between the markers).
pub fn doc_block(doc: &str) -> Option<&str> {
    let start = doc.find(DOC_BEGIN)? + DOC_BEGIN.len();
    let len = doc[start..].find(DOC_END)?;
    Some(doc[start..start + len].trim_matches('\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_entry_says_where_it_acts() {
        for info in CATALOGUE {
            assert!(!info.acts.is_empty(), "{} has no phrase", info.key);
        }
    }

    #[test]
    fn doc_table_is_the_generated_one() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/interventions.md");
        let doc = std::fs::read_to_string(&path).unwrap();
        let block = doc_block(&doc).expect("docs/interventions.md has the generated markers");
        assert_eq!(
            block,
            interventions_table(true).trim_matches('\n'),
            "docs/interventions.md is out of date: paste `pathsim interventions --markdown` \
             between its markers"
        );
    }

    #[test]
    fn table_shows_defaults_and_hides_never_dates() {
        let table = interventions_table(true);
        assert!(
            table.contains("coverage = 0.855; continuity_multiplier = 1"),
            "{table}"
        );
        assert!(!table.contains("end = 2100-01-01"));
        let rows = rows();
        let rapt = rows.iter().find(|r| r.key == "rapt").unwrap();
        assert!(rapt.assumed.contains(&"offending_multiplier".to_string()));
        let pasro = rows.iter().find(|r| r.key == "pasro").unwrap();
        assert!(!pasro.assumed.contains(&"offending_multiplier".to_string()));
        assert!(rows.iter().any(|r| r.key == "diversion" && !r.baseline_on));
    }
}

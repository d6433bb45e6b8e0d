//! Scenario files: TOML, optionally built on a `base` file, validated in one place.
//!
//! Loading a file: parse it (syntax errors keep their line), check every key
//! against the parameter tree (unknown keys get the nearest valid key), check
//! types key by key, merge it over its base, then validate ranges with
//! [`Params::validate`]. Every error names the file, line, column and key.

use crate::error::{Location, ScenarioError};
use crate::params::Params;
use serde::Deserialize;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A scenario ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub params: Params,
    /// The file it came from, then its bases.
    pub files: Vec<PathBuf>,
}

/// One parsed file with the span of every key.
struct SourceFile {
    path: PathBuf,
    text: String,
    table: toml::Table,
    spans: HashMap<String, Range<usize>>,
}

impl SourceFile {
    fn location(&self, offset: usize) -> Location {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map(|i| i + 1).unwrap_or(0) + 1;
        Location {
            file: self.path.clone(),
            line,
            column,
        }
    }
    /// The location of a dotted key, or of its nearest enclosing key present.
    fn key_location(&self, key: &str) -> Option<Location> {
        let mut k = key;
        loop {
            if let Some(span) = self.spans.get(k) {
                return Some(self.location(span.start));
            }
            k = &k[..k.rfind(['.', '['])?];
        }
    }
}

/// Where a key's value was set in a base chain (top file first): the file that
/// sets the key itself (the nearest to the top, whose value wins), else the
/// nearest enclosing key present in any file, else the top file with no line.
fn locate(chain: &[SourceFile], key: &str) -> Location {
    let mut k = key;
    loop {
        if let Some((f, span)) = chain
            .iter()
            .find_map(|f| f.spans.get(k).map(|span| (f, span)))
        {
            return f.location(span.start);
        }
        match k.rfind(['.', '[']) {
            Some(i) => k = &k[..i],
            None => break,
        }
    }
    Location {
        file: chain[0].path.clone(),
        line: 0,
        column: 0,
    }
}

/// A value given on the command line: the option that gave it (`--set KEY`,
/// `--scale`, ...) and the `KEY=VALUE` assignment it stands for.
#[derive(Debug, Clone)]
struct CommandValue {
    option: String,
    assignment: String,
}

impl CommandValue {
    fn key(&self) -> &str {
        self.assignment
            .split_once('=')
            .map_or(self.assignment.as_str(), |(k, _)| k)
            .trim()
    }
}

/// The last command-line value that set `key` (or a table holding it, or a key
/// inside it, for checks on a whole table such as a sum of shares).
fn set_on_command_line<'a>(values: &'a [CommandValue], key: &str) -> Option<&'a CommandValue> {
    let key = key.split('[').next().unwrap_or(key);
    values.iter().rev().find(|v| {
        let k = v.key();
        k == key
            || key.strip_prefix(k).is_some_and(|r| r.starts_with('.'))
            || k.strip_prefix(key).is_some_and(|r| r.starts_with('.'))
    })
}

/// Load, merge and validate a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    load_with(path, &[])
}

/// What a command line may change in a scenario: `--set KEY=VALUE` overrides and
/// the run's replicates, scale and seed.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub set: Vec<String>,
    pub replicates: Option<u32>,
    pub scale: Option<f64>,
    pub seed: Option<u64>,
}

impl Overrides {
    /// Load a scenario with these overrides applied.
    pub fn load(&self, path: &Path) -> Result<Scenario, ScenarioError> {
        let mut values = set_values(&self.set);
        let mut push = |option: &str, assignment: String| {
            values.push(CommandValue {
                option: option.into(),
                assignment,
            })
        };
        if let Some(r) = self.replicates {
            push("--replicates", format!("run.replicates={r}"));
        }
        if let Some(s) = self.scale {
            push("--scale", format!("run.scale={s:?}"));
        }
        if let Some(s) = self.seed {
            push("--seed", format!("run.seed={s}"));
        }
        load_values(path, &values)
    }
}

/// `--set KEY=VALUE` assignments as command-line values.
fn set_values(set: &[String]) -> Vec<CommandValue> {
    set.iter()
        .map(|a| CommandValue {
            option: format!(
                "--set {}",
                a.split_once('=').map_or(a.as_str(), |(k, _)| k).trim()
            ),
            assignment: a.clone(),
        })
        .collect()
}

/// Load a scenario, then apply `KEY=VALUE` overrides (TOML values) before validation.
pub fn load_with(path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
    load_values(path, &set_values(overrides))
}

fn load_values(path: &Path, values: &[CommandValue]) -> Result<Scenario, ScenarioError> {
    let overrides: Vec<String> = values.iter().map(|v| v.assignment.clone()).collect();
    let overrides = overrides.as_slice();
    let mut chain = Vec::new();
    // Whatever no file sets comes from the defaults (partial tables included).
    let mut merged = defaults_table();
    deep_merge(&mut merged, load_chain(path, &mut chain)?);
    let top = &chain[0];
    // The name belongs to the file itself, not to its base.
    if !top.table.contains_key("name") {
        let stem = top
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "scenario".into());
        merged.insert("name".into(), toml::Value::String(stem));
    }
    for assignment in overrides {
        apply_override(&mut merged, assignment)?;
    }
    let blame = |key: String, message: String| match set_on_command_line(values, &key) {
        Some(v) => ScenarioError::CommandLine {
            option: v.option.clone(),
            key,
            message,
        },
        None => ScenarioError::Invalid {
            at: locate(&chain, &key),
            key,
            message,
        },
    };
    let params = to_params(&merged, &chain).map_err(|e| match e {
        ScenarioError::Invalid { key, message, .. } => blame(key, message),
        e => e,
    })?;
    check_scenario_name(&params.name, &top.path, top.key_location("name"), overrides)?;
    let invalid = params.validate();
    if let Some(first) = invalid.into_iter().next() {
        return Err(blame(first.key, first.message));
    }
    Ok(Scenario {
        params,
        files: chain.into_iter().map(|f| f.path).collect(),
    })
}

/// Parse a scenario from text (for tests and tools); `path` is used in messages.
pub fn from_str(path: &Path, text: &str) -> Result<Params, ScenarioError> {
    let file = parse_file(path, text.to_string())?;
    let mut table = file.table.clone();
    table.remove("base");
    to_params(&table, &[file])
}

fn to_params(table: &toml::Table, chain: &[SourceFile]) -> Result<Params, ScenarioError> {
    let value = toml::Value::Table(table.clone());
    serde_path_to_error::deserialize::<_, Params>(value).map_err(|e| {
        let key = e.path().to_string();
        let at = locate(chain, &key);
        ScenarioError::Invalid {
            at,
            key,
            message: format!("has the wrong type: {}", e.inner()),
        }
    })
}

fn load_chain(path: &Path, chain: &mut Vec<SourceFile>) -> Result<toml::Table, ScenarioError> {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if chain
        .iter()
        .any(|f| f.path.canonicalize().ok().as_ref() == Some(&canonical))
    {
        let names: Vec<String> = chain
            .iter()
            .map(|f| f.path.display().to_string())
            .chain([path.display().to_string()])
            .collect();
        return Err(ScenarioError::BaseLoop {
            file: chain[0].path.clone(),
            chain: names.join(" -> "),
        });
    }
    let text = crate::input::read_text(path, "scenario")?;
    let file = parse_file(path, text)?;
    // Types are checked file by file (over the defaults, so partial tables are
    // fine) so that errors point into the right file.
    let mut own = file.table.clone();
    let base = own.remove("base");
    let mut check = defaults_table();
    deep_merge(&mut check, own.clone());
    to_params(&check, std::slice::from_ref(&file))?;
    let index = chain.len();
    chain.push(file);
    let merged = match base {
        None => own,
        Some(toml::Value::String(b)) => {
            let base_path = path.parent().unwrap_or(Path::new(".")).join(b);
            let mut table = load_chain(&base_path, chain)?;
            deep_merge(&mut table, own);
            table
        }
        Some(_) => {
            let f = &chain[index];
            return Err(ScenarioError::Invalid {
                at: f.key_location("base").expect("base key present"),
                key: "base".into(),
                message: "must be a file name in quotes, e.g. base = \"baseline.toml\"".into(),
            });
        }
    };
    Ok(merged)
}

fn parse_file(path: &Path, text: String) -> Result<SourceFile, ScenarioError> {
    let mut file = SourceFile {
        path: path.to_path_buf(),
        text,
        table: toml::Table::new(),
        spans: HashMap::new(),
    };
    let parsed = toml::de::DeTable::parse(&file.text).map_err(|e| syntax_error(&file, &e))?;
    let mut unknown = None;
    let schema = schema();
    collect_spans("", parsed.get_ref(), &mut file.spans, &schema, &mut unknown);
    match unknown {
        Some(Problem::Unknown(key, span)) => {
            return Err(ScenarioError::UnknownKey {
                at: file.location(span.start),
                suggestion: suggest(&key, &schema),
                key: crate::input::shorten(&key),
            })
        }
        Some(Problem::Shape(key, span, message)) => {
            return Err(ScenarioError::Invalid {
                at: file.location(span.start),
                key,
                message,
            })
        }
        None => {}
    }
    file.table = toml::from_str(&file.text).map_err(|e| syntax_error(&file, &e))?;
    Ok(file)
}

/// A TOML syntax error at its line.
fn syntax_error(file: &SourceFile, e: &toml::de::Error) -> ScenarioError {
    ScenarioError::Syntax {
        at: file.location(e.span().map(|s| s.start).unwrap_or(0)),
        message: crate::input::syntax_message(&file.text, e),
    }
}

/// The first problem with a file's keys: an unknown key, or a key of the wrong
/// shape (an array of tables `[[run]]` where a table `[run]` is expected).
enum Problem {
    Unknown(String, Range<usize>),
    Shape(String, Range<usize>, String),
}

/// The default parameters as a TOML table.
fn defaults_table() -> toml::Table {
    match toml::Value::try_from(Params::default()).expect("parameters serialise") {
        toml::Value::Table(t) => t,
        _ => unreachable!("parameters are a table"),
    }
}

/// The tree of valid keys: the default parameters, plus `base`.
fn schema() -> toml::Table {
    let mut t = match toml::Value::try_from(Params::default()).expect("parameters serialise") {
        toml::Value::Table(t) => t,
        _ => unreachable!("parameters are a table"),
    };
    t.insert("base".into(), toml::Value::String(String::new()));
    t
}

fn collect_spans(
    prefix: &str,
    table: &toml::de::DeTable<'_>,
    spans: &mut HashMap<String, Range<usize>>,
    schema: &toml::Table,
    unknown: &mut Option<Problem>,
) {
    for (k, v) in table {
        let name: &str = k.get_ref();
        let key = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        spans.insert(key.clone(), k.span());
        let Some(expected) = schema.get(name) else {
            if unknown.is_none() {
                *unknown = Some(Problem::Unknown(key, k.span()));
            }
            continue;
        };
        match (v.get_ref(), expected) {
            (toml::de::DeValue::Table(sub), toml::Value::Table(sub_schema)) => {
                collect_spans(&key, sub, spans, sub_schema, unknown);
            }
            (toml::de::DeValue::Array(_), toml::Value::Table(_)) if unknown.is_none() => {
                *unknown = Some(Problem::Shape(
                    key.clone(),
                    k.span(),
                    format!(
                        "must be a table (`[{key}]` or `{key}.x = ...`), not an array \
                         (`[[{key}]]` or `{key} = [...]`)"
                    ),
                ));
            }
            _ => {}
        }
    }
}

/// Every valid dotted key.
fn all_keys(prefix: &str, schema: &toml::Table, out: &mut Vec<String>) {
    for (k, v) in schema {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        if let toml::Value::Table(t) = v {
            all_keys(&key, t, out);
        }
        out.push(key);
    }
}

/// The nearest valid key to a misspelt one: a sibling if one is close, else any
/// key anywhere with a close last segment (a key put in the wrong table).
fn suggest(key: &str, schema: &toml::Table) -> Option<String> {
    let mut keys = Vec::new();
    all_keys("", schema, &mut keys);
    let (parent, last) = match key.rfind('.') {
        Some(i) => (&key[..i], &key[i + 1..]),
        None => ("", key),
    };
    // A key much longer than every known key is near none of them: skip the
    // edit distances (quadratic in the length) rather than compute them.
    let longest = keys
        .iter()
        .map(|k| k.rsplit('.').next().unwrap_or(k).len())
        .max()
        .unwrap_or(0);
    if last.len() > 2 * longest + 8 || parent.len() > 4 * MAX_KEY_LEN {
        return None;
    }
    let close = |a: &str, b: &str| {
        let d = levenshtein(a, b);
        (d <= (a.len().max(b.len()) / 3).max(2)).then_some(d)
    };
    let sibling = keys
        .iter()
        .filter(|k| match k.rfind('.') {
            Some(i) => &k[..i] == parent,
            None => parent.is_empty(),
        })
        .filter_map(|k| {
            let seg = k.rsplit('.').next().unwrap_or(k);
            close(last, seg).map(|d| (d, k))
        })
        .min();
    if let Some((_, k)) = sibling {
        return Some(k.clone());
    }
    keys.iter()
        .filter_map(|k| {
            let seg = k.rsplit('.').next().unwrap_or(k);
            close(last, seg).map(|d| (d, k))
        })
        .min()
        .map(|(_, k)| k.clone())
}

/// Longer dotted keys than this are no parameter's.
const MAX_KEY_LEN: usize = 100;

pub use crate::input::levenshtein;

/// Overlay `top` on `base`, table by table.
pub fn deep_merge(base: &mut toml::Table, top: toml::Table) {
    for (k, v) in top {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(t)) => deep_merge(b, t),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Apply `a.b.c=VALUE`, where VALUE is a TOML value (`0.5`, `true`, `2030-01-01`, `"x"`).
fn apply_override(table: &mut toml::Table, assignment: &str) -> Result<(), ScenarioError> {
    let fail = |message: String| ScenarioError::Override {
        assignment: assignment.to_string(),
        message,
    };
    let (key, raw) = assignment
        .split_once('=')
        .ok_or_else(|| fail("expected KEY=VALUE".into()))?;
    let key = key.trim();
    let schema = schema();
    let mut node = &schema;
    let parts: Vec<&str> = key.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        match node.get(*part) {
            Some(toml::Value::Table(t)) if i + 1 < parts.len() => node = t,
            Some(_) if i + 1 == parts.len() => {}
            _ => {
                let hint = suggest(key, &schema)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(fail(format!("unknown key `{key}`{hint}")));
            }
        }
    }
    let value: toml::Value = toml::from_str::<toml::Table>(&format!("v = {}", raw.trim()))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.trim().to_string()));
    let mut target = table;
    for part in &parts[..parts.len() - 1] {
        target = target
            .entry(part.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()))
            .as_table_mut()
            .ok_or_else(|| fail(format!("`{part}` is not a table")))?;
    }
    target.insert(parts[parts.len() - 1].to_string(), value);
    Ok(())
}

/// Parameters with numeric values set by dotted key (for sweeps and calibration).
pub fn with_values(params: &Params, values: &[(String, f64)]) -> Result<Params, String> {
    let mut table = match toml::Value::try_from(params).map_err(|e| e.to_string())? {
        toml::Value::Table(t) => t,
        _ => unreachable!("parameters are a table"),
    };
    for (key, v) in values {
        let parts: Vec<&str> = key.split('.').collect();
        let mut node = &mut table;
        for part in &parts[..parts.len() - 1] {
            node = node
                .get_mut(*part)
                .and_then(|x| x.as_table_mut())
                .ok_or_else(|| format!("unknown parameter `{key}`"))?;
        }
        let last = parts[parts.len() - 1];
        let slot = node
            .get_mut(last)
            .ok_or_else(|| format!("unknown parameter `{key}`"))?;
        *slot = match slot {
            toml::Value::Integer(_) => toml::Value::Integer(v.round() as i64),
            toml::Value::Float(_) => toml::Value::Float(*v),
            _ => return Err(format!("`{key}` is not a number")),
        };
    }
    let p: Params = Params::deserialize(toml::Value::Table(table)).map_err(|e| e.to_string())?;
    if let Some(bad) = p.validate().into_iter().next() {
        return Err(format!("`{}` {}", bad.key, bad.message));
    }
    Ok(p)
}

/// The resolved parameters as a stand-alone TOML scenario (no base).
pub fn to_toml(params: &Params) -> String {
    toml::to_string_pretty(params).expect("parameters serialise")
}

/// The longest scenario name, in bytes: names become folder names, and derived
/// folder names (`compare-<a>-vs-<b>`, staging folders) must stay within the
/// 255-byte limit of common file systems.
pub const MAX_NAME_LEN: usize = 100;

/// Check that a scenario name can name its output folder `outputs/<name>`: a
/// single, visible path component. Returns why not, as a phrase to follow "key
/// `name`".
pub fn check_name(name: &str) -> Result<(), String> {
    let why = if name.is_empty() {
        "must not be empty".to_string()
    } else if name == "." || name == ".." {
        format!("must not be `{name}`")
    } else if name.contains(['/', '\\']) {
        format!("must not contain `/` or `\\`, got {name:?}")
    } else if name.chars().any(char::is_control) {
        format!("must not contain control characters, got {name:?}")
    } else if name.starts_with('.') {
        format!("must not start with a dot (a hidden folder), got {name:?}")
    } else if name.len() > MAX_NAME_LEN {
        format!(
            "must be at most {MAX_NAME_LEN} bytes long, got {} bytes",
            name.len()
        )
    } else {
        return Ok(());
    };
    Err(format!(
        "{why}: it names the output folder outputs/<name>, so it must be one plain \
         folder name such as `retention_improved`"
    ))
}

/// [`check_name`] as a scenario error pointing where the name was set: the last
/// `--set name=...` override, else the file's `name` key (`at`), else the file
/// name it defaults to.
pub fn check_scenario_name(
    name: &str,
    file: &Path,
    at: Option<crate::error::Location>,
    overrides: &[String],
) -> Result<(), crate::error::ScenarioError> {
    use crate::error::{Location, ScenarioError};
    let Err(why) = check_name(name) else {
        return Ok(());
    };
    let set = overrides
        .iter()
        .rev()
        .find(|a| a.split_once('=').is_some_and(|(k, _)| k.trim() == "name"));
    Err(match (set, at) {
        (Some(assignment), _) => ScenarioError::Override {
            assignment: assignment.clone(),
            message: format!("key `name` {why}"),
        },
        (None, Some(at)) => ScenarioError::Invalid {
            at,
            key: "name".into(),
            message: why,
        },
        (None, None) => ScenarioError::Invalid {
            at: Location {
                file: file.to_path_buf(),
                line: 0,
                column: 0,
            },
            key: "name".into(),
            message: format!("(taken from the file name) {why}; set `name = \"...\"` in the file"),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn misspelt_key_names_line_and_nearest_key() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(
            dir.path(),
            "x.toml",
            "[run]\nseed = 1\n\n[treatment]\ndropout_rate_0_3 = 1.0\n",
        );
        let e = load(&f).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("x.toml:5:1"), "{msg}");
        assert!(msg.contains("`treatment.ost_dropout_rate_0_3m`"), "{msg}");
    }

    #[test]
    fn key_in_the_wrong_table_is_suggested_with_its_table() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(
            dir.path(),
            "x.toml",
            "[orders]\nprison_dropout_multiplier = 0.5\n",
        );
        let msg = load(&f).unwrap_err().to_string();
        assert!(msg.contains("treatment.prison_dropout_multiplier"), "{msg}");
    }

    #[test]
    fn wrong_type_names_key_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(
            dir.path(),
            "x.toml",
            "[court]\n\nconviction_probability = \"high\"\n",
        );
        let e = load(&f).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("x.toml:3:1"), "{msg}");
        assert!(msg.contains("court.conviction_probability"), "{msg}");
    }

    #[test]
    fn out_of_range_in_override_points_into_the_override() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "base.toml", "[run]\nseed = 5\n");
        let f = write(
            dir.path(),
            "policy.toml",
            "base = \"base.toml\"\n[treatment]\ndropout_rate_3_12m = -0.5\n",
        );
        let e = load(&f).unwrap_err();
        let at = e.location().unwrap();
        assert!(at.file.ends_with("policy.toml"));
        assert_eq!(at.line, 3);
        assert!(e.to_string().contains("treatment.ost_dropout_rate_3_12m"));
    }

    #[test]
    fn dates_out_of_order_and_nan_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(dir.path(), "d.toml", "[run]\nstart = 2040-01-01\n");
        assert!(load(&f).unwrap_err().to_string().contains("run.horizon"));
        let f = write(dir.path(), "n.toml", "[offending]\nage_decline = nan\n");
        let msg = load(&f).unwrap_err().to_string();
        assert!(
            msg.contains("offending.age_decline") && msg.contains("finite"),
            "{msg}"
        );
    }

    #[test]
    fn base_values_are_inherited_and_name_is_own() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "base.toml",
            "name = \"base\"\n[run]\nseed = 5\nreplicates = 3\n",
        );
        let f = write(
            dir.path(),
            "p.toml",
            "base = \"base.toml\"\n[run]\nreplicates = 4\n",
        );
        let s = load(&f).unwrap();
        assert_eq!(s.params.run.seed, 5);
        assert_eq!(s.params.run.replicates, 4);
        assert_eq!(s.params.name, "p");
        assert_eq!(s.files.len(), 2);
    }

    #[test]
    fn base_loop_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.toml", "base = \"b.toml\"\n");
        let f = write(dir.path(), "b.toml", "base = \"a.toml\"\n");
        assert!(matches!(load(&f), Err(ScenarioError::BaseLoop { .. })));
    }

    #[test]
    fn overrides_apply_and_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(dir.path(), "a.toml", "");
        let s = load_with(&f, &["treatment.ost_dropout_rate_0_3m=2.5".into()]).unwrap();
        assert_eq!(s.params.treatment.ost_dropout_rate_0_3m, 2.5);
        let e = load_with(&f, &["treatment.dropout=2.5".into()]).unwrap_err();
        assert!(matches!(e, ScenarioError::Override { .. }));
    }

    #[test]
    fn with_values_sets_nested_keys() {
        let p = with_values(
            &Params::default(),
            &[
                ("offending.offence_rate.none".into(), 0.9),
                ("run.replicates".into(), 3.0),
            ],
        )
        .unwrap();
        assert_eq!(p.offending.offence_rate.none, 0.9);
        assert_eq!(p.run.replicates, 3);
    }
}

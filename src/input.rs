//! Reading input files (scenario, sweep and calibration files) safely: only
//! regular files of at most [`MAX_INPUT_BYTES`], checked before anything is
//! read, so a FIFO does not hang and `/dev/zero` does not fill memory; text
//! that is not UTF-8 is refused with the line of its first bad byte.

use crate::error::{Location, ScenarioError};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The largest input file read: 1 MiB. The shipped baseline scenario, every
/// parameter with its comment, is about 30 KB.
pub const MAX_INPUT_BYTES: u64 = 1 << 20;

/// Read an input file of the given kind ("scenario", "sweep file",
/// "calibration file") as UTF-8 text.
pub fn read_text(path: &Path, kind: &str) -> Result<String, ScenarioError> {
    let io = |source: std::io::Error| ScenarioError::Io {
        file: path.to_path_buf(),
        kind: kind.to_string(),
        source,
    };
    let refuse = |message: String| ScenarioError::File {
        file: path.to_path_buf(),
        message,
    };
    // Follows symbolic links: a link to a regular file is fine.
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file (a pipe, device or socket)"
        };
        return Err(refuse(format!(
            "cannot read {kind}: it is {what}; give the path of a {kind} (TOML)"
        )));
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(refuse(format!(
            "cannot read {kind}: it is {} bytes, more than the limit of {MAX_INPUT_BYTES} bytes (1 MiB) for input files",
            meta.len()
        )));
    }
    // Opened without blocking, then read at most one byte past the limit (the
    // file may have grown, or changed into something else, since the check).
    let file = open_nonblocking(path).map_err(io)?;
    if !file.metadata().map_err(io)?.is_file() {
        return Err(refuse(format!(
            "cannot read {kind}: it is not a regular file"
        )));
    }
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(refuse(format!(
            "cannot read {kind}: it is more than the limit of {MAX_INPUT_BYTES} bytes (1 MiB) for input files"
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        let good = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..good];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = good
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1)
            + 1;
        ScenarioError::Syntax {
            at: Location {
                file: path.to_path_buf(),
                line,
                column,
            },
            message: format!("the {kind} is not UTF-8 text (a byte that is not UTF-8 here)"),
        }
    })
}

/// Key spans of a parsed file, keyed by serde_path_to_error paths
/// (`parameter[0].key`), to point errors at the line of a key.
pub struct Spans {
    pub path: PathBuf,
    pub text: String,
    pub spans: HashMap<String, Range<usize>>,
}

impl Spans {
    /// The line and column of a byte offset.
    pub fn location(&self, offset: usize) -> Location {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        Location {
            file: self.path.clone(),
            line: before.matches('\n').count() + 1,
            column: before.len() - before.rfind('\n').map(|i| i + 1).unwrap_or(0) + 1,
        }
    }
    /// Location of a key path, or of its nearest enclosing key present.
    pub fn at(&self, key: &str) -> Location {
        let mut k = key.to_string();
        loop {
            if let Some(span) = self.spans.get(&k) {
                return self.location(span.start);
            }
            match k.rfind(['.', '[']) {
                Some(i) => k.truncate(i),
                None => return self.location(0),
            }
        }
    }
    /// An invalid value at a key.
    pub fn invalid(&self, key: &str, message: impl Into<String>) -> ScenarioError {
        ScenarioError::Invalid {
            at: self.at(key),
            key: key.to_string(),
            message: message.into(),
        }
    }
}

fn collect_spans(prefix: &str, v: &toml::de::DeValue<'_>, out: &mut HashMap<String, Range<usize>>) {
    match v {
        toml::de::DeValue::Table(t) => {
            for (k, v) in t {
                let name: &str = k.get_ref();
                let key = if prefix.is_empty() {
                    name.to_string()
                } else {
                    format!("{prefix}.{name}")
                };
                out.insert(key.clone(), k.span());
                collect_spans(&key, v.get_ref(), out);
            }
        }
        toml::de::DeValue::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                let key = format!("{prefix}[{i}]");
                out.insert(key.clone(), item.span());
                collect_spans(&key, item.get_ref(), out);
            }
        }
        _ => {}
    }
}

/// Parse a TOML file's text into `T` (types and known keys only), keeping the
/// span of every key; errors name the file, line, column and key, and an
/// unknown key gets the nearest valid one.
pub fn parse_toml<T: DeserializeOwned>(
    path: &Path,
    text: String,
) -> Result<(T, Spans), ScenarioError> {
    let mut spans = Spans {
        path: path.to_path_buf(),
        text,
        spans: HashMap::new(),
    };
    let doc = toml::de::DeTable::parse(&spans.text).map_err(|e| ScenarioError::Syntax {
        at: spans.location(e.span().map(|s| s.start).unwrap_or(0)),
        message: syntax_message(&spans.text, &e),
    })?;
    let mut map = HashMap::new();
    collect_spans(
        "",
        &toml::de::DeValue::Table(doc.get_ref().clone()),
        &mut map,
    );
    spans.spans = map;
    let de = toml::de::Deserializer::from(doc);
    let file: T = serde_path_to_error::deserialize(de).map_err(|e| {
        let key = e.path().to_string();
        let at = match e.inner().span() {
            Some(s) if s.start > 0 || key == "." => spans.location(s.start),
            _ => spans.at(&key),
        };
        let message = e.inner().message().trim().to_string();
        if let Some(rest) = message.strip_prefix("unknown field `") {
            // serde lists the valid fields in backticks: suggest the nearest.
            let valid: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
            let name = rest.split('`').next().unwrap_or_default();
            return ScenarioError::UnknownKey {
                at,
                suggestion: nearest_key(name, valid.iter()).map(|n| match key.rfind('.') {
                    Some(i) => format!("{}.{n}", &key[..i]),
                    None => n,
                }),
                key: shorten(&key),
            };
        }
        if key == "." || key.is_empty() {
            ScenarioError::Syntax { at, message }
        } else {
            ScenarioError::Invalid { at, key, message }
        }
    })?;
    Ok((file, spans))
}

/// A TOML syntax error's message; a duplicate key names the key, with the
/// table it is in.
pub fn syntax_message(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim().to_string();
    let Some(span) = e.span().filter(|_| message.starts_with("duplicate key")) else {
        return message;
    };
    let written = text.get(span.clone()).unwrap_or("").trim();
    let written = written.trim_matches(|c| c == '[' || c == ']').trim();
    // The table the key is in: the last header before it.
    let table = text
        .get(..span.start)
        .unwrap_or("")
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    let key = match table {
        Some(t) if !t.is_empty() && t != written => format!("{t}.{written}"),
        _ => written.to_string(),
    };
    format!(
        "duplicate key `{}`: it is set more than once (keep one)",
        shorten(&key)
    )
}

/// A key for messages: at most 100 characters.
pub fn shorten(key: &str) -> String {
    match key.char_indices().nth(100) {
        Some((i, _)) => format!("{}... ({} bytes)", &key[..i], key.len()),
        None => key.to_string(),
    }
}

/// The closest name by edit distance, if reasonably close. A key much longer
/// than every name is near none: no distance is computed (they are quadratic).
pub fn nearest_key<'a, S: AsRef<str> + 'a>(
    key: &str,
    names: impl Iterator<Item = &'a S>,
) -> Option<String> {
    names
        .filter(|n| key.len() <= 2 * n.as_ref().len() + 8)
        .map(|n| (levenshtein(key, n.as_ref()), n.as_ref().to_string()))
        .filter(|(d, n)| *d <= (key.len().max(n.len()) / 3).max(2))
        .min()
        .map(|(_, n)| n)
}

/// Edit distance between two keys (for "did you mean" suggestions).
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(target_os = "linux")]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a FIFO that replaced the file since the check does not wait.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(target_os = "linux"))]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_devices_big_files_and_bad_utf8() {
        let e = read_text(Path::new("/dev/zero"), "scenario").unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.toml");
        std::fs::write(&big, vec![b'#'; MAX_INPUT_BYTES as usize + 1]).unwrap();
        let e = read_text(&big, "scenario").unwrap_err();
        assert!(e.to_string().contains("1048576 bytes"), "{e}");
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, b"a = 1\n# caf\xe9\n").unwrap();
        let e = read_text(&bad, "scenario").unwrap_err();
        assert!(e.to_string().contains("bad.toml:2:6"), "{e}");
        assert!(read_text(dir.path(), "scenario").is_err());
    }
}

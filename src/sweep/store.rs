//! Journals of finished runs, written so that a crash loses nothing finished and
//! a restart repeats nothing.
//!
//! A journal is a tag line (`# pathsim sweep <hash> shard <I>/<N> runs <total>`),
//! the `runs.csv` header, then one line per finished run in the order runs
//! finish. Each line goes out in one `write` on an append-mode file and is
//! fsync'd before the run counts as done. A kill mid-write leaves at most one
//! line without its newline: reopening cuts it off. The journal is created under
//! a temporary name and renamed, so it never exists without its tag and header.
//! A process holds an exclusive advisory lock on a journal (`.JOURNAL.lock` beside
//! it) from opening it to exit, so a second process on the same journal refuses at
//! once instead of journalling every run twice.

use crate::error::CliError;
use crate::output::sync_dir;
use anyhow::Context;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Which runs a process does: those with index % n == i.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub i: u64,
    pub n: u64,
}

impl Shard {
    pub const ALL: Shard = Shard { i: 0, n: 1 };

    pub fn contains(&self, run: u64) -> bool {
        run % self.n == self.i
    }
    /// Runs of this shard among `total`.
    pub fn count(&self, total: u64) -> u64 {
        if self.i >= total {
            0
        } else {
            (total - self.i).div_ceil(self.n)
        }
    }
    /// The journal file of this shard.
    pub fn file_name(&self) -> String {
        format!("runs.shard-{}-of-{}.csv", self.i, self.n)
    }
    /// The shard a journal file name belongs to, if it is one.
    pub fn from_file_name(name: &str) -> Option<Shard> {
        let rest = name.strip_prefix("runs.shard-")?.strip_suffix(".csv")?;
        let (i, n) = rest.split_once("-of-")?;
        Some(Shard {
            i: i.parse().ok()?,
            n: n.parse().ok()?,
        })
    }
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("expected I/N with 0 <= I < N (e.g. 3/16), got `{s}`");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (i, n): (u64, u64) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if n == 0 || i >= n {
            return Err(bad());
        }
        Ok(Shard { i, n })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.i, self.n)
    }
}

/// The first line of a journal: which sweep, shard and size it belongs to.
pub fn tag(hash: &str, shard: Shard, total: u64) -> String {
    format!("# pathsim sweep {hash} shard {shard} runs {total}")
}

/// What a journal holds.
#[derive(Debug, Default)]
pub struct Contents {
    pub tag: String,
    pub header: String,
    /// Finished runs: index to the line as written (no newline).
    pub rows: BTreeMap<u64, String>,
    /// Byte length up to the end of the last complete line.
    pub complete_len: u64,
    /// An unfinished last line was found (and is not in `rows`).
    pub partial: bool,
}

/// Read a journal, checking that every complete line is a well-formed row of
/// `columns` fields with an index not seen before.
pub fn read(path: &Path, columns: usize) -> Result<Contents, CliError> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let complete = bytes
        .iter()
        .rposition(|&b| b == b'\n')
        .map(|p| p + 1)
        .unwrap_or(0);
    let text = String::from_utf8_lossy(&bytes[..complete]);
    let mut lines = text.lines();
    let corrupt = |what: String| {
        CliError::Input(format!(
            "{}: {what}; it is not a pathsim sweep journal or is damaged",
            path.display()
        ))
    };
    let tag = lines
        .next()
        .filter(|l| l.starts_with("# pathsim sweep "))
        .ok_or_else(|| corrupt("no tag line".into()))?;
    let header = lines
        .next()
        .ok_or_else(|| corrupt("no header line".into()))?;
    let mut rows = BTreeMap::new();
    for (n, line) in lines.enumerate() {
        let fields = line.split(',').count();
        let index = line.split(',').next().and_then(|f| f.parse::<u64>().ok());
        let Some(index) = index.filter(|_| fields == columns) else {
            return Err(corrupt(format!(
                "line {} is not a run row of {columns} fields",
                n + 3
            )));
        };
        if rows.insert(index, line.to_string()).is_some() {
            return Err(corrupt(format!(
                "run {index} appears twice (line {})",
                n + 3
            )));
        }
    }
    Ok(Contents {
        tag: tag.to_string(),
        header: header.to_string(),
        rows,
        complete_len: complete as u64,
        partial: complete < bytes.len(),
    })
}

/// Parse a tag line into (hash, shard, total).
pub fn parse_tag(tag: &str) -> Option<(String, Shard, u64)> {
    let f: Vec<&str> = tag.split_whitespace().collect();
    match f.as_slice() {
        ["#", "pathsim", "sweep", hash, "shard", shard, "runs", total] => {
            Some((hash.to_string(), shard.parse().ok()?, total.parse().ok()?))
        }
        _ => None,
    }
}

/// A journal open for appending finished runs from many threads.
pub struct Journal {
    pub path: PathBuf,
    file: Mutex<File>,
    /// Held for the journal's life: no other process appends meanwhile.
    _lock: File,
}

/// Take the exclusive lock of the journal at `path`, or refuse at once.
fn lock(path: &Path) -> Result<File, CliError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let lock_path = dir.join(format!(".{name}.lock"));
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .with_context(|| format!("cannot open the lock file {}", lock_path.display()))?;
    match fs4::FileExt::try_lock(&file) {
        Ok(()) => Ok(file),
        Err(fs4::TryLockError::WouldBlock) => Err(CliError::Input(format!(
            "another pathsim process is running this sweep into {} (it holds the lock {} of \
             {}); wait for it to finish, or use another --out",
            dir.display(),
            lock_path.display(),
            path.display()
        ))),
        Err(fs4::TryLockError::Error(e)) => Err(anyhow::Error::new(e)
            .context(format!("cannot lock {}", lock_path.display()))
            .into()),
    }
}

impl Journal {
    /// Open (or create) the journal at `path`, refusing one from another sweep or
    /// shard, and cutting off an unfinished last line. Returns the runs already done.
    pub fn open(path: &Path, tag: &str, header: &str) -> Result<(Journal, Contents), CliError> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let lock = lock(path)?;
        if !path.exists() {
            let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
            let mut f =
                File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
            f.write_all(format!("{tag}\n{header}\n").as_bytes())
                .and_then(|_| f.sync_all())
                .with_context(|| format!("cannot write {}", tmp.display()))?;
            std::fs::rename(&tmp, path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            sync_dir(dir);
        }
        let columns = header.split(',').count();
        let contents = read(path, columns)?;
        if contents.tag != tag {
            let found = parse_tag(&contents.tag)
                .map(|(h, s, t)| format!("sweep {h}, shard {s}, {t} runs"))
                .unwrap_or_else(|| contents.tag.clone());
            let want = parse_tag(tag)
                .map(|(h, s, t)| format!("sweep {h}, shard {s}, {t} runs"))
                .unwrap_or_else(|| tag.to_string());
            return Err(CliError::Input(format!(
                "{} belongs to a different sweep ({found}; this is {want}): the sweep file, its base \
                 scenario or the pathsim version changed. Delete it to start afresh, or use another --out",
                path.display()
            )));
        }
        if contents.header != header {
            return Err(CliError::Input(format!(
                "{}: its columns differ from this sweep's; delete it or use another --out",
                path.display()
            )));
        }
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        if contents.partial {
            // Cut off the line a killed run was writing; it is run again.
            file.set_len(contents.complete_len)
                .and_then(|_| file.sync_all())
                .with_context(|| format!("cannot repair {}", path.display()))?;
        }
        Ok((
            Journal {
                path: path.to_path_buf(),
                file: Mutex::new(file),
                _lock: lock,
            },
            contents,
        ))
    }

    /// Append one finished run and make it durable before returning.
    pub fn append(&self, line: &str) -> Result<(), CliError> {
        let mut buf = String::with_capacity(line.len() + 1);
        buf.push_str(line);
        buf.push('\n');
        let mut f = self.file.lock().unwrap_or_else(|e| e.into_inner());
        f.write_all(buf.as_bytes())
            .and_then(|_| f.sync_data())
            .with_context(|| format!("cannot append to {}", self.path.display()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_runs() {
        let total = 23;
        let n = 4;
        let mut seen = vec![0; total as usize];
        for i in 0..n {
            let s = Shard { i, n };
            let runs: Vec<u64> = (0..total).filter(|&r| s.contains(r)).collect();
            assert_eq!(runs.len() as u64, s.count(total));
            for r in runs {
                seen[r as usize] += 1;
            }
            assert_eq!(Shard::from_file_name(&s.file_name()), Some(s));
        }
        assert!(seen.iter().all(|&c| c == 1));
        assert_eq!("3/16".parse::<Shard>(), Ok(Shard { i: 3, n: 16 }));
        assert!("16/16".parse::<Shard>().is_err() && "x".parse::<Shard>().is_err());
        assert_eq!(
            parse_tag(&tag("abc", Shard { i: 1, n: 2 }, 9)),
            Some(("abc".into(), Shard { i: 1, n: 2 }, 9))
        );
    }

    #[test]
    fn reopening_cuts_a_partial_line_and_keeps_finished_runs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.csv");
        let t = tag("h", Shard::ALL, 3);
        let (j, c) = Journal::open(&path, &t, "run,a").unwrap();
        assert!(c.rows.is_empty());
        j.append("1,0.5").unwrap();
        drop(j);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"2,0.2").unwrap();
        drop(f);
        let (j, c) = Journal::open(&path, &t, "run,a").unwrap();
        assert!(c.partial);
        assert_eq!(c.rows.keys().copied().collect::<Vec<_>>(), vec![1]);
        j.append("2,0.25").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, format!("{t}\nrun,a\n1,0.5\n2,0.25\n"));
        drop(j);
        let e = Journal::open(&path, &tag("other", Shard::ALL, 3), "run,a")
            .err()
            .unwrap();
        assert!(e.to_string().contains("different sweep"), "{e}");
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn a_second_open_of_a_locked_journal_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.csv");
        let t = tag("h", Shard::ALL, 3);
        let (j, _) = Journal::open(&path, &t, "run,a").unwrap();
        let e = Journal::open(&path, &t, "run,a").err().unwrap();
        assert!(e.to_string().contains("another pathsim process"), "{e}");
        assert_eq!(e.exit_code(), 2);
        drop(j);
        assert!(Journal::open(&path, &t, "run,a").is_ok());
    }
}

//! The setup the command-line tests share: the repository's files and the
//! built `pathsim` binary.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A file of the repository, by its path from the root.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Run the built `pathsim` with `args`, capturing its output.
pub fn pathsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pathsim"))
        .args(args)
        .output()
        .expect("run pathsim")
}

/// `pathsim compare` of the baseline with `retention_improved` at a coarse
/// scale (1000) and 4 replicates, into `out`, with `extra` flags.
#[allow(dead_code)] // not every test crate that shares this module compares
pub fn compare_retention(out: &Path, extra: &[&str]) -> std::process::Output {
    let base = repo("scenarios/baseline.toml");
    let scen = repo("scenarios/retention_improved.toml");
    let mut args = vec![
        "compare",
        base.to_str().unwrap(),
        scen.to_str().unwrap(),
        "--scale",
        "1000",
        "--replicates",
        "4",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    pathsim(&args)
}

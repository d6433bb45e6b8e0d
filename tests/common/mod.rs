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

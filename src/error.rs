//! Typed errors. Input errors (bad scenario files, bad command-line values) exit
//! with code 2; everything else with code 1.

use std::path::PathBuf;

/// Where in a file something is: 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file.display())
        } else {
            write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
        }
    }
}

/// A scenario file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file cannot be read.
    #[error("{}: cannot read {kind}: {source}", file.display())]
    Io {
        file: PathBuf,
        /// What the file should be: "scenario", "sweep file", "calibration file".
        kind: String,
        source: std::io::Error,
    },
    /// The file is refused before reading (not a regular file, too large).
    #[error("{}: {message}", file.display())]
    File { file: PathBuf, message: String },
    /// The file is not valid TOML.
    #[error("{at}: invalid TOML: {message}")]
    Syntax { at: Location, message: String },
    /// A key that no parameter has.
    #[error("{at}: unknown key `{key}`{}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    UnknownKey {
        at: Location,
        key: String,
        suggestion: Option<String>,
    },
    /// A value of the wrong type or out of range.
    #[error("{at}: key `{key}` {message}")]
    Invalid {
        at: Location,
        key: String,
        message: String,
    },
    /// `base` files refer to each other in a loop.
    #[error("{}: `base` files form a loop: {chain}", file.display())]
    BaseLoop { file: PathBuf, chain: String },
    /// A `--set KEY=VALUE` override that cannot be applied.
    #[error("command line: --set {assignment}: {message}")]
    Override { assignment: String, message: String },
    /// A value given on the command line (`--set KEY=...`, `--scale`,
    /// `--replicates`, `--seed`) that is invalid: `option` names it.
    #[error("command line: {option}: key `{key}` {message}")]
    CommandLine {
        option: String,
        key: String,
        message: String,
    },
}

impl ScenarioError {
    /// The location the error points at, if any.
    pub fn location(&self) -> Option<&Location> {
        match self {
            ScenarioError::Syntax { at, .. }
            | ScenarioError::UnknownKey { at, .. }
            | ScenarioError::Invalid { at, .. } => Some(at),
            _ => None,
        }
    }
}

/// An error the command line reports: input errors exit 2.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Scenario(_) | CliError::Input(_) => 2,
            CliError::Other(_) => 1,
        }
    }
}

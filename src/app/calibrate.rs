//! `pathsim calibrate`: fit the free parameters (ABC-SMC or pattern search).

use crate::error::CliError;
use std::path::Path;

/// Fit, resumably, with the calibration file at `file`.
pub fn calibrate(
    file: &Path,
    threads: Option<usize>,
    quiet: bool,
    finish: bool,
    refine: Option<usize>,
) -> Result<(), CliError> {
    crate::calibrate::calibrate(file, threads, quiet, finish, refine)
}

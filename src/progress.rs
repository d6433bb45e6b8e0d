//! The one progress bar every long command shows on a terminal (hidden when
//! quiet or when stderr is not a terminal). Work ticks it; it never changes
//! results.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// A bar of `len` units (`unit`: "chunks", "runs", ...) labelled `message`,
/// starting at `done`.
pub fn bar(len: u64, done: u64, message: &str, unit: &str, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
        bar.set_position(done);
        return bar;
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{msg:>12}} [{{bar:40.cyan/blue}}] {{percent:>3}}% {{pos}}/{{len}} {unit}, {{elapsed}} elapsed, ETA {{eta}}"
        ))
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_message(message.to_string());
    bar.set_position(done);
    bar.reset_eta();
    bar
}

/// A bar over the chunks of people a run simulates.
pub fn chunks(len: u64, message: &str, quiet: bool) -> ProgressBar {
    bar(len, 0, message, "chunks", quiet)
}

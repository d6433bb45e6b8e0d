//! The one progress bar every long command shows. On a terminal it is an
//! animated bar; when stderr is not a terminal (a batch job, a pipe, a log file)
//! it prints a plain line every few seconds instead: units done of the total,
//! the rate and the time left. Hidden when quiet. Work ticks it; it never
//! changes results.
//!
//! The plain lines come at most every `PATHSIM_PROGRESS_SECS` seconds (default
//! [`DEFAULT_INTERVAL_SECS`]), and once more when the work is done; the first
//! line comes at the first tick.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Seconds between plain progress lines when stderr is not a terminal.
pub const DEFAULT_INTERVAL_SECS: f64 = 10.0;

/// The environment variable that sets the seconds between plain lines (0: a
/// line at every tick the bar draws, as tests use).
pub const INTERVAL_ENV: &str = "PATHSIM_PROGRESS_SECS";

/// A bar of `len` units (`unit`: "chunks", "runs", ...) labelled `message`,
/// starting at `done`.
pub fn bar(len: u64, done: u64, message: &str, unit: &str, quiet: bool) -> ProgressBar {
    if quiet {
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
        bar.set_position(done);
        return bar;
    }
    if !std::io::stderr().is_terminal() {
        let term = PlainLines {
            throttle: Mutex::new(Throttle::new(interval_from_env())),
            started: Instant::now(),
            line: Mutex::new(String::new()),
        };
        // Drawn up to 4 times a second; the throttle keeps one line per interval.
        let target = ProgressDrawTarget::term_like_with_hz(Box::new(term), 4);
        let bar = ProgressBar::with_draw_target(Some(len), target);
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{msg}}: {{pos}}/{{len}} {unit} ({{percent}}%), {{per_sec}}, {{elapsed}} elapsed, {{left}}"
            ))
            .expect("valid template")
            .with_key("left", time_left),
        );
        bar.set_message(message.to_string());
        bar.set_position(done);
        bar.reset_eta();
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

/// The interval of plain lines: `PATHSIM_PROGRESS_SECS`, else the default.
fn interval_from_env() -> Duration {
    let secs = std::env::var(INTERVAL_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .unwrap_or(DEFAULT_INTERVAL_SECS);
    Duration::from_secs_f64(secs.min(86_400.0))
}

/// When a plain progress line is due: the first line, then at most one per
/// interval, and the line of a finished bar (done == total) once. A line is never
/// repeated unchanged.
#[derive(Debug)]
pub struct Throttle {
    interval: Duration,
    last: Option<(Duration, String)>,
    finished: bool,
}

impl Throttle {
    pub fn new(interval: Duration) -> Throttle {
        Throttle {
            interval,
            last: None,
            finished: false,
        }
    }

    /// Whether to print `line` (the bar's text) at time `now` since the start;
    /// `complete` when every unit is done.
    pub fn due(&mut self, now: Duration, line: &str, complete: bool) -> bool {
        if line.is_empty() || self.finished {
            return false;
        }
        let due = match &self.last {
            None => true,
            Some((_, text)) if text == line => false,
            Some(_) if complete => true,
            Some((at, _)) => now.saturating_sub(*at) >= self.interval,
        };
        if due {
            self.last = Some((now, line.to_string()));
            self.finished = complete;
        }
        due
    }
}

/// Whether a rendered plain line says every unit is done ("7/7 runs").
fn is_complete(line: &str) -> bool {
    line.split_once(": ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(|frac| frac.split_once('/'))
        .is_some_and(|(a, b)| a == b)
}

/// A "terminal" that turns each drawing of the bar into at most one plain line
/// on stderr (no cursor movement, no carriage returns).
struct PlainLines {
    throttle: Mutex<Throttle>,
    started: Instant,
    line: Mutex<String>,
}

impl std::fmt::Debug for PlainLines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PlainLines")
    }
}

impl TermLike for PlainLines {
    fn width(&self) -> u16 {
        400
    }
    fn height(&self) -> u16 {
        50
    }
    fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.write_str(s)
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        let mut line = self.line.lock().unwrap_or_else(|e| e.into_inner());
        line.push_str(s.trim_start_matches('\r'));
        Ok(())
    }
    fn clear_line(&self) -> std::io::Result<()> {
        Ok(())
    }
    fn flush(&self) -> std::io::Result<()> {
        let text = std::mem::take(&mut *self.line.lock().unwrap_or_else(|e| e.into_inner()));
        let text = text.trim();
        let mut throttle = self.throttle.lock().unwrap_or_else(|e| e.into_inner());
        if throttle.due(self.started.elapsed(), text, is_complete(text)) {
            let mut err = std::io::stderr().lock();
            writeln!(err, "{text}")?;
            err.flush()?;
        }
        Ok(())
    }
}

/// "about N left", or "time left not known yet" before any unit is done (a
/// rate of nothing gives no estimate).
fn time_left(state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write) {
    let _ = if state.pos() == 0 {
        write!(w, "time left not known yet")
    } else {
        write!(w, "about {} left", indicatif::HumanDuration(state.eta()))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: f64) -> Duration {
        Duration::from_secs_f64(x)
    }

    #[test]
    fn plain_lines_come_at_most_once_per_interval_and_at_the_end() {
        let mut t = Throttle::new(s(10.0));
        assert!(t.due(s(0.0), "sweep: 0/9 runs", false), "the first line");
        assert!(!t.due(s(3.0), "sweep: 1/9 runs", false));
        assert!(!t.due(s(9.9), "sweep: 2/9 runs", false));
        assert!(
            t.due(s(10.0), "sweep: 3/9 runs", false),
            "after the interval"
        );
        assert!(!t.due(s(25.0), "sweep: 3/9 runs", false), "never repeated");
        assert!(t.due(s(25.5), "sweep: 9/9 runs", true), "the end at once");
        assert!(!t.due(s(99.0), "sweep: 9/9 runs (done)", true), "once");
        assert!(!t.due(s(99.0), "", false));
        let mut every = Throttle::new(s(0.0));
        assert!(every.due(s(0.0), "a: 1/3 runs", false));
        assert!(every.due(s(0.0), "a: 2/3 runs", false));
    }

    #[test]
    fn a_finished_line_is_recognised() {
        assert!(is_complete("sweep: 7/7 runs (100%), 2.1/s"));
        assert!(!is_complete("sweep: 6/7 runs (85%), 2.1/s"));
        assert!(!is_complete("garbage"));
    }

    #[test]
    fn plain_line_says_done_total_rate_and_time_left() {
        let term = PlainLines {
            throttle: Mutex::new(Throttle::new(s(0.0))),
            started: Instant::now(),
            line: Mutex::new(String::new()),
        };
        // What the template renders, read back through the terminal.
        term.write_str("\rsweep: 3/9 runs (33%), 1.5000/s, 2s elapsed, about 4s left   ")
            .unwrap();
        let text = term.line.lock().unwrap().trim().to_string();
        assert_eq!(
            text,
            "sweep: 3/9 runs (33%), 1.5000/s, 2s elapsed, about 4s left"
        );
        term.flush().unwrap();
        assert!(term.line.lock().unwrap().is_empty());
    }
}

//! Drawing: styles, the per-migration lines and progress bar, JSON. Data goes to stdout,
//! messages and progress to stderr; anstream drops colors when the stream is not a
//! terminal and honours NO_COLOR and CLICOLOR_FORCE.

use retort::script::comment_text;
use std::io::IsTerminal;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use indicatif::{ProgressBar, ProgressStyle};
use retort::migrator::Event;
use retort::script::Direction;

pub const BOLD: Style = Style::new().bold();
pub const DIM: Style = Style::new().dimmed();
pub const GREEN: Style = AnsiColor::Green.on_default();
pub const YELLOW: Style = AnsiColor::Yellow.on_default();
pub const RED: Style = AnsiColor::Red.on_default().bold();
pub const CYAN: Style = AnsiColor::Cyan.on_default();

/// Styles `text`. Where stdout gets no colors (a pipe, NO_COLOR) nothing is added in the
/// first place, which matters for listings of 10,000 revisions; anstream still strips
/// whatever reaches a stream that takes no colors.
pub fn paint(style: Style, text: impl std::fmt::Display) -> String {
    if stdout_color() {
        format!("{style}{text}{style:#}")
    } else {
        text.to_string()
    }
}

/// Appends what `write` adds to `out`, styled as [`paint`] would style it, without a
/// string of its own: for listings built line after line in one buffer.
pub fn push_styled(out: &mut String, style: Style, write: impl FnOnce(&mut String)) {
    use std::fmt::Write;
    let color = stdout_color();
    if color {
        let _ = write!(out, "{style}");
    }
    write(out);
    if color {
        let _ = write!(out, "{style:#}");
    }
}

/// Whether stdout takes colors (a terminal, no NO_COLOR; or CLICOLOR_FORCE).
fn stdout_color() -> bool {
    static COLOR: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *COLOR.get_or_init(|| {
        anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
    })
}

/// Prints a block of data on stdout. Without colors it is written as it is: nothing
/// painted it, and scanning a 10,000-line listing for escapes to strip costs a millisecond.
/// A closed pipe (`retort history | head`) is not an error.
pub fn print_data(text: &str) {
    if stdout_color() {
        anstream::print!("{text}");
    } else {
        use std::io::Write;
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
    }
}

/// Prints a message line on stderr, in one write (stderr is unbuffered: formatted in
/// place, a line is one system call per piece).
#[macro_export]
macro_rules! note {
    ($($arg:tt)*) => {{
        let mut line = format!($($arg)*);
        line.push('\n');
        anstream::eprint!("{line}");
    }};
}

/// Prints a data line on stdout.
#[macro_export]
macro_rules! data {
    ($($arg:tt)*) => { anstream::println!($($arg)*) };
}

/// Prints one JSON document on stdout.
pub fn json(value: &serde_json::Value) {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    text.push('\n');
    print_data(&text);
}

pub fn millis(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 10_000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else if ms >= 10.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

/// Turns migrator events into lines (and a bar on a terminal, for runs of several).
pub struct Reporter {
    quiet: bool,
    /// `-v`: each statement, with its file and line, before it runs.
    statements: bool,
    bar: Option<ProgressBar>,
    interactive: bool,
}

impl Reporter {
    pub fn new(quiet: bool) -> Reporter {
        Reporter {
            quiet,
            statements: false,
            bar: None,
            interactive: std::io::stderr().is_terminal(),
        }
    }

    /// Echoes each statement as it runs (`-v` on the commands that run migrations).
    pub fn with_statements(mut self, on: bool) -> Reporter {
        self.statements = on;
        self
    }

    fn line(&self, text: String) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => note!("{text}"),
        }
    }

    pub fn event(&mut self, event: &Event<'_>) {
        // Quiet: no line, and no bar either (one is only made when not quiet).
        if self.quiet {
            return;
        }
        match event {
            Event::LockWaiting { timeout } => self.line(format!(
                "{} another migration holds the lock; waiting (up to {} s)…",
                paint(YELLOW, "waiting:"),
                timeout.as_secs_f64()
            )),
            Event::Planned { total, .. } if self.interactive && *total > 1 => {
                let bar = ProgressBar::new(*total as u64);
                if let Ok(style) =
                    ProgressStyle::with_template("{bar:30.cyan/blue} {pos}/{len} {wide_msg}")
                {
                    bar.set_style(style);
                }
                self.bar = Some(bar);
            }
            Event::Started {
                revision, message, ..
            } => {
                if let Some(bar) = &self.bar {
                    bar.set_message(format!("{revision} {}", comment_text(message)));
                }
            }
            Event::Finished {
                index,
                total,
                direction,
                revision,
                message,
                elapsed,
            } => {
                if let Some(bar) = &self.bar {
                    bar.inc(1);
                }
                let verb = match direction {
                    Direction::Up => paint(GREEN, "applied "),
                    Direction::Down => paint(YELLOW, "reverted"),
                };
                self.line(format!(
                    "  {verb} {} {} {} {}",
                    paint(DIM, format!("[{index}/{total}]")),
                    paint(BOLD, revision),
                    comment_text(message),
                    paint(DIM, format!("({})", millis(*elapsed)))
                ));
            }
            Event::Statement {
                path, line, sql, ..
            } if self.statements => {
                // Escaped like a message: the text comes from a file, and must not drive
                // the terminal.
                let mut text = format!("    {}", paint(DIM, format!("{}:{line}:", path.display())));
                for l in sql.lines() {
                    text.push_str("\n      ");
                    text.push_str(&comment_text(l));
                }
                self.line(text);
            }
            Event::Skipped { revision } => {
                if let Some(bar) = &self.bar {
                    bar.inc(1);
                }
                self.line(format!(
                    "  {} {revision} (another process already handled it)",
                    paint(DIM, "skipped ")
                ));
            }
            Event::Stamped { revision, added } => {
                let verb = if *added { "stamped  " } else { "unstamped" };
                self.line(format!("  {} {}", paint(CYAN, verb), paint(BOLD, revision)));
            }
            Event::Warning {
                revision,
                path,
                message,
            } => self.line(format!(
                "{} {}: {revision}: {message}",
                paint(YELLOW, "warning:"),
                comment_text(&path.display().to_string())
            )),
            // A single migration needs no bar; an event of a newer library has nothing
            // to draw yet.
            _ => {}
        }
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

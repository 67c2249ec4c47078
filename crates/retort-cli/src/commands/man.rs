//! `retort man [--dir DIR]`: the manual page, generated from the same clap definitions as
//! the parser and `--help`, so that the three never disagree.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use retort::Error;

use crate::args::Cli;
use crate::context::Context;
use crate::note;
use crate::output::print_data;

pub fn man(ctx: &Context, dir: Option<PathBuf>) -> Result<u8, Error> {
    // `help` is clap's, not a command of ours: no page of its own, no line in the list.
    let mut cmd = Cli::command().disable_help_subcommand(true);
    // Built once, so that each command's page is named and titled `retort-COMMAND`.
    cmd.build();
    // Every page's footer names the program and its version, a command's page too.
    let source = format!("retort {}", env!("CARGO_PKG_VERSION"));
    match dir {
        None => {
            let page = render(&cmd, &source).map_err(|e| Error::Io {
                path: PathBuf::from("-"),
                message: format!("cannot render the manual page: {e}"),
            })?;
            print_data(&page);
        }
        Some(dir) => {
            let dir = ctx.cwd.join(dir);
            write_pages(&cmd, &source, &dir).map_err(|e| Error::Io {
                path: dir.clone(),
                message: format!("cannot write the manual pages: {e}"),
            })?;
            if !ctx.global.quiet {
                note!("wrote the manual pages into {}", dir.display());
            }
        }
    }
    Ok(0)
}

/// `retort.1`, then a page for every command under it.
fn write_pages(cmd: &clap::Command, source: &str, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let name = cmd.get_display_name().unwrap_or_else(|| cmd.get_name());
    std::fs::write(dir.join(format!("{name}.1")), render(cmd, source)?)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, source, dir)?;
    }
    Ok(())
}

/// One page, ASCII only: the help texts' `…` and the like become roff's `\[uXXXX]`, which
/// groff and mandoc read whatever the locale, where raw UTF-8 needs `preconv` first.
fn render(cmd: &clap::Command, source: &str) -> std::io::Result<String> {
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .source(source)
        .render(&mut page)?;
    let mut ascii = String::with_capacity(page.len());
    for c in String::from_utf8_lossy(&page).chars() {
        if c.is_ascii() {
            ascii.push(c);
        } else {
            ascii.push_str(&format!("\\[u{:04X}]", u32::from(c)));
        }
    }
    Ok(ascii)
}

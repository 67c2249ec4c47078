//! `retort completions SHELL`: the completion script, generated from the same clap
//! definitions as the parser, so that it can never offer a command or flag that is gone.

use clap::CommandFactory;
use retort::Error;

use crate::args::{Cli, Shell};
use crate::output::print_data;

pub fn completions(shell: Shell) -> Result<u8, Error> {
    let generator = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut cmd = Cli::command();
    let name = cmd.get_name().to_owned();
    let mut script = Vec::new();
    clap_complete::generate(generator, &mut cmd, name, &mut script);
    print_data(&String::from_utf8_lossy(&script));
    Ok(0)
}

//! The command line, as clap parses it. Only argument shapes live here; what each command
//! does is in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "retort",
    version,
    about = "Database schema migrations for SQLite, PostgreSQL and MySQL/MariaDB",
    after_help = "Exit codes: 0 success; 1 a check found something; 2 bad usage or input; 3 database or runtime error."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Config file (default: retort.toml in the current directory or the nearest parent)
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Run as if started in DIR
    #[arg(short = 'C', global = true, value_name = "DIR")]
    pub chdir: Option<PathBuf>,
    /// Database URL, overriding the config and DATABASE_URL
    #[arg(long, global = true, value_name = "URL")]
    pub url: Option<String>,
    /// Use the [environments.NAME] table of the config
    #[arg(long = "env", global = true, value_name = "NAME")]
    pub environment: Option<String>,
    /// Seconds to wait for another process holding the migration lock (default 60, or
    /// `lock_timeout` in the config)
    #[arg(long, global = true, value_name = "SECONDS", value_parser = parse_seconds)]
    pub lock_timeout: Option<std::time::Duration>,
    /// Print data as one JSON document on stdout
    #[arg(long, global = true)]
    pub json: bool,
    /// Print less (no progress, no per-migration lines)
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print more (paths, timestamps, who applied what; each statement as it runs, with
    /// its file and line)
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create retort.toml, migrations/ and schema.sql
    Init {
        /// Where to create the project (default: the current directory)
        dir: Option<PathBuf>,
    },
    /// Write a new migration file
    Revision(RevisionArgs),
    /// Apply migrations up to TARGET (head, heads, +N, <rev>, <label>@head…)
    Upgrade(RunArgs),
    /// Revert migrations down to TARGET (base, -N, <rev>…)
    Downgrade(RunArgs),
    /// Revert a migration with the down section recorded when it ran, and apply its file
    /// as it is now (the dev loop after editing a migration just applied)
    Redo {
        /// The revision to redo (default: the database's one current head)
        rev: Option<String>,
        /// Run even where the environment says `protected = true`
        #[arg(long)]
        force: bool,
    },
    /// Show the revisions applied to the database
    Current,
    /// List revisions, newest first
    History {
        /// Only revisions in RANGE (`<from>:<to>`, either side optional; `current` allowed)
        #[arg(short = 'r', long = "rev-range", value_name = "RANGE")]
        range: Option<String>,
        /// Mark the revisions applied to the database
        #[arg(short = 'i', long)]
        indicate_current: bool,
    },
    /// Show the heads of the revision graph
    Heads,
    /// Show revisions where the graph branches
    Branches,
    /// Show one revision
    Show {
        /// A revision id or prefix, or a target such as head or label@head
        rev: String,
        /// Print what ran on the database (the text its version row keeps), not the file
        #[arg(long)]
        applied: bool,
    },
    /// Current revisions, pending migrations and edited applied ones, at a glance
    Status {
        /// Exit 1 when a migration is pending or an applied one no longer matches its file
        #[arg(long)]
        exit_code: bool,
    },
    /// Record revisions as applied without running them
    Stamp {
        /// The revision(s) the database should be recorded at
        #[arg(allow_hyphen_values = true)]
        target: String,
        /// Empty the version table first
        #[arg(long)]
        purge: bool,
    },
    /// Write a migration that joins two or more heads
    Merge {
        /// Message of the merge revision (default: "merge" and the revisions joined)
        #[arg(short, long, value_parser = message)]
        message: Option<String>,
        /// Revisions to join (default: all heads)
        revs: Vec<String>,
        /// Use this id instead of a random one
        #[arg(long, value_name = "ID")]
        rev_id: Option<String>,
        /// Give the merge revision a branch label
        #[arg(long, value_name = "LABEL")]
        branch_label: Vec<String>,
    },
    /// Compare checksums of applied migrations with their files
    Validate,
    /// Compare the database's schema with the declared one (schema.sql, or its command);
    /// exit 1 when they differ
    Check {
        /// Also exit 1 when the database holds objects retort does not compare (triggers,
        /// functions…)
        #[arg(long)]
        strict: bool,
    },
    /// Accept the current text of edited applied migrations, on purpose (logged)
    Repair,
    /// The live database's schema as SQL, loadable as schema.sql
    Schema {
        #[command(subcommand)]
        action: SchemaAction,
    },
    /// Print the SQL that takes the database at URL_A to the one at URL_B (one dialect)
    Diff {
        /// The database to start from
        url_a: String,
        /// The database to reach
        url_b: String,
    },
    /// The scratch database autogenerate and check use on PostgreSQL and MySQL
    Dev {
        #[command(subcommand)]
        action: DevAction,
    },
    /// Print a shell completion script on stdout
    Completions {
        /// The shell to complete for
        shell: Shell,
    },
    /// Print the manual page (roff) on stdout, or write one page per command into a folder
    Man {
        /// Write retort.1 and a retort-COMMAND.1 for every command into DIR (created if missing)
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SchemaAction {
    /// Write the live database's schema as SQL (tables, indexes, views…; retort's own tables
    /// left out)
    Dump {
        /// Write it to FILE instead of stdout
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DevAction {
    /// Drop the scratch database retort created for this project on the target's server
    Drop,
}

/// The shells `completions` writes for: the ones whose scripts the tests check.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Args)]
pub struct RevisionArgs {
    /// Message (the first line of the file, and its name)
    #[arg(short, long, value_parser = message)]
    pub message: String,
    /// Use this id instead of a random one
    #[arg(long, value_name = "ID")]
    pub rev_id: Option<String>,
    /// The revision to build on (default: the single head; `base` starts a new root)
    #[arg(long, value_name = "REV")]
    pub head: Option<String>,
    /// Give the new revision a branch label
    #[arg(long, value_name = "LABEL")]
    pub branch_label: Vec<String>,
    /// Revisions (in other branches) that must be applied first
    #[arg(long, value_name = "REV")]
    pub depends_on: Vec<String>,
    /// Allow --head to name a revision that is not a head (starts a branch)
    #[arg(long)]
    pub splice: bool,
    /// Write the SQL that takes the database to the declared schema (schema.sql, or its
    /// command), checked on a scratch copy first; the database must be at head
    #[arg(long)]
    pub autogenerate: bool,
    /// With --autogenerate: rename table OLD to NEW instead of dropping one and adding the other
    #[arg(long, value_name = "OLD=NEW", requires = "autogenerate", value_parser = rename_pair)]
    pub rename_table: Vec<(String, String)>,
    /// With --autogenerate: rename column OLD of TABLE to NEW instead of dropping and adding
    #[arg(long, value_name = "TABLE.OLD=NEW", requires = "autogenerate", value_parser = rename_column)]
    pub rename_column: Vec<(String, String, String)>,
    /// With --autogenerate: drop and add where a rename is likely, on purpose
    #[arg(long, requires = "autogenerate")]
    pub allow_drop: bool,
    /// With --autogenerate: write a revision even when there is nothing to change
    #[arg(long, requires = "autogenerate")]
    pub empty: bool,
    /// With --autogenerate: write the migration that creates the whole declared schema from
    /// nothing, whatever the database holds (adopting a database made without migrations:
    /// then `stamp head`)
    #[arg(long, requires = "autogenerate")]
    pub from_empty: bool,
}

/// `OLD=NEW`, both non-empty.
fn rename_pair(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((old, new)) if !old.trim().is_empty() && !new.trim().is_empty() => {
            Ok((old.trim().to_string(), new.trim().to_string()))
        }
        _ => Err(format!("`{text}`: expected OLD=NEW")),
    }
}

/// `TABLE.OLD=NEW`, each part non-empty.
fn rename_column(text: &str) -> Result<(String, String, String), String> {
    let (old, new) = rename_pair(text).map_err(|_| format!("`{text}`: expected TABLE.OLD=NEW"))?;
    match old.rsplit_once('.') {
        Some((table, column)) if !table.is_empty() && !column.is_empty() => {
            Ok((table.to_string(), column.to_string(), new))
        }
        _ => Err(format!("`{text}`: expected TABLE.OLD=NEW")),
    }
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Where to go; with --sql, a range FROM:TO
    #[arg(allow_hyphen_values = true)]
    pub target: String,
    /// Print the SQL script instead of running it (no database connection)
    #[arg(long)]
    pub sql: bool,
    /// Dialect of the --sql script (default: the configured database's)
    #[arg(long, value_name = "DIALECT", requires = "sql")]
    pub dialect: Option<String>,
    /// Run the whole plan in one transaction: all of it lands or none (SQLite, PostgreSQL)
    #[arg(long, conflicts_with = "sql")]
    pub single_transaction: bool,
}

/// A revision's message names its file and heads it: one of blanks only would name
/// neither.
fn message(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err("the message is empty; say what the migration does".into());
    }
    Ok(text.to_string())
}

fn parse_seconds(text: &str) -> Result<std::time::Duration, String> {
    let secs = text
        .parse::<f64>()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    retort::db::wait_from_secs(secs).map_err(|range| format!("`{text}`: the lock timeout {range}"))
}

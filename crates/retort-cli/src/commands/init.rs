//! `retort init`: a new project with commented defaults.

use std::path::PathBuf;

use retort::Error;

use crate::context::Context;
use crate::{data, note};

const CONFIG: &str = r#"# retort configuration. Every key is optional; the values shown are the defaults.

[database]
# ${VAR} and ${VAR:-default} are expanded; a .env file beside this one is read too.
url = "${DATABASE_URL:-sqlite:app.db}"

[migrations]
dir = "migrations"
file_template = "{year}_{month}_{day}_{hour}{minute}-{rev}_{slug}"
schema = "schema.sql"
version_table = "retort_version"
# dialects autogenerate writes sections for; empty = the connected one
dialects = []

# Select with `retort --env production …`
# [environments.production]
# url = "${PROD_DATABASE_URL}"
"#;

const SCHEMA: &str = r#"-- The schema you want: declare tables here as CREATE TABLE statements.
-- retort compares this file with the database to write migrations for you.
--
-- CREATE TABLE users (
--     id INTEGER PRIMARY KEY,
--     email VARCHAR(255) NOT NULL UNIQUE
-- );
"#;

pub fn init(ctx: &Context, dir: Option<PathBuf>) -> Result<u8, Error> {
    let root = match dir {
        Some(d) => ctx.cwd.join(d),
        None => ctx.cwd.clone(),
    };
    let config = root.join("retort.toml");
    let migrations = root.join("migrations");
    let schema = root.join("schema.sql");
    let existing: Vec<String> = [&config, &migrations, &schema]
        .iter()
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if !existing.is_empty() {
        return Err(Error::Usage(format!(
            "refusing to overwrite: {} already exist(s)",
            existing.join(", ")
        )));
    }
    let io = |path: &PathBuf| {
        let path = path.clone();
        move |e: std::io::Error| Error::Io {
            path,
            message: e.to_string(),
        }
    };
    std::fs::create_dir_all(&migrations).map_err(io(&migrations))?;
    std::fs::write(&config, CONFIG).map_err(io(&config))?;
    std::fs::write(&schema, SCHEMA).map_err(io(&schema))?;
    if ctx.global.json {
        crate::output::json(&serde_json::json!({
            "config": config, "migrations": migrations, "schema": schema,
        }));
    } else if !ctx.global.quiet {
        data!("{}", config.display());
        data!("{}", migrations.display());
        data!("{}", schema.display());
        note!("next: declare your tables in schema.sql, then `retort revision --autogenerate -m \"create users\"`, review the file, and `retort upgrade head`");
    }
    Ok(0)
}

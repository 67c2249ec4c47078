//! `retort check`: the migrated database against the declared schema, as CI runs it.

use retort::autogen;
use retort::Error;
use serde_json::json;

use crate::context::Context;
use crate::output::{paint, GREEN, RED, YELLOW};
use crate::{data, note};

pub fn check(ctx: &Context, strict: bool) -> Result<u8, Error> {
    let (project, mut conn, _state) = ctx.state_on()?;
    scratch_note(ctx, project, conn.dialect());
    let comparison = autogen::check(project, conn.as_mut())?;
    let differs = !comparison.matches();
    let (live_only, declared_only) = comparison.unmanaged_apart();
    let apart = !live_only.is_empty() || !declared_only.is_empty();
    let code = u8::from(differs || (strict && apart));
    if ctx.global.json {
        let listed = |l: &[&retort::schema::Unmanaged]| -> Vec<serde_json::Value> {
            l.iter()
                .map(|u| json!({"kind": u.kind, "name": u.name}))
                .collect()
        };
        crate::output::json(&json!({
            "matches": !differs,
            "differences": comparison.diff.changes.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            "not_compared": super::unmanaged_json(&comparison.unmanaged),
            "not_compared_database_only": listed(&live_only),
            "not_compared_declared_only": listed(&declared_only),
        }));
        return Ok(code);
    }
    for change in &comparison.diff.changes {
        data!("{} {change}", paint(RED, "differs:"));
    }
    let style = if strict { RED } else { YELLOW };
    for u in &comparison.unmanaged {
        let side = if live_only.contains(&u) {
            " (not declared)"
        } else {
            ""
        };
        data!(
            "{} {} {}{side}",
            paint(style, "not compared:"),
            u.kind,
            u.name
        );
    }
    for u in &declared_only {
        data!(
            "{} {} {} (declared, not in the database)",
            paint(style, "not compared:"),
            u.kind,
            u.name
        );
    }
    if !ctx.global.quiet {
        if differs {
            note!(
                "the database differs from the declared schema in {} way(s): a migration is missing (`retort revision --autogenerate -m …` writes it) or one was not applied",
                comparison.diff.changes.len()
            );
        } else {
            note!(
                "{} the database matches the declared schema",
                paint(GREEN, "ok:")
            );
        }
        if !comparison.unmanaged.is_empty() && !strict {
            note!(
                "objects retort does not manage are listed, not compared (--strict fails when one is on one side only)"
            );
        }
    }
    Ok(code)
}

/// With `-v`: which scratch database the comparison uses (a server's is kept between runs).
pub fn scratch_note(ctx: &Context, project: &retort::Project, dialect: retort::Dialect) {
    if !ctx.global.verbose || dialect == retort::Dialect::Sqlite {
        return;
    }
    match project.config.dev_spec() {
        Ok(Some(spec)) => note!("scratch database: {} (dev_url)", spec.masked_url()),
        _ => note!(
            "scratch databases: {} and {} on the target's server (`retort dev drop` removes them)",
            autogen::dev_database_name(&project.config.root, dialect),
            autogen::work_database_name(&project.config.root, dialect)
        ),
    }
}

/// `retort dev drop`: removes the scratch database retort created for the project.
pub fn dev_drop(ctx: &Context) -> Result<u8, Error> {
    let config = ctx.config()?;
    let dialect = config.connect_spec()?.dialect();
    let name = autogen::dev_database_name(&config.root, dialect);
    let dropped = autogen::drop_dev_database(&config, dialect)?;
    if ctx.global.json {
        crate::output::json(
            &json!({"database": (dialect != retort::Dialect::Sqlite).then_some(&name), "dropped": dropped}),
        );
    } else if !ctx.global.quiet {
        match (dialect, dropped) {
            (retort::Dialect::Sqlite, _) => {
                note!("nothing to drop: on SQLite the scratch database is in memory")
            }
            (_, true) => note!("dropped the scratch databases {name} and {name}_w"),
            (_, false) => note!("no scratch database {name} (or {name}_w) to drop"),
        }
    }
    Ok(0)
}

/// `retort schema dump`: the live schema as SQL, on stdout or into a file.
pub fn dump(ctx: &Context, output: Option<std::path::PathBuf>) -> Result<u8, Error> {
    let (project, mut conn, _state) = ctx.state_on()?;
    let live = autogen::live_schema(project, conn.as_mut())?;
    let text = autogen::dump(&live)?;
    if ctx.global.json {
        crate::output::json(&json!({"dialect": live.dialect.name(), "sql": text}));
        return Ok(0);
    }
    match output {
        Some(path) => {
            let path = ctx.cwd.join(path);
            std::fs::write(&path, &text).map_err(|e| Error::Io {
                path: path.clone(),
                message: e.to_string(),
            })?;
            if !ctx.global.quiet {
                note!(
                    "wrote the schema of {} ({} tables) to {}",
                    project.config.url()?.masked(),
                    live.tables.len(),
                    path.display()
                );
            }
        }
        None => data!("{}", text.trim_end_matches('\n')),
    }
    for u in &live.unmanaged {
        if !ctx.global.quiet {
            note!("{} {} {}", paint(YELLOW, "not written:"), u.kind, u.name);
        }
    }
    Ok(0)
}

/// `retort diff URL_A URL_B`: the SQL from one live database to another, on stdout.
pub fn diff(ctx: &Context, url_a: &str, url_b: &str) -> Result<u8, Error> {
    // retort's own tables are left out, as the config names them where there is one.
    let config = ctx.config().ok();
    let version = config
        .as_ref()
        .map_or("retort_version".to_string(), |c| c.version_table.clone());
    let log = config
        .as_ref()
        .map_or("retort_log".to_string(), |c| c.log_table());
    let connect = |url: &str| -> Result<Box<dyn retort::Connection>, Error> {
        let spec = retort::db::ConnectSpec::parse(url, &ctx.cwd)
            .map_err(|e| Error::Usage(e.to_string()))?;
        retort::db::connect(&spec, &retort::ConnectOptions::default()).map_err(|error| {
            Error::Connect {
                url: spec.masked_url().to_string(),
                error,
            }
        })
    };
    let mut a = connect(url_a)?;
    let mut b = connect(url_b)?;
    let sql = autogen::diff_databases(a.as_mut(), b.as_mut(), &[&version, &log])?;
    if ctx.global.json {
        crate::output::json(&json!({"sql": sql, "matches": sql.is_empty()}));
    } else if sql.is_empty() {
        if !ctx.global.quiet {
            note!("no differences");
        }
    } else {
        data!("{}", sql.trim_end_matches('\n'));
    }
    Ok(0)
}

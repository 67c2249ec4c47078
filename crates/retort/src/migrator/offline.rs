//! Offline mode: the SQL an upgrade or downgrade would run, as one script, rendered
//! without connecting to any database (for DBAs who review and apply it themselves).

use crate::dialect::Dialect;
use crate::error::Error;
use crate::graph::Target;
use crate::history::{self, Action, AppliedRow, History, RowState, When};
use crate::project::Project;
use crate::script::{comment_text, Direction};

/// Renders the script that takes a database at `from` (`None` = base, an empty database)
/// to `to`. Each migration is wrapped in its own transaction (unless it says
/// `transaction: false`) together with its version row and audit-log row, as online runs do.
pub fn offline_script(
    project: &Project,
    dialect: Dialect,
    direction: Direction,
    from: Option<&Target>,
    to: &Target,
) -> Result<String, Error> {
    let graph = &project.graph;
    let applied = match from {
        None | Some(Target::Base) => vec![false; graph.len()],
        Some(t) => graph.ancestors(&graph.resolve(t).map_err(Error::Target)?),
    };
    let plan = match direction {
        Direction::Up => graph.plan_upgrade(&applied, to),
        Direction::Down => graph.plan_downgrade(&applied, to),
    }
    .map_err(Error::Target)?;
    let history = History::new(
        dialect,
        &project.config.version_table,
        &project.config.log_table(),
    );
    let actor = history::actor();
    let d = dialect.sql();
    let mut out = format!(
        "-- retort {} {}:{} for {dialect}: {} migration(s)\n-- generated offline by retort {}; review it, then run it with the database's own client\n{}\n",
        match direction {
            Direction::Up => "upgrade",
            Direction::Down => "downgrade",
        },
        comment_text(&from.map(ToString::to_string).unwrap_or_else(|| "base".into())),
        comment_text(&to.to_string()),
        plan.len(),
        history::TOOL_VERSION,
        if dialect == Dialect::Mysql {
            "-- MySQL commits DDL statement by statement: if this script stops half-way, the\n-- migration it stopped in is half-applied; fix it by hand, then stamp the revision\n-- the schema matches.\n"
        } else {
            ""
        },
    );
    for ddl in dialect.version_table_ddl(&project.config.version_table, &project.config.log_table())
    {
        out.push_str(&ddl);
        out.push_str(";\n\n");
    }
    for (n, &i) in plan.iter().enumerate() {
        let script = project.script(i);
        let section = super::statements(project, i, direction, dialect)?;
        out.push_str(&format!(
            "-- {} {}/{}: {} {} ({})\n",
            direction.name(),
            n + 1,
            plan.len(),
            script.revision,
            comment_text(script.summary()),
            comment_text(&script.path.display().to_string())
        ));
        // MySQL commits each DDL statement by itself: a transaction around a migration
        // would promise an atomicity the server does not give.
        let wrap = script.transaction && dialect != Dialect::Mysql;
        // As online (see foreign_keys.rs): the switch only works outside the transaction.
        let foreign_keys_off = script.foreign_keys_off && dialect == Dialect::Sqlite;
        if foreign_keys_off {
            out.push_str("PRAGMA foreign_keys = OFF;\n");
        }
        if wrap {
            out.push_str(d.begin_statement());
            out.push_str(";\n");
        }
        for stmt in &section.statements {
            push_statement(&mut out, dialect, &stmt.text);
        }
        if foreign_keys_off {
            // sqlite3 has no way to stop on a query's rows: a CHECK that fails does (with
            // -bail, the COMMIT below is then never reached).
            out.push_str(FOREIGN_KEY_CHECK);
        }
        let (record, action) = match direction {
            Direction::Up => (
                history.insert_sql(
                    &AppliedRow {
                        revision: script.revision.clone(),
                        checksum: section.checksum.clone(),
                        applied_at: String::new(),
                        applied_by: actor.clone(),
                        execution_ms: 0,
                        state: RowState::Applied,
                        // Left out, so the script also loads into an older version table.
                        texts: None,
                    },
                    When::Now,
                ),
                Action::Upgrade,
            ),
            Direction::Down => (history.delete_sql(&script.revision), Action::Downgrade),
        };
        push_statement(&mut out, dialect, &record);
        push_statement(
            &mut out,
            dialect,
            &history.log_sql(&script.revision, action, &actor, None, When::Now),
        );
        if wrap {
            out.push_str("COMMIT;\n");
        }
        if foreign_keys_off {
            out.push_str("PRAGMA foreign_keys = ON;\n");
        }
        out.push('\n');
    }
    Ok(out)
}

/// Fails when a row references a row that does not exist, after a `foreign_keys: off`
/// migration's statements on SQLite.
const FOREIGN_KEY_CHECK: &str =
    "-- every row must reference a row that exists (the statement fails otherwise)\n\
CREATE TEMP TABLE retort_foreign_key_check (violations INTEGER CHECK (violations = 0));\n\
INSERT INTO retort_foreign_key_check SELECT count(*) FROM pragma_foreign_key_check;\n\
DROP TABLE retort_foreign_key_check;\n";

/// Appends one statement. The mysql client splits its input on `;`, so a MySQL statement
/// with `;` inside (a procedure or trigger body) is wrapped in `DELIMITER` lines.
fn push_statement(out: &mut String, dialect: Dialect, text: &str) {
    if dialect == Dialect::Mysql && text.contains(';') {
        out.push_str("DELIMITER //\n");
        out.push_str(text);
        out.push_str(" //\nDELIMITER ;\n");
    } else {
        out.push_str(text);
        out.push_str(";\n");
    }
}

//! Writing new migration files: the header retort itself parses, and the file name the
//! config's template asks for.

use crate::dialect::Dialect;

/// What `retort revision` and `retort merge` put into a new file.
#[derive(Debug, Clone, Default)]
pub struct NewScript {
    pub revision: String,
    pub message: String,
    pub revises: Vec<String>,
    pub depends_on: Vec<String>,
    pub branch_labels: Vec<String>,
    /// RFC 3339 UTC, e.g. `2026-11-22T10:30:00Z`.
    pub created: String,
    /// Dialect-specific sections to write besides the generic ones (autogenerate fills
    /// them); empty bodies when the caller has no SQL yet.
    pub up: String,
    pub down: String,
    pub dialect_sections: Vec<(Dialect, String, String)>,
}

/// The text of a new migration file.
pub fn render_new(new: &NewScript) -> String {
    let mut out = String::new();
    for line in new.message.lines() {
        out.push_str(format!("-- {}", comment_text(line)).trim_end());
        out.push('\n');
    }
    if !new.message.is_empty() {
        out.push_str("--\n");
    }
    out.push_str(&format!("-- revision: {}\n", new.revision));
    if !new.revises.is_empty() {
        out.push_str(&format!("-- revises: {}\n", new.revises.join(", ")));
    }
    if !new.depends_on.is_empty() {
        out.push_str(&format!("-- depends_on: {}\n", new.depends_on.join(", ")));
    }
    if !new.branch_labels.is_empty() {
        out.push_str(&format!(
            "-- branch_labels: {}\n",
            new.branch_labels.join(", ")
        ));
    }
    out.push_str(&format!("-- created: {}\n", new.created));
    let section = |out: &mut String, marker: &str, body: &str| {
        out.push_str(&format!("\n-- migrate:{marker}\n"));
        if !body.is_empty() {
            out.push_str(body.trim_end());
            out.push('\n');
        }
    };
    section(&mut out, "up", &new.up);
    section(&mut out, "down", &new.down);
    for (dialect, up, down) in &new.dialect_sections {
        section(&mut out, &format!("up {dialect}"), up);
        section(&mut out, &format!("down {dialect}"), down);
    }
    out
}

/// `text` made safe to write after `--` in a comment line of a script or a migration file:
/// every character a client or an editor could take as the end of the line (CR, LF, NEL,
/// the Unicode line and paragraph separators) and every other control character is
/// written as a visible escape (`\r`, `\u{2028}`), so nothing after it can become SQL.
pub fn comment_text(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char =
        |c: char| (c.is_control() && c != '\t') || matches!(c, '\u{2028}' | '\u{2029}');
    if !text.contains(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The message as a file-name fragment: lowercase words joined by `_`, at most 40
/// characters (Alembic's default), cut at a word boundary.
pub fn slug(message: &str) -> String {
    let mut words = Vec::new();
    let mut len = 0;
    for word in message
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word = word.to_lowercase();
        let added = word.chars().count() + usize::from(!words.is_empty());
        if len + added > 40 {
            break;
        }
        len += added;
        words.push(word);
    }
    words.join("_")
}

/// Fills `{year} {month} {day} {hour} {minute} {second} {rev} {slug}` from the template
/// and adds `.sql`. `timestamp` is the `created` value.
pub fn file_name(
    template: &str,
    revision: &str,
    message: &str,
    timestamp: &jiff::Timestamp,
) -> String {
    let t = timestamp.to_zoned(jiff::tz::TimeZone::UTC);
    let slug = slug(message);
    let name = template
        .replace("{year}", &format!("{:04}", t.year()))
        .replace("{month}", &format!("{:02}", t.month()))
        .replace("{day}", &format!("{:02}", t.day()))
        .replace("{hour}", &format!("{:02}", t.hour()))
        .replace("{minute}", &format!("{:02}", t.minute()))
        .replace("{second}", &format!("{:02}", t.second()))
        .replace("{rev}", revision)
        .replace("{slug}", &slug);
    let name = name.trim_end_matches(['_', '-']).to_string();
    format!("{name}.sql")
}

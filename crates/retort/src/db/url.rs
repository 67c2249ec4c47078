//! Database URLs: which dialect a URL names, and keeping its password out of messages.
//!
//! Every message that shows a URL goes through [`DatabaseUrl::masked`], so a password
//! given in a URL never reaches a terminal, a log or a CI transcript; a driver's own
//! message goes through [`scrub`]. The drivers' URL parsers share [`percent_decode`].

use std::fmt;

use crate::dialect::Dialect;

/// A database URL as the user wrote it (after `${VAR}` expansion), with its dialect known.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    raw: String,
    dialect: Dialect,
}

/// A URL retort cannot use, with the reason. The URL inside is already masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlError {
    pub masked_url: String,
    pub reason: String,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid database URL `{}`: {}",
            self.masked_url, self.reason
        )
    }
}

impl std::error::Error for UrlError {}

impl DatabaseUrl {
    /// Recognises `sqlite:`, `postgres://`, `postgresql://`, `mysql://` and `mariadb://`,
    /// each with or without SQLAlchemy's `+driver` suffix (`postgresql+asyncpg://`): the
    /// suffix names the Python driver of an application sharing the URL, so any name is
    /// accepted and none changes what retort does.
    pub fn parse(raw: &str) -> Result<DatabaseUrl, UrlError> {
        let raw = raw.trim();
        let err = |reason: &str| UrlError {
            masked_url: mask(raw),
            reason: reason.to_string(),
        };
        let (scheme, _) = raw
            .split_once(':')
            .ok_or_else(|| err("no scheme; expected sqlite:, postgres:// or mysql://"))?;
        let (base, driver) = split_driver(scheme);
        if driver.is_some_and(|d| d.is_empty() || !d.bytes().all(is_driver_byte)) {
            return Err(err(&format!(
                "`{scheme}`: after `+` comes the name of a driver (letters, digits, `_`), as in postgresql+psycopg2://"
            )));
        }
        let dialect = match base.to_ascii_lowercase().as_str() {
            "sqlite" | "sqlite3" => Dialect::Sqlite,
            "postgres" | "postgresql" => Dialect::Postgres,
            "mysql" | "mariadb" => Dialect::Mysql,
            other => {
                return Err(err(&format!(
                    "unknown scheme `{other}`; expected sqlite:, postgres:// or mysql://"
                )))
            }
        };
        if dialect != Dialect::Sqlite && !raw[scheme.len()..].starts_with("://") {
            return Err(err("expected `//` after the scheme"));
        }
        let url = DatabaseUrl {
            raw: raw.to_string(),
            dialect,
        };
        if dialect == Dialect::Sqlite && url.sqlite_rest().is_empty() {
            return Err(err(
                "no file path; use sqlite:app.db, sqlite:///app.db or sqlite::memory:",
            ));
        }
        Ok(url)
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The URL exactly as given. Only for handing to a driver: never print it.
    pub fn expose(&self) -> &str {
        &self.raw
    }

    /// The URL with any password replaced by `***`: the only form fit for messages.
    pub fn masked(&self) -> String {
        mask(&self.raw)
    }

    /// What follows `sqlite:` (query included), as written.
    pub(crate) fn sqlite_rest(&self) -> &str {
        &self.raw[self.raw.find(':').map_or(self.raw.len(), |i| i + 1)..]
    }
}

/// `postgresql+asyncpg` → (`postgresql`, Some(`asyncpg`)); a scheme without `+` has no driver.
pub(crate) fn split_driver(scheme: &str) -> (&str, Option<&str>) {
    match scheme.split_once('+') {
        Some((base, driver)) => (base, Some(driver)),
        None => (scheme, None),
    }
}

fn is_driver_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DatabaseUrl").field(&self.masked()).finish()
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Replaces the password of `scheme://user:password@host…` (and a `password=` query
/// option) with `***`. Works on any string, so it can also clean a driver's error text.
pub fn mask(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let auth_start = scheme_end + 3;
        // The user part ends at the LAST `@`: a password typed without percent-encoding
        // may itself hold `/ ? # @`, and masking a little too much is harmless where
        // masking too little is not.
        if let Some(at) = out[auth_start..].rfind('@') {
            let at = auth_start + at;
            if let Some(colon) = out[auth_start..at].find(':') {
                out.replace_range(auth_start + colon + 1..at, "***");
            }
        }
    }
    for key in ["password=", "pass=", "sslpassword="] {
        let mut from = 0;
        while let Some(i) = out[from..].to_ascii_lowercase().find(key) {
            let start = from + i + key.len();
            let end = out[start..].find('&').map_or(out.len(), |j| start + j);
            out.replace_range(start..end, "***");
            from = start + 3;
        }
    }
    out
}

#[cfg(any(feature = "postgres", feature = "mysql"))]
/// Why a URL component could not be percent-decoded. It carries no text of the component:
/// that may be a password. Each driver words it (its messages predate this shared decoder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PercentError {
    /// A `%` not followed by two hex digits.
    BadEscape,
    /// The decoded bytes are not UTF-8.
    NotUtf8,
}

#[cfg(any(feature = "postgres", feature = "mysql"))]
/// Decodes the `%XX` escapes of one URL component (user, password, host, database,
/// option); every other byte is kept as it is.
pub(crate) fn percent_decode(text: &str) -> Result<String, PercentError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            // Two hex digits exactly: `from_str_radix` alone would take `%+f` as 0x0f.
            let hex = bytes
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or(PercentError::BadEscape)?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PercentError::NotUtf8)
}

#[cfg(any(feature = "postgres", feature = "mysql"))]
/// The shortest password [`scrub`] removes from a message. Retort's own messages never
/// contain the password; this is for a server's or a library's text that might echo it.
/// Of the drivers' two former rules (3 and 4 characters) the lower one is kept: it hides
/// more. One or two characters are left alone, since replacing them would mangle every
/// word holding those letters while hiding next to nothing.
pub(crate) const MIN_SCRUBBED_PASSWORD: usize = 3;

#[cfg(any(feature = "postgres", feature = "mysql"))]
/// `message` with every occurrence of `password` replaced by `***` (for a password of at
/// least [`MIN_SCRUBBED_PASSWORD`] bytes).
pub(crate) fn scrub(message: String, password: Option<&str>) -> String {
    match password {
        Some(p) if p.len() >= MIN_SCRUBBED_PASSWORD && message.contains(p) => {
            message.replace(p, "***")
        }
        _ => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialects_from_schemes() {
        for (url, d) in [
            ("sqlite:app.db", Dialect::Sqlite),
            ("sqlite::memory:", Dialect::Sqlite),
            ("sqlite:///tmp/x.db", Dialect::Sqlite),
            ("postgres://u@h/db", Dialect::Postgres),
            ("postgresql://u@h/db", Dialect::Postgres),
            ("mysql://root@h/db", Dialect::Mysql),
            ("mariadb://root@h/db", Dialect::Mysql),
            ("sqlite://", Dialect::Sqlite),
            ("sqlite+pysqlite:///app.db", Dialect::Sqlite),
            ("sqlite+aiosqlite:////tmp/app.db", Dialect::Sqlite),
            ("postgresql+asyncpg://u@h/db", Dialect::Postgres),
            ("postgresql+psycopg2://u@h/db", Dialect::Postgres),
            ("postgresql+psycopg://u@h/db", Dialect::Postgres),
            ("postgresql+pg8000://u@h/db", Dialect::Postgres),
            ("mysql+pymysql://u@h/db", Dialect::Mysql),
            ("mysql+mysqldb://u@h/db", Dialect::Mysql),
            ("mysql+aiomysql://u@h/db", Dialect::Mysql),
            ("mysql+asyncmy://u@h/db", Dialect::Mysql),
            ("mysql+mysqlconnector://u@h/db", Dialect::Mysql),
            ("mariadb+mariadbconnector://u@h/db", Dialect::Mysql),
            ("mariadb+pymysql://u@h/db", Dialect::Mysql),
            // A driver retort has never heard of names only the Python side: accepted.
            ("postgresql+some_future_driver2://u@h/db", Dialect::Postgres),
        ] {
            assert_eq!(DatabaseUrl::parse(url).unwrap().dialect(), d, "{url}");
        }
    }

    #[test]
    fn rejects_unknown_and_incomplete() {
        assert!(DatabaseUrl::parse("oracle://x").is_err());
        assert!(DatabaseUrl::parse("app.db").is_err());
        assert!(DatabaseUrl::parse("sqlite:").is_err());
        assert!(DatabaseUrl::parse("postgres:db").is_err());
        assert!(DatabaseUrl::parse("postgresql+asyncpg:db").is_err());
        for bad in [
            "postgresql+://u@h/db",
            "mysql+py-mysql://u@h/db",
            "oracle+cx_oracle://h",
        ] {
            assert!(DatabaseUrl::parse(bad).is_err(), "{bad}");
        }
        let e = DatabaseUrl::parse("postgresql+a/b://u:hunter2@h/db").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        let e = DatabaseUrl::parse("redis://u:hunter2@h").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    #[test]
    fn masks_passwords() {
        assert_eq!(
            mask("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(mask("mysql://u:p%40ss@h/db?x=1"), "mysql://u:***@h/db?x=1");
        assert_eq!(mask("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            mask("postgres://h/db?password=abc&x=1"),
            "postgres://h/db?password=***&x=1"
        );
        assert_eq!(mask("sqlite:app.db"), "sqlite:app.db");
        assert_eq!(mask("postgres://u:a@b@h/db"), "postgres://u:***@h/db");
        assert_eq!(mask("mysql://u:pa/ss@h/db"), "mysql://u:***@h/db");
        assert_eq!(
            mask("mysql://u:p?a#s@h:1/db?x=1"),
            "mysql://u:***@h:1/db?x=1"
        );
        let url = DatabaseUrl::parse("postgres://u:secret@h/db").unwrap();
        assert!(!format!("{url} {url:?}").contains("secret"));
    }

    #[cfg(any(feature = "postgres", feature = "mysql"))]
    #[test]
    fn percent_decoding() {
        assert_eq!(
            percent_decode("p%40ss%2Fw%3Ard").as_deref(),
            Ok("p@ss/w:rd")
        );
        assert_eq!(percent_decode("plain").as_deref(), Ok("plain"));
        assert_eq!(percent_decode("%C3%A9").as_deref(), Ok("é"));
        assert_eq!(percent_decode("a%zzb"), Err(PercentError::BadEscape));
        assert_eq!(percent_decode("a%4"), Err(PercentError::BadEscape));
        assert_eq!(percent_decode("%+f"), Err(PercentError::BadEscape));
        assert_eq!(percent_decode("%-1"), Err(PercentError::BadEscape));
        assert_eq!(percent_decode("%FF"), Err(PercentError::NotUtf8));
    }

    #[cfg(any(feature = "postgres", feature = "mysql"))]
    #[test]
    fn scrub_hides_passwords_of_three_characters_and_more() {
        let scrubbed = |m: &str, p: &str| scrub(m.to_string(), Some(p));
        assert_eq!(
            scrubbed("auth failed for abc", "abc"),
            "auth failed for ***"
        );
        assert_eq!(
            scrubbed("pw hunter2 and hunter2", "hunter2"),
            "pw *** and ***"
        );
        // Below the minimum the message is left whole (it would mangle words otherwise).
        assert_eq!(scrubbed("ab: bad", "ab"), "ab: bad");
        assert_eq!(scrub("no password".into(), None), "no password");
        assert_eq!(MIN_SCRUBBED_PASSWORD, 3);
    }
}

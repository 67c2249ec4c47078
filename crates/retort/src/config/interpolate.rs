//! `${VAR}` and `${VAR:-default}` in config values.
//!
//! Deliberately not a shell expander: a bare `$` (common in passwords) is kept as it is,
//! and there is no `$$` escape, so a URL means what it says.

/// Why a value could not be expanded; the caller adds the file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterpolateError {
    /// `${NAME}` with `NAME` unset and no `:-default`.
    Unset(String),
    /// `${` without a closing `}`, or an empty name.
    Malformed(String),
}

/// Expands every `${NAME}` / `${NAME:-default}` in `value`, looking names up with `lookup`.
/// An empty value counts as unset for `:-`, as in the shell.
pub fn interpolate(
    value: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, InterpolateError> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| InterpolateError::Malformed(rest[start..].to_string()))?;
        let inner = &after[..end];
        let (name, default) = match inner.find(":-") {
            Some(i) => (&inner[..i], Some(&inner[i + 2..])),
            None => (inner, None),
        };
        let valid_name =
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_name {
            return Err(InterpolateError::Malformed(format!("${{{inner}}}")));
        }
        match (
            lookup(name).filter(|v| !v.is_empty() || default.is_none()),
            default,
        ) {
            (Some(v), _) => out.push_str(&v),
            (None, Some(d)) => out.push_str(d),
            (None, None) => return Err(InterpolateError::Unset(name.to_string())),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOST" => Some("db.example".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn expands_set_unset_and_defaults() {
        assert_eq!(
            interpolate("pg://${HOST}/x", &env).unwrap(),
            "pg://db.example/x"
        );
        assert_eq!(
            interpolate("${NOPE:-sqlite:a.db}", &env).unwrap(),
            "sqlite:a.db"
        );
        assert_eq!(interpolate("${EMPTY:-d}", &env).unwrap(), "d");
        assert_eq!(interpolate("${EMPTY}", &env).unwrap(), "");
        assert_eq!(interpolate("${HOST:-d}", &env).unwrap(), "db.example");
        assert_eq!(interpolate("no vars", &env).unwrap(), "no vars");
    }

    #[test]
    fn keeps_bare_dollars() {
        assert_eq!(interpolate("p@$$w$rd", &env).unwrap(), "p@$$w$rd");
    }

    #[test]
    fn reports_unset_and_malformed() {
        assert_eq!(
            interpolate("${NOPE}", &env),
            Err(InterpolateError::Unset("NOPE".into()))
        );
        assert!(matches!(
            interpolate("${HOST", &env),
            Err(InterpolateError::Malformed(_))
        ));
        assert!(matches!(
            interpolate("${}", &env),
            Err(InterpolateError::Malformed(_))
        ));
        assert!(matches!(
            interpolate("${A B}", &env),
            Err(InterpolateError::Malformed(_))
        ));
    }
}

//! Whether a type change may lose values. Conservative on purpose: only pairs known to
//! keep every value are widening; anything else (unknown types, changes of meaning such
//! as timestamp to timestamptz, signedness) counts as narrowing, because a wrong "safe"
//! hides data loss while a wrong "narrowing" only adds a comment.

/// True unless every value of `from` is known to fit `to`.
pub fn narrows(from: &str, to: &str) -> bool {
    if from == to {
        return false;
    }
    // MySQL's ENUM and SET: a value kept is kept, whatever else is added or reordered.
    if let (Some((k1, a)), Some((k2, b))) = (member_values(from), member_values(to)) {
        return k1 != k2 || !a.iter().all(|v| b.contains(v));
    }
    let (Some(a), Some(b)) = (Kind::of(from), Kind::of(to)) else {
        return true;
    };
    !a.fits_in(&b)
}

/// `enum('a','b')` or `set(…)` as its keyword and its values (`''` inside a value is one
/// quote); `None` for any other type, or a list that does not read as quoted values.
fn member_values(spelled: &str) -> Option<(&'static str, Vec<String>)> {
    let trimmed = spelled.trim();
    let lower = trimmed.to_ascii_lowercase();
    let keyword = ["enum", "set"]
        .into_iter()
        .find(|k| lower.starts_with(&format!("{k}(")))?;
    let list = trimmed.get(keyword.len() + 1..)?.strip_suffix(')')?;
    let mut values = Vec::new();
    let mut chars = list.chars().peekable();
    loop {
        if chars.next()? != '\'' {
            return None;
        }
        let mut value = String::new();
        loop {
            match chars.next()? {
                '\'' if chars.peek() == Some(&'\'') => {
                    chars.next();
                    value.push('\'');
                }
                '\'' => break,
                c => value.push(c),
            }
        }
        values.push(value);
        match chars.next() {
            None => return Some((keyword, values)),
            Some(',') => {}
            Some(_) => return None,
        }
    }
}

/// The families of types whose widening is known.
#[derive(Debug, PartialEq)]
enum Kind {
    /// Rank: tinyint < smallint < mediumint < integer < bigint.
    Integer(u8),
    /// The unconstrained `numeric`/`decimal` when `None`.
    Numeric(Option<(u32, u32)>),
    Real,
    Double,
    /// `varchar(n)`/`char(n)` (the length), or unbounded (`varchar`, `text`…) when `None`.
    /// MySQL's text sizes are ranked by their byte limits.
    Text(Option<u64>),
}

impl Kind {
    fn of(spelled: &str) -> Option<Kind> {
        let spelled = spelled.trim().to_ascii_lowercase();
        let (base, args) = match spelled.split_once('(') {
            Some((base, rest)) => {
                let args = rest.strip_suffix(')')?;
                let args = args
                    .split(',')
                    .map(|a| a.trim().parse::<u64>().ok())
                    .collect::<Option<Vec<u64>>>()?;
                (base.trim().to_string(), args)
            }
            None => (spelled, Vec::new()),
        };
        let kind = match (base.as_str(), args.as_slice()) {
            ("tinyint", []) => Kind::Integer(1),
            ("smallint" | "int2", []) => Kind::Integer(2),
            ("mediumint", []) => Kind::Integer(3),
            ("integer" | "int" | "int4", []) => Kind::Integer(4),
            ("bigint" | "int8", []) => Kind::Integer(5),
            ("numeric" | "decimal", []) => Kind::Numeric(None),
            ("numeric" | "decimal", [p]) => Kind::Numeric(Some((u32::try_from(*p).ok()?, 0))),
            ("numeric" | "decimal", [p, s]) => {
                Kind::Numeric(Some((u32::try_from(*p).ok()?, u32::try_from(*s).ok()?)))
            }
            ("real" | "float4", []) => Kind::Real,
            ("double precision" | "double" | "float8", []) => Kind::Double,
            ("varchar" | "character varying" | "char" | "character", [n]) => Kind::Text(Some(*n)),
            ("varchar" | "character varying" | "text", []) => Kind::Text(None),
            ("tinytext", []) => Kind::Text(Some(255)),
            ("mediumtext", []) => Kind::Text(Some(16_777_215)),
            ("longtext", []) => Kind::Text(Some(4_294_967_295)),
            _ => return None,
        };
        Some(kind)
    }

    /// Every value of `self` is a value of `to`. MySQL's `text` (65,535 bytes) is taken as
    /// unbounded: one family per dialect, and the dialects never meet in one diff.
    fn fits_in(&self, to: &Kind) -> bool {
        match (self, to) {
            (Kind::Integer(a), Kind::Integer(b)) => a <= b,
            (Kind::Integer(rank), Kind::Numeric(to)) => match to {
                None => true,
                Some((p, s)) => p.saturating_sub(*s) >= integer_digits(*rank),
            },
            (Kind::Numeric(_), Kind::Numeric(None)) => true,
            (Kind::Numeric(Some((p, s))), Kind::Numeric(Some((p2, s2)))) => {
                s2 >= s && p2.saturating_sub(*s2) >= p.saturating_sub(*s)
            }
            (Kind::Real, Kind::Real | Kind::Double) | (Kind::Double, Kind::Double) => true,
            (Kind::Text(_), Kind::Text(None)) => true,
            (Kind::Text(Some(a)), Kind::Text(Some(b))) => a <= b,
            _ => false,
        }
    }
}

/// Decimal digits of the largest value of an integer type of `rank`.
fn integer_digits(rank: u8) -> u32 {
    match rank {
        1 => 3,
        2 => 5,
        3 => 8,
        4 => 10,
        _ => 19,
    }
}

#[cfg(test)]
mod tests {
    use super::narrows;

    #[test]
    fn known_widenings_are_not_narrowing() {
        for (from, to) in [
            ("integer", "bigint"),
            ("smallint", "integer"),
            ("varchar(10)", "varchar(20)"),
            ("varchar(10)", "text"),
            ("character varying(10)", "character varying"),
            ("numeric(10,2)", "numeric(12,2)"),
            ("numeric(10,2)", "numeric(11,3)"),
            ("numeric(10,2)", "numeric"),
            ("integer", "numeric(12,2)"),
            ("real", "double precision"),
            ("tinytext", "mediumtext"),
            ("text", "text"),
        ] {
            assert!(!narrows(from, to), "{from} -> {to}");
        }
    }

    #[test]
    fn narrowing_and_unknown_pairs_are_narrowing() {
        for (from, to) in [
            ("bigint", "integer"),
            ("varchar(20)", "varchar(10)"),
            ("text", "varchar(255)"),
            ("numeric(10,2)", "numeric(8,2)"),
            ("numeric(10,2)", "numeric(10,1)"),
            ("numeric", "numeric(10,2)"),
            ("bigint", "numeric(10,0)"),
            ("double precision", "real"),
            ("integer", "text"),
            ("timestamp", "timestamp with time zone"),
            ("int unsigned", "int"),
            ("mood", "text"),
            ("varchar(x)", "varchar(10)"),
            ("enum('draft','live')", "enum('draft')"),
            ("set('a','b')", "enum('a','b')"),
            ("enum('it''s')", "enum('its')"),
            ("enum('a'", "enum('a','b')"),
        ] {
            assert!(narrows(from, to), "{from} -> {to}");
        }
    }

    #[test]
    fn enum_and_set_values_kept_are_not_narrowing() {
        for (from, to) in [
            ("enum('draft','live')", "enum('draft','live','archived')"),
            ("enum('draft','live')", "enum('live','draft')"),
            ("set('a','b,c')", "set('x','a','b,c')"),
            ("enum('it''s')", "enum('it''s','x')"),
        ] {
            assert!(!narrows(from, to), "{from} -> {to}");
        }
    }
}

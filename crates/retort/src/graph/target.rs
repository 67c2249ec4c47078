//! What users type to say where the database should go (`head`, `ab12`, `-1`,
//! `feat@head`, ...), parsed once so every command accepts the same spellings.

use std::fmt;
use std::str::FromStr;

use super::GraphError;

/// A place in the history, not yet resolved against a graph: parsing must not need the
/// migrations, and one target may mean different revisions as history grows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// The single head; an error when history has branched.
    Head,
    /// Every head at once.
    Heads,
    /// Before the first migration.
    Base,
    /// A revision id or unique prefix.
    Rev(String),
    /// Steps from the database's current head: `+N` forwards, `-N` backwards.
    Relative(i64),
    /// Steps along the single line of history from a named revision.
    RevRelative { rev: String, delta: i64 },
    /// The head of the branch that starts at the labelled revision.
    LabelHead(String),
    /// A revision that must lie on the labelled branch.
    LabelRev { label: String, rev: String },
    /// Just before the labelled branch's first revision: downgrading there reverts the
    /// branch alone, leaving the other branches applied (Alembic's `branch@base`).
    LabelBase(String),
}

/// Labels start like identifiers so `LABEL@...` can never be confused with `+N`/`-N`.
fn is_label(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Broader than hex on purpose: ids from other tools should reach `resolve_id` and get an
/// "unknown revision" message rather than a syntax error.
fn is_rev(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_keyword(s: &str) -> bool {
    matches!(s, "head" | "heads" | "base")
}

/// Parses `+N`/`-N` (sign required); zero is rejected because it would silently do
/// nothing where the user clearly meant to move.
fn parse_delta(s: &str) -> Result<i64, &'static str> {
    let digits = s
        .strip_prefix(['+', '-'])
        .ok_or("a step needs a `+` or `-` sign")?;
    if digits.is_empty() {
        return Err("a number of steps must follow `+` or `-`");
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the number of steps must be a whole number");
    }
    let value: i64 = s.parse().map_err(|_| "the number of steps is too large")?;
    if value == 0 {
        return Err("a step of zero does nothing; use at least 1");
    }
    Ok(value)
}

impl FromStr for Target {
    type Err = GraphError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |reason: &str| GraphError::BadTarget {
            given: s.to_string(),
            reason: reason.to_string(),
        };
        if s.is_empty() {
            return Err(bad("the target is empty"));
        }
        if s.chars().any(char::is_whitespace) {
            return Err(bad("a target cannot contain whitespace"));
        }
        match s {
            "head" => return Ok(Target::Head),
            "heads" => return Ok(Target::Heads),
            "base" => return Ok(Target::Base),
            _ => {}
        }
        // `@` first: labels may contain `-`, which would otherwise look like a step.
        if let Some((label, rest)) = s.split_once('@') {
            if label.is_empty() {
                return Err(bad("a branch label must come before `@`"));
            }
            if !is_label(label) {
                return Err(bad(
                    "a branch label starts with a letter or `_` and has only letters, digits, \
                     `_` and `-`",
                ));
            }
            if rest.is_empty() {
                return Err(bad("`head` or a revision must follow `@`"));
            }
            if rest == "head" {
                return Ok(Target::LabelHead(label.to_string()));
            }
            if rest == "base" {
                return Ok(Target::LabelBase(label.to_string()));
            }
            if is_keyword(rest) {
                return Err(bad(
                    "after `@` only `head`, `base` or a revision id is supported",
                ));
            }
            if !is_rev(rest) {
                return Err(bad(
                    "after `@` expected `head`, `base` or a revision id (letters, digits and `_`)",
                ));
            }
            return Ok(Target::LabelRev {
                label: label.to_string(),
                rev: rest.to_string(),
            });
        }
        if s.starts_with(['+', '-']) {
            return parse_delta(s).map(Target::Relative).map_err(bad);
        }
        if let Some(at) = s.find(['+', '-']) {
            let (rev, delta) = s.split_at(at);
            if is_keyword(rev) {
                return Err(bad(
                    "steps from `head`, `heads` or `base` are not supported; use `+N`/`-N` \
                     relative to the current revision, or REV+N/REV-N",
                ));
            }
            if !is_rev(rev) {
                return Err(bad(
                    "a revision id has only letters, digits and `_` before its `+N`/`-N`",
                ));
            }
            let delta = parse_delta(delta).map_err(bad)?;
            return Ok(Target::RevRelative {
                rev: rev.to_string(),
                delta,
            });
        }
        if !is_rev(s) {
            return Err(bad("a revision id has only letters, digits and `_`"));
        }
        Ok(Target::Rev(s.to_string()))
    }
}

/// Prints the canonical spelling, which parses back to the same target, so messages can
/// quote a target the user can paste.
impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Head => f.write_str("head"),
            Target::Heads => f.write_str("heads"),
            Target::Base => f.write_str("base"),
            Target::Rev(rev) => f.write_str(rev),
            Target::Relative(delta) => write!(f, "{delta:+}"),
            Target::RevRelative { rev, delta } => write!(f, "{rev}{delta:+}"),
            Target::LabelHead(label) => write!(f, "{label}@head"),
            Target::LabelRev { label, rev } => write!(f, "{label}@{rev}"),
            Target::LabelBase(label) => write!(f, "{label}@base"),
        }
    }
}

/// Splits `FROM:TO` (offline SQL generation, `history -r`); an empty side means "open",
/// which the caller interprets (e.g. from the current revision, or up to the end).
pub fn parse_range(s: &str) -> Result<(Option<Target>, Option<Target>), GraphError> {
    let bad = |reason: &str| GraphError::BadTarget {
        given: s.to_string(),
        reason: reason.to_string(),
    };
    let Some((from, to)) = s.split_once(':') else {
        return Err(bad("a range is FROM:TO (either side may be empty)"));
    };
    if to.contains(':') {
        return Err(bad("a range has exactly one `:`"));
    }
    let side = |part: &str| -> Result<Option<Target>, GraphError> {
        if part.is_empty() {
            Ok(None)
        } else {
            part.parse().map(Some)
        }
    };
    Ok((side(from)?, side(to)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Target {
        match s.parse() {
            Ok(t) => t,
            Err(e) => panic!("{s:?}: {e}"),
        }
    }

    fn reason(s: &str) -> String {
        match s.parse::<Target>() {
            Ok(t) => panic!("{s:?} parsed as {t:?}"),
            Err(GraphError::BadTarget { given, reason }) => {
                assert_eq!(given, s);
                reason
            }
            Err(e) => panic!("{s:?}: unexpected {e:?}"),
        }
    }

    #[test]
    fn parses_every_kind() {
        let rev = |r: &str| Target::Rev(r.to_string());
        let cases = [
            ("head", Target::Head),
            ("heads", Target::Heads),
            ("base", Target::Base),
            ("+2", Target::Relative(2)),
            ("-1", Target::Relative(-1)),
            ("+007", Target::Relative(7)),
            ("ab12", rev("ab12")),
            ("0123456789ab", rev("0123456789ab")),
            ("Other_Tool_Id9", rev("Other_Tool_Id9")),
            ("hea", rev("hea")),
            ("headx", rev("headx")),
            (
                "ab12+3",
                Target::RevRelative {
                    rev: "ab12".into(),
                    delta: 3,
                },
            ),
            (
                "ab12-1",
                Target::RevRelative {
                    rev: "ab12".into(),
                    delta: -1,
                },
            ),
            ("feat@head", Target::LabelHead("feat".into())),
            ("feat@base", Target::LabelBase("feat".into())),
            ("my-feat_2@head", Target::LabelHead("my-feat_2".into())),
            ("_x@head", Target::LabelHead("_x".into())),
            (
                "feat@ab12",
                Target::LabelRev {
                    label: "feat".into(),
                    rev: "ab12".into(),
                },
            ),
            (
                "a-1@ab12",
                Target::LabelRev {
                    label: "a-1".into(),
                    rev: "ab12".into(),
                },
            ),
            ("+9223372036854775807", Target::Relative(i64::MAX)),
            ("-9223372036854775808", Target::Relative(i64::MIN)),
        ];
        for (s, want) in cases {
            assert_eq!(p(s), want, "{s}");
        }
    }

    #[test]
    fn display_round_trips() {
        for s in [
            "head",
            "heads",
            "base",
            "+2",
            "-1",
            "ab12",
            "ab12+3",
            "ab12-1",
            "feat@head",
            "feat@base",
            "feat@ab12",
            "a-b@c_d",
            "-9223372036854775808",
        ] {
            let t = p(s);
            assert_eq!(t.to_string(), s);
            assert_eq!(p(&t.to_string()), t);
        }
        // Non-canonical spellings still round-trip as targets.
        assert_eq!(p("+02").to_string(), "+2");
        assert_eq!(p(&p("+02").to_string()), Target::Relative(2));
    }

    #[test]
    fn rejects() {
        let cases = [
            ("", "empty"),
            (" ", "whitespace"),
            ("head ", "whitespace"),
            ("ab 12", "whitespace"),
            ("\tab12", "whitespace"),
            ("+0", "zero"),
            ("-0", "zero"),
            ("ab12+0", "zero"),
            ("+", "must follow"),
            ("-", "must follow"),
            ("ab12+", "must follow"),
            ("ab12-", "must follow"),
            ("+x", "whole number"),
            ("+1.5", "whole number"),
            ("ab12+x", "whole number"),
            ("ab12+-1", "whole number"),
            ("ab12++1", "whole number"),
            ("+-1", "whole number"),
            ("ab12+1+2", "whole number"),
            ("+9223372036854775808", "too large"),
            ("x@", "must follow"),
            ("@head", "before `@`"),
            ("@", "before `@`"),
            ("1feat@head", "branch label starts"),
            ("fe.at@head", "branch label starts"),
            ("feat@heads", "only `head`"),
            ("feat@ab12+3", "after `@`"),
            ("feat@x@head", "after `@`"),
            ("head-1", "not supported"),
            ("heads+1", "not supported"),
            ("base+1", "not supported"),
            ("ab.12", "letters, digits"),
            ("ab:12", "letters, digits"),
            ("a.b+1", "letters, digits"),
            ("ünï", "letters, digits"),
        ];
        for (s, needle) in cases {
            let r = reason(s);
            assert!(r.contains(needle), "{s:?}: {r:?} lacks {needle:?}");
        }
    }

    #[test]
    fn ranges() {
        let ok = |s: &str| match parse_range(s) {
            Ok(r) => r,
            Err(e) => panic!("{s:?}: {e}"),
        };
        assert_eq!(
            ok("ab12:head"),
            (Some(Target::Rev("ab12".into())), Some(Target::Head))
        );
        assert_eq!(ok(":head"), (None, Some(Target::Head)));
        assert_eq!(ok("abc:"), (Some(Target::Rev("abc".into())), None));
        assert_eq!(ok(":"), (None, None));
        assert_eq!(
            ok("base:feat@head"),
            (Some(Target::Base), Some(Target::LabelHead("feat".into())))
        );
        assert_eq!(
            ok("-1:+2"),
            (Some(Target::Relative(-1)), Some(Target::Relative(2)))
        );
        for bad in ["", "head", "a:b:c", "::", "x y:head", "ab:+0", "@head:"] {
            assert!(
                matches!(parse_range(bad), Err(GraphError::BadTarget { .. })),
                "{bad:?} should be rejected"
            );
        }
        // The error names the offending side, not the whole range.
        assert_eq!(
            parse_range("ab:+0"),
            Err(GraphError::BadTarget {
                given: "+0".into(),
                reason: "a step of zero does nothing; use at least 1".into()
            })
        );
    }
}

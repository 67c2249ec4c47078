//! Revision ids and branch labels: what a header, a cache or a command line may name.

/// Revision ids: letters, digits and `_` (generated ids are 12 lowercase hex characters;
/// `--rev-id` may choose others). `+ - @ :` are excluded because targets use them.
pub fn validate_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{id}` is not a valid revision id (letters, digits and _, at most 64)"
        ))
    }
}

/// Branch labels: an identifier that can be told apart from a revision prefix in
/// `label@head`.
pub fn validate_label(label: &str) -> Result<(), String> {
    let mut chars = label.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{label}` is not a valid branch label (a letter or _, then letters, digits, _ or -)"
        ))
    }
}

/// A fresh random revision id: 12 lowercase hex characters, as Alembic writes them.
pub fn random_id() -> Result<String, std::io::Error> {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

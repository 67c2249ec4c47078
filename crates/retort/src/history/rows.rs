//! The version rows every command starts from.

use super::RowState;

/// The version table as read at start-up: the revision, checksum and state of each row, in
/// the order the database returned them, kept in one buffer. At 10,000 rows, a string per
/// field cost more than the database's own read; when, by whom and in how long a migration
/// ran is read only by the commands that show it ([`super::History::row`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionRows {
    text: String,
    /// Where each row's revision, checksum and state end in `text`; each field starts where
    /// the one before it ends.
    ends: Vec<[usize; 3]>,
    /// The database's [`crate::db::Connection::commit_counter`] taken just before the rows
    /// were read: while it has not moved, the rows are still what the table holds.
    pub as_of: Option<i64>,
}

/// One row of [`VersionRows`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionRow<'a> {
    pub revision: &'a str,
    pub checksum: &'a str,
    /// Text retort never writes (a row edited by hand) reads as applied.
    pub state: RowState,
}

impl VersionRows {
    pub fn new() -> VersionRows {
        VersionRows::default()
    }

    /// Appends a row as read; `state` is the column's text.
    pub(crate) fn push(&mut self, revision: &str, checksum: &str, state: &str) {
        let mut end = |field: &str| {
            self.text.push_str(field);
            self.text.len()
        };
        let ends = [end(revision), end(checksum), end(state)];
        self.ends.push(ends);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Row `k`, in the order read.
    pub fn get(&self, k: usize) -> Option<VersionRow<'_>> {
        (k < self.len()).then(|| self.at(k))
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = VersionRow<'_>> + '_ {
        (0..self.len()).map(|k| self.at(k))
    }

    /// Row `k < len()`.
    fn at(&self, k: usize) -> VersionRow<'_> {
        let [revision, checksum, state] = self.ends[k];
        let start = if k == 0 { 0 } else { self.ends[k - 1][2] };
        VersionRow {
            revision: &self.text[start..revision],
            checksum: &self.text[revision..checksum],
            state: RowState::parse(&self.text[checksum..state]).unwrap_or(RowState::Applied),
        }
    }

    /// The row of `revision`, if there is one.
    pub fn find(&self, revision: &str) -> Option<VersionRow<'_>> {
        self.iter().find(|r| r.revision == revision)
    }
}

impl<'a> FromIterator<VersionRow<'a>> for VersionRows {
    fn from_iter<I: IntoIterator<Item = VersionRow<'a>>>(rows: I) -> VersionRows {
        let mut all = VersionRows::new();
        for r in rows {
            all.push(r.revision, r.checksum, &r.state.to_string());
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_come_back_as_pushed_including_empty_fields() {
        let mut rows = VersionRows::new();
        assert!(rows.is_empty() && rows.get(0).is_none());
        rows.push("a1", "sum1", "applied");
        rows.push("", "", "");
        rows.push("c3", "sum3", "running:2");
        let all: Vec<_> = rows.iter().collect();
        assert_eq!(all.len(), 3);
        assert_eq!(rows.iter().len(), 3);
        for (k, row) in all.iter().enumerate() {
            assert_eq!(rows.get(k).as_ref(), Some(row));
        }
        assert_eq!(
            all[2],
            VersionRow {
                revision: "c3",
                checksum: "sum3",
                state: RowState::Running { done: 2 }
            }
        );
        assert_eq!(all[1].revision, "");
        assert_eq!(all[1].state, RowState::Applied);
        assert!(rows.get(3).is_none());
        assert_eq!(rows.find("c3").map(|r| r.checksum), Some("sum3"));
        assert_eq!(rows.find("zz"), None);
        // What is collected reads back the same (the empty state reads as applied).
        assert!(rows.iter().collect::<VersionRows>().iter().eq(rows.iter()));
    }
}

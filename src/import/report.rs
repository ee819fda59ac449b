//! What an import did, would do (`--dry-run`), or set aside and why.

use std::fmt;
use std::io::Write;

/// How many rows of each kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub users: usize,
    pub tasks: usize,
    pub conversations: usize,
    pub messages: usize,
}

impl Counts {
    pub fn user() -> Counts {
        Counts {
            users: 1,
            ..Counts::default()
        }
    }

    pub fn task() -> Counts {
        Counts {
            tasks: 1,
            ..Counts::default()
        }
    }

    pub fn conversation_with(messages: usize) -> Counts {
        Counts {
            conversations: 1,
            messages,
            ..Counts::default()
        }
    }

    pub fn message() -> Counts {
        Counts {
            messages: 1,
            ..Counts::default()
        }
    }

    pub fn add(&mut self, other: Counts) {
        self.users += other.users;
        self.tasks += other.tasks;
        self.conversations += other.conversations;
        self.messages += other.messages;
    }

    pub fn is_empty(&self) -> bool {
        *self == Counts::default()
    }
}

fn counted(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

impl Counts {
    /// The rows a user owns: "2 tasks, 1 conversation, 4 messages".
    pub fn owned(&self) -> String {
        format!(
            "{}, {}, {}",
            counted(self.tasks, "task", "tasks"),
            counted(self.conversations, "conversation", "conversations"),
            counted(self.messages, "message", "messages")
        )
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, {}",
            counted(self.users, "user", "users"),
            self.owned()
        )
    }
}

/// Something not imported: which row, why, and how many rows went with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    pub what: String,
    pub reason: String,
    pub counts: Counts,
    /// The id of the user whose row it is, when that user is in the source.
    pub owner: Option<String>,
}

impl Skip {
    pub fn row(counts: Counts, what: impl Into<String>, reason: impl Into<String>) -> Skip {
        Skip {
            what: what.into(),
            reason: reason.into(),
            counts,
            owner: None,
        }
    }

    /// A row of the source's user `owner`, set aside while the user comes.
    pub fn owned(
        owner: &str,
        counts: Counts,
        what: impl Into<String>,
        reason: impl Into<String>,
    ) -> Skip {
        Skip {
            owner: Some(owner.to_owned()),
            ..Skip::row(counts, what, reason)
        }
    }
}

/// The whole outcome, printed at the end.
#[derive(Debug, Default)]
pub struct Summary {
    pub dry_run: bool,
    /// The tables read, as `"name" (naming)`.
    pub tables: Vec<String>,
    /// The tables looked for and not found.
    pub missing_tables: Vec<String>,
    pub imported: Counts,
    /// Users already in Tasktalk under the same id and email: imported before.
    pub already_imported: usize,
    pub skipped: Vec<Skip>,
}

impl Summary {
    pub fn skipped_counts(&self) -> Counts {
        let mut total = Counts::default();
        for skip in &self.skipped {
            total.add(skip.counts);
        }
        total
    }

    pub fn write(&self, out: &mut impl Write) -> std::io::Result<()> {
        writeln!(out, "Read {}.", self.tables.join(", "))?;
        for table in &self.missing_tables {
            writeln!(
                out,
                "No {table} table in the source: nothing of it to import."
            )?;
        }
        let verb = if self.dry_run {
            "Would import"
        } else {
            "Imported"
        };
        writeln!(out, "{verb}: {}.", self.imported)?;
        if self.already_imported > 0 {
            writeln!(
                out,
                "Already imported before, left as they are: {} user(s).",
                self.already_imported
            )?;
        }
        if !self.skipped.is_empty() {
            writeln!(out, "Skipped: {}:", self.skipped_counts())?;
            for skip in &self.skipped {
                let with = if skip.counts.users > 0 && skip.counts != Counts::user() {
                    format!(" (with {})", skip.counts.owned())
                } else {
                    String::new()
                };
                writeln!(out, "  - {}: {}{with}", skip.what, skip.reason)?;
            }
        }
        if self.imported.users == 0 && self.already_imported > 0 {
            writeln!(
                out,
                "Nothing to import: every user that can be imported was imported before."
            )?;
        }
        if self.dry_run {
            writeln!(out, "Dry run: nothing was written.")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_a_sentence() {
        let counts = Counts {
            users: 1,
            tasks: 2,
            conversations: 1,
            messages: 0,
        };
        assert_eq!(
            counts.to_string(),
            "1 user, 2 tasks, 1 conversation, 0 messages"
        );
    }

    #[test]
    fn a_skipped_user_says_what_went_with_them() {
        let summary = Summary {
            tables: vec!["\"user\"".into()],
            skipped: vec![Skip::row(
                Counts {
                    users: 1,
                    tasks: 2,
                    ..Counts::default()
                },
                "user a@example.com",
                "email already present",
            )],
            ..Summary::default()
        };
        let mut out = Vec::new();
        summary.write(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains(
                "user a@example.com: email already present (with 2 tasks, 0 conversations, 0 messages)"
            ),
            "{text}"
        );
    }
}

//! Moving in from a Better-Auth deployment (`tasktalk import better-auth`):
//! its users with their passwords (still Better-Auth's scrypt hashes, replaced
//! at each user's first sign-in), and the tasks, conversations and messages
//! its backend kept beside them.
//!
//! The source is read whole, checked row by row ([`plan`]), then written one
//! user per transaction ([`apply`]). A user already here under the same id
//! and email was imported before and is left alone, so running it again
//! imports nothing twice. Sessions are not imported: Better-Auth's cookies
//! are signed with its own secret, so everyone signs in once.

mod apply;
mod conversations;
mod plan;
mod report;
mod source;
pub mod values;

use std::collections::HashSet;
use std::io::Write;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub use report::{Counts, Skip, Summary};

use self::apply::Standing;
use self::plan::{SourceRows, UserPlan};
use self::source::{FoundTable, Source, TableSpec};
use crate::db::{DbConnection, now};

/// From this many users on, a progress bar shows how far the import is.
const PROGRESS_FROM_USERS: usize = 100;

/// Imports from the Better-Auth database at `from` into `target` (or, with
/// `dry_run`, only works out what it would import). The summary is also
/// printed to `out`.
pub fn better_auth(
    target: &mut DbConnection,
    from: &str,
    dry_run: bool,
    out: &mut impl Write,
) -> anyhow::Result<Summary> {
    let mut source = Source::open(from)?;
    let mut summary = Summary {
        dry_run,
        ..Summary::default()
    };
    let rows = read(&mut source, &mut summary)?;
    let mut plan = plan::plan(rows, now());
    summary.skipped.append(&mut plan.skipped);

    let mut imported_before = HashSet::new();
    let progress = progress_bar(plan.users.len());
    for user in &plan.users {
        progress.inc(1);
        import_user(target, user, dry_run, &mut summary, &mut imported_before)?;
    }
    progress.finish_and_clear();
    // What a user imported before left behind was reported then.
    summary.skipped.retain(|skip| {
        skip.owner
            .as_deref()
            .is_none_or(|o| !imported_before.contains(o))
    });
    summary.write(out)?;
    Ok(summary)
}

/// Imports one user whole (or, with `dry_run`, counts them) unless they are
/// here already: imported before (noted in `imported_before`) or in the
/// way of another user (skipped, with the reason).
fn import_user<'a>(
    target: &mut DbConnection,
    user: &'a UserPlan,
    dry_run: bool,
    summary: &mut Summary,
    imported_before: &mut HashSet<&'a str>,
) -> anyhow::Result<()> {
    let skip = |reason: String| Skip::row(user.counts(), format!("user {}", user.email), reason);
    match apply::standing(target, user).context("could not look up existing users")? {
        Standing::AlreadyImported => {
            summary.already_imported += 1;
            imported_before.insert(user.id.as_str());
        }
        Standing::Conflict(reason) => summary.skipped.push(skip(reason)),
        Standing::New if dry_run => summary.imported.add(user.counts()),
        Standing::New => match apply::write(target, user) {
            Ok(()) => summary.imported.add(user.counts()),
            // Taken meanwhile (by a sign-up, or a second import running).
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => summary
                .skipped
                .push(skip("its id or email was taken while importing".into())),
            Err(e) => {
                return Err(e).with_context(|| {
                    format!(
                        "could not import {} (nothing of theirs was written)",
                        user.email
                    )
                });
            }
        },
    }
    Ok(())
}

/// Finds the tables, stops if a needed column is missing, and reads the rows.
fn read(source: &mut Source, summary: &mut Summary) -> anyhow::Result<SourceRows> {
    let mut lacking = Vec::new();
    let mut find = |spec: &'static TableSpec| -> anyhow::Result<Option<Found>> {
        let Some(table) = source.find(spec)? else {
            summary.missing_tables.push(format!("\"{}\"", spec.label));
            return Ok(None);
        };
        lacking.extend(missing_columns(spec, &table));
        summary.tables.push(match table.naming() {
            Some(naming) => format!("\"{}\" ({naming})", table.name),
            None => format!("\"{}\"", table.name),
        });
        Ok(Some((spec, table)))
    };
    let users = find(&source::USERS)?;
    let others = [
        find(&source::ACCOUNTS)?,
        find(&source::TASKS)?,
        find(&source::CONVERSATIONS)?,
        find(&source::MESSAGES)?,
    ];
    let Some(users) = users else {
        bail!("the source has no Better-Auth user table (looked for \"user\" and \"users\")");
    };
    if !lacking.is_empty() {
        bail!(
            "the source lacks columns the import needs: {}",
            lacking.join(", ")
        );
    }
    let mut all = |found: Option<Found>| match found {
        Some((spec, table)) => source.rows(spec, &table),
        None => Ok(Vec::new()),
    };
    let [accounts, tasks, conversations, messages] = others;
    Ok(SourceRows {
        users: all(Some(users))?,
        accounts: all(accounts)?,
        tasks: all(tasks)?,
        conversations: all(conversations)?,
        messages: all(messages)?,
    })
}

/// A table the source has, and the spec it was found by.
type Found = (&'static TableSpec, FoundTable);

/// `table.column` (with the names looked for) for each needed column the table lacks.
fn missing_columns(spec: &TableSpec, table: &FoundTable) -> Vec<String> {
    spec.columns
        .iter()
        .zip(&table.columns)
        .filter(|(column, found)| column.needed && found.is_none())
        .map(|(column, _)| format!("{}.{}", table.name, column.names.join(" or ")))
        .collect()
}

fn progress_bar(users: usize) -> ProgressBar {
    if users < PROGRESS_FROM_USERS {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(users as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} users ({eta} left)") {
        bar.set_style(style);
    }
    bar
}

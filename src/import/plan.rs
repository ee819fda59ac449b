//! From the source's rows to what each user would bring: every row parsed
//! with the rules Tasktalk applies to what people type, grouped by owner, in
//! the source's order. A row that breaks a rule, or has no owner, is set
//! aside with the reason; a user who cannot be imported takes their rows along.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;

use super::conversations::{self, ConversationPlan};
use super::report::{Counts, Skip};
use super::source::RawRow;
use super::values;
use crate::auth::credentials::{DisplayName, Email};
use crate::auth::password::HashFormat;
use crate::db::models::account::CREDENTIAL_PROVIDER;
use crate::tasks::fields::{TaskDescription, TaskTitle};

/// A user ready to be written, with everything they own that passed.
#[derive(Debug)]
pub struct UserPlan {
    pub id: String,
    pub email: String,
    pub name: String,
    pub email_verified: bool,
    pub image: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub account: AccountPlan,
    pub tasks: Vec<TaskPlan>,
    pub conversations: Vec<ConversationPlan>,
}

impl UserPlan {
    pub fn counts(&self) -> Counts {
        user_with(&self.tasks, &self.conversations)
    }
}

/// One user with these tasks and conversations.
fn user_with(tasks: &[TaskPlan], conversations: &[ConversationPlan]) -> Counts {
    Counts {
        users: 1,
        tasks: tasks.len(),
        conversations: conversations.len(),
        messages: conversations.iter().map(|c| c.messages.len()).sum(),
    }
}

#[derive(Debug)]
pub struct AccountPlan {
    pub id: Option<String>,
    pub password: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug)]
pub struct TaskPlan {
    pub title: String,
    pub description: Option<String>,
    pub completed: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The source's rows, as read (see the column order of each spec in `source`).
#[derive(Default)]
pub struct SourceRows {
    pub users: Vec<RawRow>,
    pub accounts: Vec<RawRow>,
    pub tasks: Vec<RawRow>,
    pub conversations: Vec<RawRow>,
    pub messages: Vec<RawRow>,
}

/// Every user that can be imported, and what was set aside.
pub struct Plan {
    pub users: Vec<UserPlan>,
    pub skipped: Vec<Skip>,
}

/// Builds the plan; `now` stands in for times the source does not have.
pub fn plan(rows: SourceRows, now: NaiveDateTime) -> Plan {
    let mut skipped = Vec::new();
    let user_ids: HashSet<String> = rows
        .users
        .iter()
        .filter_map(|u| u.get(0).map(str::to_owned))
        .collect();
    let mut accounts = credentials_by_user(rows.accounts);
    let mut tasks = tasks_by_user(rows.tasks, &user_ids, now, &mut skipped);
    let mut conversations = conversations::by_user(
        rows.conversations,
        rows.messages,
        &user_ids,
        now,
        &mut skipped,
    );
    let mut emails = HashSet::new();
    let mut users = Vec::new();
    for raw in rows.users {
        let Some(id) = raw.get(0).map(str::to_owned) else {
            skipped.push(Skip::row(Counts::user(), "a user without an id", "no id"));
            continue;
        };
        let owned_tasks = tasks.remove(&id).unwrap_or_default();
        let owned_conversations = conversations.remove(&id).unwrap_or_default();
        let user = user(raw, &id, accounts.remove(&id), now).and_then(|user| {
            if emails.insert(user.email.clone()) {
                Ok(user)
            } else {
                let reason = "another user in the source has this email".to_owned();
                Err((user.email, reason))
            }
        });
        match user {
            Ok(mut user) => {
                user.tasks = owned_tasks;
                user.conversations = owned_conversations;
                users.push(user);
            }
            Err((who, reason)) => {
                let counts = user_with(&owned_tasks, &owned_conversations);
                skipped.push(Skip::row(counts, format!("user {who}"), reason));
            }
        }
    }
    Plan { users, skipped }
}

/// The user row and their password, or who they are and why they cannot come.
fn user(
    mut raw: RawRow,
    id: &str,
    account: Option<RawRow>,
    now: NaiveDateTime,
) -> Result<UserPlan, (String, String)> {
    let email_text = raw.take(1).unwrap_or_default();
    let who = if email_text.is_empty() {
        format!("with id {id}")
    } else {
        email_text.clone()
    };
    let fail = |reason: String| (who.clone(), reason);
    let email = Email::parse(&email_text).map_err(|e| fail(e.to_string()))?;
    let name = DisplayName::parse(raw.get(2), &email).map_err(|e| fail(e.to_string()))?;
    let email_verified = raw
        .get(3)
        .map(values::boolean)
        .transpose()
        .map_err(|e| fail(format!("emailVerified: {e}")))?
        .unwrap_or(false);
    let created_at = time_or(raw.get(5), now).map_err(|e| fail(format!("createdAt: {e}")))?;
    let updated_at =
        time_or(raw.get(6), created_at).map_err(|e| fail(format!("updatedAt: {e}")))?;
    let account = account_plan(account, created_at).map_err(fail)?;
    Ok(UserPlan {
        id: id.to_owned(),
        email: email.as_str().to_owned(),
        name: name.as_str().to_owned(),
        email_verified,
        image: raw.take(4).filter(|i| !i.trim().is_empty()),
        created_at,
        updated_at,
        account,
        tasks: Vec::new(),
        conversations: Vec::new(),
    })
}

fn account_plan(raw: Option<RawRow>, user_created: NaiveDateTime) -> Result<AccountPlan, String> {
    let mut raw =
        raw.ok_or("no email-and-password account (Tasktalk has no other way to sign in)")?;
    let password = raw.take(3).unwrap_or_default();
    if HashFormat::of(&password) == HashFormat::Unknown {
        return Err(
            "the password is not a hash Tasktalk can check (Better-Auth scrypt or argon2id)".into(),
        );
    }
    let created_at = time_or(raw.get(4), user_created)?;
    Ok(AccountPlan {
        id: raw.take(0),
        password,
        created_at,
        updated_at: time_or(raw.get(5), created_at)?,
    })
}

/// Each user's first email-and-password account.
fn credentials_by_user(accounts: Vec<RawRow>) -> HashMap<String, RawRow> {
    let mut by_user = HashMap::new();
    for account in accounts {
        if account.get(2) == Some(CREDENTIAL_PROVIDER)
            && let Some(user_id) = account.get(1).map(str::to_owned)
        {
            by_user.entry(user_id).or_insert(account);
        }
    }
    by_user
}

fn tasks_by_user(
    rows: Vec<RawRow>,
    user_ids: &HashSet<String>,
    now: NaiveDateTime,
    skipped: &mut Vec<Skip>,
) -> HashMap<String, Vec<TaskPlan>> {
    let mut by_user: HashMap<String, Vec<TaskPlan>> = HashMap::new();
    for raw in rows {
        let what = format!("task {}", raw.get(0).unwrap_or("without id"));
        let owner = raw.get(1).unwrap_or_default().to_owned();
        if !user_ids.contains(&owner) {
            skipped.push(Skip::row(Counts::task(), what, orphan("user", &owner)));
            continue;
        }
        match task(&raw, now) {
            Ok(task) => by_user.entry(owner).or_default().push(task),
            Err(reason) => skipped.push(Skip::owned(&owner, Counts::task(), what, reason)),
        }
    }
    by_user
}

fn task(raw: &RawRow, now: NaiveDateTime) -> Result<TaskPlan, String> {
    let text = |i: usize| raw.get(i).unwrap_or_default();
    let title = TaskTitle::parse(text(2)).map_err(|e| e.to_string())?;
    let description = TaskDescription::parse(text(3)).map_err(|e| e.to_string())?;
    let completed = raw
        .get(4)
        .map(values::boolean)
        .transpose()
        .map_err(|e| format!("completed: {e}"))?
        .unwrap_or(false);
    let created_at = time_or(raw.get(5), now).map_err(|e| format!("created_at: {e}"))?;
    Ok(TaskPlan {
        title: title.into_string(),
        description: description.into_option(),
        completed,
        created_at,
        updated_at: time_or(raw.get(6), created_at).map_err(|e| format!("updated_at: {e}"))?,
    })
}

/// The time in `text`, or `default` when there is none.
pub fn time_or(text: Option<&str>, default: NaiveDateTime) -> Result<NaiveDateTime, String> {
    text.map_or(Ok(default), values::time)
}

pub fn orphan(what: &str, id: &str) -> String {
    if id.is_empty() {
        format!("it names no {what}")
    } else {
        format!("its {what} {id} does not exist")
    }
}

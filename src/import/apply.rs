//! Writing one user's plan into Tasktalk's database, in one transaction: a
//! user is imported whole or not at all.

use diesel::Connection;

use super::conversations::ConversationPlan;
use super::plan::{TaskPlan, UserPlan};
use crate::db::DbConnection;
use crate::db::models::account::CREDENTIAL_PROVIDER;
use crate::db::models::message::ROLE_USER;
use crate::db::models::{
    Account, Conversation, ConversationInsertForm, Message, MessageInsertForm, NewAccount, NewUser,
    ReplyStatus, Task, TaskInsertForm, User,
};

/// Where a user of the source stands in Tasktalk's database.
#[derive(Debug, PartialEq, Eq)]
pub enum Standing {
    New,
    /// Same id and email: an earlier run imported them.
    AlreadyImported,
    /// Cannot be imported; why.
    Conflict(String),
}

pub fn standing(conn: &mut DbConnection, user: &UserPlan) -> diesel::QueryResult<Standing> {
    if let Some(existing) = User::find_by_id(conn, &user.id)? {
        return Ok(if existing.email == user.email {
            Standing::AlreadyImported
        } else {
            Standing::Conflict(format!(
                "its id belongs to another user here ({})",
                existing.email
            ))
        });
    }
    Ok(match User::find_by_email(conn, &user.email)? {
        Some(_) => Standing::Conflict("a user with this email already exists here".into()),
        None => Standing::New,
    })
}

/// Writes the user, their password, tasks, conversations and messages.
pub fn write(conn: &mut DbConnection, user: &UserPlan) -> diesel::QueryResult<()> {
    conn.transaction(|conn| {
        // The user's insert comes first, so on SQLite the transaction holds
        // the write lock from its first statement.
        write_user(conn, user)?;
        for task in &user.tasks {
            write_task(conn, &user.id, task)?;
        }
        for conversation in &user.conversations {
            write_conversation(conn, &user.id, conversation)?;
        }
        Ok(())
    })
}

/// The user and their password (a credential account).
fn write_user(conn: &mut DbConnection, user: &UserPlan) -> diesel::QueryResult<()> {
    User::insert(
        conn,
        &NewUser {
            id: &user.id,
            name: &user.name,
            email: &user.email,
            email_verified: user.email_verified,
            image: user.image.as_deref(),
            created_at: user.created_at,
            updated_at: user.updated_at,
        },
    )?;
    let account_id = user
        .account
        .id
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    Account::insert(
        conn,
        &NewAccount {
            id: &account_id,
            account_id: &user.id,
            provider_id: CREDENTIAL_PROVIDER,
            user_id: &user.id,
            password: Some(&user.account.password),
            created_at: user.account.created_at,
            updated_at: user.account.updated_at,
        },
    )?;
    Ok(())
}

fn write_task(conn: &mut DbConnection, user_id: &str, task: &TaskPlan) -> diesel::QueryResult<()> {
    Task::insert(
        conn,
        &TaskInsertForm {
            user_id,
            title: &task.title,
            description: task.description.as_deref(),
            completed: task.completed,
            created_at: task.created_at,
            updated_at: task.updated_at,
        },
    )?;
    Ok(())
}

/// The conversation and its messages. Each answer is linked to the question
/// before it, as the chat links its own, so no imported question looks
/// unanswered.
fn write_conversation(
    conn: &mut DbConnection,
    user_id: &str,
    conversation: &ConversationPlan,
) -> diesel::QueryResult<()> {
    let written = Conversation::insert(
        conn,
        &ConversationInsertForm {
            user_id,
            title: &conversation.title,
            created_at: conversation.created_at,
            updated_at: conversation.updated_at,
        },
    )?;
    let mut unanswered = None;
    for message in &conversation.messages {
        let is_question = message.role == ROLE_USER;
        let reply_to = if is_question { None } else { unanswered.take() };
        let written = Message::insert(
            conn,
            &MessageInsertForm {
                conversation_id: written.id,
                user_id,
                role: message.role,
                content: &message.content,
                tool_calls: None,
                created_at: message.created_at,
                reply_to,
                status: ReplyStatus::Done.as_str(),
                lease_until: None,
                run_id: None,
            },
        )?;
        if is_question {
            unanswered = Some(written.id);
        }
    }
    Ok(())
}

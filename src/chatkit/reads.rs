//! The JSON answers: threads and their items read, renamed, deleted; feedback.

use actix_web::HttpResponse;

use super::ids;
use super::items;
use super::request::{Listing, Read};
use super::wire::{Page, Thread};
use crate::chat::service::threads;
use crate::db::DbPool;
use crate::error::AppError;

/// How many items `threads.get_by_id` sends with the thread, oldest first.
const FIRST_ITEMS: Listing<ids::ItemKey> = Listing {
    limit: super::request::DEFAULT_LIMIT,
    newest_first: false,
    after: None,
};

pub async fn answer(pool: &DbPool, user_id: &str, read: Read) -> Result<HttpResponse, AppError> {
    Ok(match read {
        Read::Get { thread } => {
            let conversation = threads::conversation(pool, user_id, thread).await?;
            let items = items::page(pool, user_id, thread, FIRST_ITEMS).await?;
            HttpResponse::Ok().json(Thread::of(&conversation, items))
        }
        Read::Threads(listing) => {
            HttpResponse::Ok().json(thread_page(pool, user_id, listing).await?)
        }
        Read::Items { thread, listing } => {
            HttpResponse::Ok().json(items::page(pool, user_id, thread, listing).await?)
        }
        Read::Rename { thread, title } => {
            let renamed = threads::rename(pool, user_id, thread, title).await?;
            HttpResponse::Ok().json(Thread::of(&renamed, Page::empty()))
        }
        Read::Delete { thread } => {
            threads::delete(pool, user_id, thread).await?;
            HttpResponse::Ok().json(serde_json::json!({}))
        }
        Read::Feedback { thread, items } => {
            // Taken and not kept: nothing here learns from it. The items
            // must be of the user's thread.
            let messages = items.iter().map(|key| key.message).collect();
            threads::find_messages(pool, user_id, thread, messages).await?;
            HttpResponse::Ok().json(serde_json::json!({}))
        }
    })
}

async fn thread_page(
    pool: &DbPool,
    user_id: &str,
    listing: Listing<i64>,
) -> Result<Page<Thread>, AppError> {
    let mut found = threads::conversations_by_start(
        pool,
        user_id,
        listing.after,
        listing.newest_first,
        listing.limit + 1,
    )
    .await?;
    let has_more = found.len() as i64 > listing.limit;
    found.truncate(usize::try_from(listing.limit).unwrap_or(1));
    Ok(Page {
        after: found.last().map(|c| ids::thread(c.id)),
        data: found.iter().map(|c| Thread::of(c, Page::empty())).collect(),
        has_more,
    })
}

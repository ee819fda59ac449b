//! `/healthz` answers at once while the database is busy with other work:
//! a load balancer must not take a replica out because its check queued
//! behind the requests it serves.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::helpers::{connection, spawn_app};

#[tokio::test]
async fn healthz_does_not_queue_behind_writes_waiting_for_a_lock() {
    let app = spawn_app().await;
    let (me, _) = app.signed_in_browser("busy@example.com").await;
    let add = |client: reqwest::Client, url: String| async move {
        client
            .post(url)
            .json(&json!({"title": "Wait for the lock"}))
            .send()
            .await
            .map(|r| r.status().as_u16())
    };
    assert_eq!(add(me.clone(), app.url("/api/tasks")).await.ok(), Some(201));

    // Another client holds the task table: every database thread of the
    // app (4 in tests) ends up waiting in an insert, and more inserts queue.
    let mut lock = connection(&app.database_url);
    let sqlite = app.database_url.starts_with("sqlite");
    lock.batch_execute(if sqlite {
        "BEGIN EXCLUSIVE"
    } else {
        "BEGIN; LOCK TABLE task IN EXCLUSIVE MODE"
    })
    .unwrap();
    let finished = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..8)
        .map(|_| {
            let (done, write) = (finished.clone(), add(me.clone(), app.url("/api/tasks")));
            tokio::spawn(async move {
                let status = write.await;
                done.fetch_add(1, Ordering::SeqCst);
                status
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let health = app
        .api_client()
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "{:?}", health.text().await);
    assert_eq!(
        finished.load(Ordering::SeqCst),
        0,
        "the check answered only after the writes ahead of it"
    );

    lock.batch_execute("COMMIT").unwrap();
    for writer in writers {
        assert_eq!(writer.await.unwrap().ok(), Some(201), "no write is lost");
    }
}

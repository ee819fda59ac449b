//! Admission: each worker lets a bounded number of requests into the
//! application at once; the rest wait at the door, holding nothing but their
//! request.
//!
//! A crowd of 10,000 keep-alive connections each with a request in flight
//! would otherwise build 10,000 middleware and handler futures, all waiting
//! for the same few database threads. More requests inside than the database
//! and the CPU can serve buys no throughput, only memory (measured with
//! `bench/crowd.sh`: a request inside costs about 9 KB more than one waiting
//! at the door).
//!
//! Waiting is not free either: a request let in later is woken and polled
//! once more, when its connection's state has left the CPU's caches. With 64
//! places a worker, 1,000 connections cost 25–50 % more CPU per request than
//! 50 did. With [`PER_WORKER`] places it stays open up to 512 requests a
//! worker (1,000 connections on two workers) and closes only for a crowd
//! whose memory it must bound: about 5 MB of requests inside, per worker.
//!
//! A request that is still inside after [`HOLD`] (a chat turn answered as a
//! whole, a slow client's body) gives its place to the next one and goes on:
//! long waits must not shut the door on quick requests. `/healthz` and
//! `/metrics` never wait at the door: a load balancer's check and a scrape
//! must not queue behind the crowd they are watching (neither queues for the
//! database either).

use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use tokio::sync::Semaphore;

/// Requests inside the application at once, per worker.
pub const PER_WORKER: usize = 512;

/// How long a request keeps its place before it lets the next one in.
pub const HOLD: Duration = Duration::from_secs(1);

/// One worker's door. Cloned into that worker's middleware; never shared
/// between workers, so admitting a request costs no atomic contention.
#[derive(Clone)]
pub struct Door {
    places: Rc<Semaphore>,
    hold: Duration,
}

impl Door {
    pub fn new(places: usize, hold: Duration) -> Self {
        Door {
            places: Rc::new(Semaphore::new(places)),
            hold,
        }
    }

    /// Middleware: waits for a place, then serves the request.
    pub fn admit<B: MessageBody + 'static>(
        &self,
        req: ServiceRequest,
        next: Next<B>,
    ) -> impl Future<Output = Result<ServiceResponse<B>, actix_web::Error>> + use<B> {
        let door = self.clone();
        let waits = !matches!(req.path(), "/healthz" | "/metrics");
        async move {
            if !waits {
                return next.call(req).await;
            }
            // The semaphore is never closed, so a place always comes.
            let place = door.places.acquire().await;
            let serve = next.call(req);
            tokio::pin!(serve);
            tokio::select! {
                res = &mut serve => return res,
                () = tokio::time::sleep(door.hold) => drop(place),
            }
            serve.await
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;
    use std::time::Duration;

    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};

    use super::Door;

    /// A handler that counts how many requests are inside at once.
    fn app_counting(
        door: Door,
        inside: Rc<Cell<usize>>,
        most: Rc<Cell<usize>>,
        work: Duration,
    ) -> App<
        impl actix_web::dev::ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
            Error = actix_web::Error,
            InitError = (),
        >,
    > {
        App::new()
            .wrap(from_fn(move |req, next| door.admit(req, next)))
            .route("/healthz", web::get().to(HttpResponse::Ok))
            .route(
                "/",
                web::get().to(move || {
                    let (inside, most) = (inside.clone(), most.clone());
                    async move {
                        inside.set(inside.get() + 1);
                        most.set(most.get().max(inside.get()));
                        tokio::time::sleep(work).await;
                        inside.set(inside.get() - 1);
                        HttpResponse::Ok().finish()
                    }
                }),
            )
    }

    #[actix_web::test]
    async fn no_more_requests_are_inside_than_the_door_has_places() {
        let (inside, most) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
        let door = Door::new(3, Duration::from_secs(60));
        let app = test::init_service(app_counting(
            door,
            inside,
            most.clone(),
            Duration::from_millis(20),
        ))
        .await;
        let calls =
            (0..12).map(|_| test::call_service(&app, test::TestRequest::get().to_request()));
        let answers = futures_util::future::join_all(calls).await;
        assert!(answers.iter().all(|r| r.status().is_success()));
        assert_eq!(most.get(), 3, "every place used, never more");
    }

    #[actix_web::test]
    async fn a_request_inside_too_long_lets_the_next_one_in() {
        let (inside, most) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
        let door = Door::new(1, Duration::from_millis(10));
        let app = test::init_service(app_counting(
            door,
            inside,
            most.clone(),
            Duration::from_millis(200),
        ))
        .await;
        let calls = (0..3).map(|_| test::call_service(&app, test::TestRequest::get().to_request()));
        let answers = futures_util::future::join_all(calls).await;
        assert!(answers.iter().all(|r| r.status().is_success()));
        assert_eq!(most.get(), 3, "slow requests do not hold the only place");
    }

    #[actix_web::test]
    async fn the_health_check_does_not_wait_at_a_full_door() {
        let (inside, most) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
        let door = Door::new(1, Duration::from_secs(60));
        let app = test::init_service(app_counting(
            door,
            inside.clone(),
            most,
            Duration::from_secs(60),
        ))
        .await;
        let slow = test::call_service(&app, test::TestRequest::get().to_request());
        let health =
            test::call_service(&app, test::TestRequest::get().uri("/healthz").to_request());
        tokio::pin!(slow);
        tokio::select! {
            biased;
            _ = &mut slow => panic!("the slow request ended first"),
            res = health => assert!(res.status().is_success()),
        }
        assert_eq!(inside.get(), 1, "while the only place is taken");
    }
}

//! The HTTP listener: hyper with the limits `axum::serve` does not set. A client gets 10 s to
//! send its request headers (slowloris connections are closed), headers are capped at 64 KiB
//! (larger ones get 431), and at most [`MAX_CONNECTIONS`] connections are open at once (more
//! are closed at accept). Shutdown stops accepting and lets requests in flight finish within
//! the grace period; for a moment first ([`LAME_DUCK`]) every HTTP/1 response says
//! `Connection: close`, so a keep-alive client that is busy learns to go away after its
//! answer instead of sending its next request into a connection that is being closed (an
//! "incomplete message" on its side). Then idle connections are closed and it returns.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;
use tracing::warn;

/// How long, at shutdown, busy keep-alive connections are told to close before idle ones
/// are closed.
pub const LAME_DUCK: Duration = Duration::from_secs(1);

/// Time a client has to send its request headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request head accepted.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// Open connections at most.
pub const MAX_CONNECTIONS: usize = 4096;

/// Serves `app` on `listener` until `shutdown`, then waits up to `grace` for open requests.
pub async fn run(listener: TcpListener, app: Router, shutdown: CancellationToken, grace: Duration) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(MAX_HEADER_BYTES);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(MAX_HEADER_BYTES as u32);
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        // Responses are written whole: no point holding their last segment back for an ACK.
        let _ = stream.set_nodelay(true);
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            warn!("{MAX_CONNECTIONS} connections open: refusing another");
            continue;
        };
        let service = TowerToHyperService::new(closing_aware(app.clone(), shutdown.clone()));
        let conn = graceful.watch(
            builder
                .serve_connection(TokioIo::new(stream), service)
                .into_owned(),
        );
        tokio::spawn(async move {
            let _ = conn.await;
            drop(slot);
        });
    }
    drop(listener);
    let started = tokio::time::Instant::now();
    // Lame duck: busy connections close after their next answer (Connection: close).
    let drained = async {
        while slots.available_permits() < MAX_CONNECTIONS {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    let _ = tokio::time::timeout(LAME_DUCK.min(grace), drained).await;
    let left = grace.saturating_sub(started.elapsed());
    if tokio::time::timeout(left, graceful.shutdown())
        .await
        .is_err()
    {
        warn!("open HTTP connections did not close within the grace period");
    }
}

/// `app` as a connection's service: once `shutdown` is cancelled, HTTP/1 responses carry
/// `Connection: close` (HTTP/2 connections get a GOAWAY from the graceful shutdown instead).
fn closing_aware(
    app: Router,
    shutdown: CancellationToken,
) -> impl tower::Service<
    Request<Incoming>,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future = impl Send,
> + Clone {
    tower::service_fn(move |req: Request<Incoming>| {
        let http1 = req.version() <= hyper::Version::HTTP_11;
        let (app, shutdown) = (app.clone(), shutdown.clone());
        async move {
            let mut response = app.oneshot(req.map(Body::new)).await?;
            if http1 && shutdown.is_cancelled() {
                response.headers_mut().insert(
                    hyper::header::CONNECTION,
                    hyper::header::HeaderValue::from_static("close"),
                );
            }
            Ok(response)
        }
    })
}

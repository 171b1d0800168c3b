//! The server itself against slow and idle clients on loopback: half-sent headers (slow loris), idle
//! kept-alive connections and stalled bodies are cut off, and more connections than the cap wait
//! instead of taking descriptors. The limits are shortened to a second so the test runs quickly; the
//! bounds below are only there so a regression fails instead of hanging.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::test_files;

const LIMITS: rally_web::ServerLimits = rally_web::ServerLimits {
    max_connections: 64,
    header_timeout: Duration::from_secs(1),
    body_idle_timeout: Duration::from_secs(1),
    body_deadline: Duration::from_secs(3),
    grace: Duration::from_secs(1),
};

/// Long enough for any limit above to pass several times over on a loaded machine.
const PATIENCE: Duration = Duration::from_secs(20);

async fn start() -> std::net::SocketAddr {
    let db = rally_store::testing::sqlite().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("addr: {e}"));
    let state = rally_web::AppState::new(db.store.clone(), test_files(), rally_web::PublicUrl::for_listener(addr));
    // The database lives as long as the server: leaked with it, for this test process.
    std::mem::forget(db);
    tokio::spawn(rally_web::serve_with(listener, state, LIMITS, std::future::pending()));
    addr
}

async fn connect(addr: std::net::SocketAddr) -> TcpStream {
    TcpStream::connect(addr).await.unwrap_or_else(|e| panic!("connect: {e}"))
}

/// Reads until the server closes the connection; what it sent before (a 408, or nothing).
async fn until_closed(stream: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let read = tokio::time::timeout(PATIENCE, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server kept the connection open; it had sent {:?}", String::from_utf8_lossy(&got));
    String::from_utf8_lossy(&got).into_owned()
}

async fn healthz(addr: std::net::SocketAddr) -> reqwest::StatusCode {
    let http = reqwest::Client::builder().timeout(PATIENCE).build().unwrap_or_else(|e| panic!("{e}"));
    let r = http.get(format!("http://{addr}/healthz")).send().await.unwrap_or_else(|e| panic!("healthz: {e}"));
    r.status()
}

#[tokio::test]
async fn half_sent_headers_are_cut_off_and_health_answers() {
    let addr = start().await;
    // Three times the connection cap, each sending half a request and then nothing.
    let mut slow = Vec::new();
    for _ in 0..LIMITS.max_connections * 3 {
        let mut s = connect(addr).await;
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: rally.test\r\nX-Slow: ").await.unwrap_or_else(|e| panic!("{e}"));
        slow.push(s);
    }
    // The server cuts every one of them off (those waiting past the cap once they get their turn)…
    for s in &mut slow {
        let said = until_closed(s).await;
        assert!(said.is_empty() || said.starts_with("HTTP/1.1 408"), "{said}");
    }
    // … and answers everyone else.
    assert_eq!(healthz(addr).await, reqwest::StatusCode::OK);
}

#[tokio::test]
async fn idle_kept_alive_connections_are_closed() {
    let addr = start().await;
    let mut s = connect(addr).await;
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: rally.test\r\n\r\n").await.unwrap_or_else(|e| panic!("{e}"));
    let said = until_closed(&mut s).await;
    assert!(said.starts_with("HTTP/1.1 200"), "the request is answered first: {said}");
}

#[tokio::test]
async fn stalled_bodies_are_cut_off() {
    let addr = start().await;
    // A body that stops halfway, and one that trickles a byte at a time past the deadline.
    let mut stalled = connect(addr).await;
    stalled
        .write_all(b"POST /login HTTP/1.1\r\nHost: rally.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=a")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let said = until_closed(&mut stalled).await;
    assert!(!said.starts_with("HTTP/1.1 2"), "{said}");

    let mut trickle = connect(addr).await;
    trickle
        .write_all(b"POST /login HTTP/1.1\r\nHost: rally.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let feeding = tokio::spawn(async move {
        for _ in 0..1000 {
            if trickle.write_all(b" ").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        trickle
    });
    let mut trickle = tokio::time::timeout(PATIENCE, feeding)
        .await
        .unwrap_or_else(|_| panic!("the server kept reading a body a byte every half second past its deadline"))
        .unwrap_or_else(|e| panic!("{e}"));
    let said = until_closed(&mut trickle).await;
    assert!(!said.starts_with("HTTP/1.1 2"), "{said}");
    assert_eq!(healthz(addr).await, reqwest::StatusCode::OK);
}

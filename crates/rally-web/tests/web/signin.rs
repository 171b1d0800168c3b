//! Sign-in throttling over real HTTP, behind a trusted proxy so each request can come from another
//! client address: guesses are counted before they are checked, each client and each account has a
//! gate that makes guesses wait longer and longer, and the owner's own browser gets past strangers'.

use std::sync::Arc;

use rally_domain::Email;
use rally_store::Store;
use reqwest::StatusCode;

use crate::support::{PASSWORD, test_files};

both_backends!(
    Proxied;
    guesses_are_counted_before_they_are_checked,
);

struct Proxied {
    base: String,
    store: Arc<dyn Store>,
}

/// One sign-in's answer.
struct Answer {
    status: StatusCode,
    retry_after: String,
    body: String,
}

impl Proxied {
    async fn start(store: Arc<dyn Store>) -> Proxied {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("addr: {e}"));
        let proxies = rally_web::TrustedProxies::parse(&["127.0.0.1"]).unwrap_or_else(|e| panic!("{e}"));
        let state = rally_web::AppState::new(store.clone(), test_files(), rally_web::PublicUrl::for_listener(addr))
            .with_trusted_proxies(proxies);
        tokio::spawn(rally_web::serve(listener, state, std::future::pending()));
        Proxied { base: format!("http://{addr}"), store }
    }

    /// A sign-in from `client` (through the proxy), with `cookies` as a browser would send them. The
    /// sign-in form's token is checked against its cookie only, so the test picks its own.
    async fn sign_in(&self, client: &str, cookies: &str, email: &str, password: &str) -> Answer {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let resp = http
            .post(format!("{}/login", self.base))
            .header("x-forwarded-for", client)
            .header("cookie", format!("rally_login=t; {cookies}"))
            .form(&[("csrf", "t"), ("next", "/campaigns"), ("email", email), ("password", password)])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let status = resp.status();
        let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let retry_after = header("retry-after");
        // The browser's cookie for this account, when the sign-in succeeded.
        let device = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("rally_device="))
            .and_then(|c| c.split(';').next())
            .unwrap_or_default()
            .to_owned();
        let body = if status == StatusCode::SEE_OTHER { device } else { resp.text().await.unwrap_or_default() };
        Answer { status, retry_after, body }
    }
}

async fn guesses_are_counted_before_they_are_checked(site: Proxied) {
    let email = Email::parse("ana@example.org").unwrap_or_else(|e| panic!("{e}"));
    let hash = rally_web::auth::hash_password(PASSWORD).unwrap_or_else(|e| panic!("{e}"));
    site.store.create_user(&email, "Ana", Some(&hash)).await.unwrap_or_else(|e| panic!("{e}"));
    // Ana signs in from her laptop once: it is remembered.
    let laptop = site.sign_in("192.0.2.10", "", "ana@example.org", PASSWORD).await;
    assert_eq!(laptop.status, StatusCode::SEE_OTHER);
    let laptop = laptop.body;
    assert!(laptop.starts_with("rally_device="), "{laptop}");

    // Forty wrong passwords at once from one client: exactly the five free ones are checked (401),
    // the others are told when to come back.
    let guesses = (0..40).map(|_| site.sign_in("203.0.113.1", "", "ana@example.org", "guess-guess-guess"));
    let answers = futures_util::future::join_all(guesses).await;
    let checked = answers.iter().filter(|a| a.status == StatusCode::UNAUTHORIZED).count();
    assert_eq!(checked, 5, "{:?}", answers.iter().map(|a| a.status).collect::<Vec<_>>());
    for refused in answers.iter().filter(|a| a.status != StatusCode::UNAUTHORIZED) {
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        let seconds: i64 = refused.retry_after.parse().unwrap_or_default();
        assert!((1..=60).contains(&seconds), "Retry-After {}", refused.retry_after);
        assert!(refused.body.contains("Try again in"), "{}", refused.body);
    }
    // Not even the right password goes through from that client now.
    let right = site.sign_in("203.0.113.1", "", "ana@example.org", PASSWORD).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);

    // An address without an account is gated the same way: the answers tell nobody which exist.
    for _ in 0..5 {
        let unknown = site.sign_in("203.0.113.2", "", "nobody@example.org", PASSWORD).await;
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        site.sign_in("203.0.113.2", "", "nobody@example.org", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );

    // Guesses from many clients close the account's own gate after twenty (five came from above)…
    for client in ["198.51.100.1", "198.51.100.2", "198.51.100.3"] {
        for _ in 0..5 {
            let guess = site.sign_in(client, "", "ana@example.org", "guess-guess-guess").await;
            assert_eq!(guess.status, StatusCode::UNAUTHORIZED, "{client}");
        }
    }
    let elsewhere = site.sign_in("192.0.2.99", "", "ana@example.org", PASSWORD).await;
    assert_eq!(elsewhere.status, StatusCode::TOO_MANY_REQUESTS, "the account's gate is closed");
    // … but not for Ana on her own laptop, wherever it is.
    let home = site.sign_in("192.0.2.77", &laptop, "ana@example.org", PASSWORD).await;
    assert_eq!(home.status, StatusCode::SEE_OTHER, "{}", home.body);
    // A remembered browser is Ana's only: it does not open the gate for another account.
    let other = site.sign_in("192.0.2.77", &laptop, "nobody@example.org", "guess-guess-guess").await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED);
}

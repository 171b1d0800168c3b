//! The audit log: who did what, when and from where, written inside the transaction of the change it
//! records (so a change that rolls back leaves no entry, and no change goes unrecorded).
//!
//! Where a request came from is not a parameter of every store method: the HTTP layer runs each
//! request inside [`with_origin`], and the store reads [`Origin::current`] when it writes an entry or
//! a consent record. Outside a request (the command line, the worker) the origin says so.

use std::future::Future;

/// Where the current change comes from: the client's address (as the HTTP layer worked it out through
/// trusted proxies only), its user agent, the request's id and the surface it used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub address: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    /// `web` (the team app and public pages), `api`, `cli`, `worker`; empty outside any of them.
    pub via: &'static str,
}

/// The longest user agent kept; the rest is cut (at a character boundary).
pub const MAX_USER_AGENT: usize = 256;

tokio::task_local! {
    static ORIGIN: Origin;
}

impl Origin {
    /// The origin of the task this runs in, or one saying "the command line" when none was set.
    pub fn current() -> Origin {
        ORIGIN.try_with(Clone::clone).unwrap_or(Origin { via: "cli", ..Origin::default() })
    }

    /// `agent` cut to [`MAX_USER_AGENT`] bytes.
    pub fn bounded_agent(agent: &str) -> String {
        let mut end = agent.len().min(MAX_USER_AGENT);
        while !agent.is_char_boundary(end) {
            end -= 1;
        }
        agent[..end].to_owned()
    }
}

/// Runs `f` with `origin` as the origin of every store write it makes.
pub async fn with_origin<F: Future>(origin: Origin, f: F) -> F::Output {
    ORIGIN.scope(origin, f).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_origin_is_the_scope_s_and_the_command_line_outside_one() {
        assert_eq!(Origin::current().via, "cli");
        let inside = Origin { address: Some("192.0.2.7".into()), via: "web", ..Origin::default() };
        let seen = with_origin(inside.clone(), async { Origin::current() }).await;
        assert_eq!(seen, inside);
        assert_eq!(Origin::bounded_agent(&"é".repeat(200)).len(), 256);
    }
}

//! The account page's list of signed-in browsers: two browsers of one user both listed in plain words,
//! one signing the other out (which must then sign in again), someone else's browser out of reach, and
//! the ending audited.

use rally_domain::AuditAction;
use rally_store::{Actor, AuditFilter};
use reqwest::StatusCode;
use reqwest::redirect::Policy;

use crate::support::{Browser, PASSWORD, Site, hidden};

both_backends!(Site; each_browser_is_listed_and_can_be_signed_out);

const FIREFOX_LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 \
                             (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

/// A browser that says it is `agent`, signed in as `name`.
async fn signed_in_with(site: &Site, name: &str, agent: &str) -> Browser {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .user_agent(agent)
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    let b = Browser { http, base: site.base.clone() };
    let page = b.sign_in(&format!("{name}@example.org"), PASSWORD, "/campaigns").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{name} could not sign in: {}", page.body);
    b
}

/// The handles in the page's "Sign out" forms, in the order listed.
fn handles(body: &str) -> Vec<String> {
    body.split("action=\"/account/sessions/end\"").skip(1).map(|form| hidden(form, "session")).collect()
}

async fn each_browser_is_listed_and_can_be_signed_out(site: Site) {
    site.user("ana").await;
    site.user("ben").await;
    let laptop = signed_in_with(&site, "ana", FIREFOX_LINUX).await;
    let phone = signed_in_with(&site, "ana", SAFARI_IPHONE).await;
    let ben = signed_in_with(&site, "ben", FIREFOX_LINUX).await;

    let page = laptop.get("/account").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Firefox on Linux"), "{}", page.body);
    assert!(page.body.contains("Safari on iPhone"), "{}", page.body);
    assert_eq!(page.body.matches("(this browser)").count(), 1);
    assert!(!page.body.contains("Mozilla/5.0"), "the raw user agent is not shown");
    let listed = handles(&page.body);
    assert_eq!(listed.len(), 2, "Ana's two browsers, not Ben's: {listed:?}");
    assert!(listed.iter().all(|h| h.len() == 16 && h.chars().all(|c| c.is_ascii_hexdigit())), "{listed:?}");
    // The phone's handle is the one not marked as this browser (on the laptop's page).
    let this_one = page.body.split("(this browser)").nth(1).map(handles).and_then(|h| h.first().cloned());
    let this_one = this_one.unwrap_or_else(|| panic!("no form after the mark: {}", page.body));
    let phone_handle = listed.iter().find(|h| **h != this_one).cloned().unwrap_or_default();

    // Ben cannot sign Ana's phone out, even with its handle: nothing happens to it.
    let refused = ben.submit("/account/sessions/end", &[("session", &phone_handle)]).await;
    assert_eq!((refused.status, refused.location.as_str()), (StatusCode::SEE_OTHER, "/account?done=session-gone"));
    assert_eq!(phone.get("/account").await.status, StatusCode::OK, "the phone is still signed in");
    // A form without the CSRF token is refused.
    let forged = laptop.post("/account/sessions/end", &[("session", &phone_handle)]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(phone.get("/account").await.status, StatusCode::OK);

    // The laptop signs the phone out; the laptop stays signed in, the phone must sign in again.
    let out = laptop.submit("/account/sessions/end", &[("session", &phone_handle)]).await;
    assert_eq!((out.status, out.location.as_str()), (StatusCode::SEE_OTHER, "/account?done=session"));
    let gone = phone.get("/account").await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert!(gone.location.starts_with("/login"), "{}", gone.location);
    let after = laptop.get("/account?done=session").await;
    assert_eq!(after.status, StatusCode::OK);
    assert!(after.body.contains("That browser is signed out."));
    assert!(!after.body.contains("Safari on iPhone"));
    assert_eq!(handles(&after.body), vec![this_one.clone()]);
    // Signing it out again says so, and changes nothing.
    let again = laptop.submit("/account/sessions/end", &[("session", &phone_handle)]).await;
    assert_eq!(again.location, "/account?done=session-gone");
    let empty = laptop.submit("/account/sessions/end", &[("session", "")]).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert_eq!(ben.get("/account").await.status, StatusCode::OK, "Ben is untouched");

    let filter = AuditFilter { action: Some(AuditAction::SessionEnded), ..AuditFilter::default() };
    let audited = site.store.audit_entries(Actor::System, None, &filter).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(audited.entries.len(), 1);
    assert_eq!(audited.entries[0].target.as_deref(), Some(phone_handle.as_str()));
    assert_eq!(audited.entries[0].user_agent.as_deref(), Some(FIREFOX_LINUX), "ended from the laptop");

    // Signing out this browser from the list is signing out.
    let last = laptop.submit("/account/sessions/end", &[("session", &this_one)]).await;
    assert_eq!((last.status, last.location.as_str()), (StatusCode::SEE_OTHER, "/login"));
    assert_eq!(laptop.get("/account").await.status, StatusCode::SEE_OTHER);
}

//! Two-factor sign-in from the browser: set up from the account page with the secret the page shows
//! (codes computed here as an authenticator app computes them), the sign-in's second step, recovery
//! codes used once, a code replayed, wrong codes throttled and audited, a campaign that requires it,
//! and signing out everywhere.

use chrono::Utc;
use rally_domain::totp::{Secret, step_of};
use rally_domain::{AuditAction, Role};
use rally_store::{Actor, AuditFilter};
use reqwest::StatusCode;

use crate::support::{Browser, PASSWORD, Site, hidden};

both_backends!(
    Site;
    a_second_factor_is_set_up_and_asked_for_at_sign_in,
    wrong_codes_are_throttled_and_audited,
    a_campaign_can_require_it_of_its_team,
    signing_out_everywhere_ends_every_session,
);

/// The secret on the setup page, as a person would type it into their app.
fn secret_on(body: &str) -> Secret {
    let shown = body.split("id=\"secret\" class=\"secret\">").nth(1).and_then(|r| r.split('<').next());
    Secret::parse(shown.unwrap_or_else(|| panic!("no secret on the page: {body}"))).unwrap_or_else(|e| panic!("{e}"))
}

/// The recovery codes on the page that shows them once.
fn recovery_codes_on(body: &str) -> Vec<String> {
    body.split("<li><code>").skip(1).filter_map(|r| r.split('<').next()).map(str::to_owned).collect()
}

/// The code for the current time step plus `ahead` (an app's code, a step or so early). Steps ahead
/// of the last one used keep each sign-in's code new without waiting 30 seconds.
fn code(secret: &Secret, ahead: u64) -> String {
    secret.code_at_step(step_of(Utc::now().timestamp()) + ahead)
}

/// A six-digit code that is none of the codes near now: surely wrong.
fn wrong_code(secret: &Secret) -> String {
    let now = step_of(Utc::now().timestamp());
    let near: Vec<String> = (now - 3..=now + 3).map(|s| secret.code_at_step(s)).collect();
    (0..).map(|n| format!("{n:06}")).find(|c| !near.contains(c)).unwrap_or_default()
}

/// Sets up two-factor sign-in from the account page: the secret and the ten recovery codes.
async fn set_up(b: &Browser) -> (Secret, Vec<String>) {
    let account = b.get("/account").await;
    assert!(account.body.contains("Set up two-factor sign-in"), "{}", account.body);
    let begun = b.submit("/account/second-factor", &[]).await;
    assert_eq!((begun.status, begun.location.as_str()), (StatusCode::SEE_OTHER, "/account/second-factor"));
    let page = b.get("/account/second-factor").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<svg") && page.body.contains("QR code"), "{}", page.body);
    let secret = secret_on(&page.body);
    let wrong = b.submit("/account/second-factor/confirm", &[("code", &wrong_code(&secret))]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("That code is not right"), "{}", wrong.body);
    assert_eq!(secret_on(&wrong.body), secret, "the same secret stays on the page");
    let shown = b.submit("/account/second-factor/confirm", &[("code", &code(&secret, 0))]).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    let codes = recovery_codes_on(&shown.body);
    assert_eq!(codes.len(), 10, "{}", shown.body);
    (secret, codes)
}

/// Signs out (the session's form token with it).
async fn sign_out(b: &Browser) {
    let out = b.submit("/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
}

/// The password step: a right password sends a user with a second factor to the second step.
async fn password(b: &Browser, name: &str) {
    let page = b.sign_in(&format!("{name}@example.org"), PASSWORD, "/campaigns").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location, "/login/second-factor?next=%2Fcampaigns");
}

/// The second step with `typed`.
async fn second_step(b: &Browser, typed: &str) -> crate::support::Page {
    let form = b.get("/login/second-factor").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.location);
    let token = hidden(&form.body, "csrf");
    b.post("/login/second-factor", &[("csrf", &token), ("next", "/campaigns"), ("code", typed)]).await
}

async fn a_second_factor_is_set_up_and_asked_for_at_sign_in(site: Site) {
    let ana = site.user("ana").await;
    let b = site.signed_in("ana").await;
    let (secret, codes) = set_up(&b).await;
    assert!(b.get("/account").await.body.contains("On since"));
    let on = site.store.second_factor(ana).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(on.map(|f| f.recovery_codes_left), Some(10));
    sign_out(&b).await;

    // The right password (from a browser Rally remembers) is not enough: no session yet.
    password(&b, "ana").await;
    let account = b.get("/account").await;
    assert_eq!(account.status, StatusCode::SEE_OTHER);
    assert!(account.location.starts_with("/login"), "{}", account.location);
    let wrong = second_step(&b, &wrong_code(&secret)).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("That code is not right"), "{}", wrong.body);
    let fresh = code(&secret, 1);
    let signed = second_step(&b, &fresh).await;
    assert_eq!((signed.status, signed.location.as_str()), (StatusCode::SEE_OTHER, "/campaigns"), "{}", signed.body);
    assert_eq!(b.get("/account").await.status, StatusCode::OK);
    // The pending sign-in is gone with it.
    assert_eq!(b.get("/login/second-factor").await.location, "/login");
    sign_out(&b).await;

    // The same code again, in its time step: refused.
    password(&b, "ana").await;
    let replayed = second_step(&b, &fresh).await;
    assert_eq!(replayed.status, StatusCode::UNAUTHORIZED, "a code works once");
    // A recovery code works, once, however it is typed.
    let recovered = second_step(&b, &codes[0].to_uppercase().replace('-', " ")).await;
    assert_eq!(recovered.status, StatusCode::SEE_OTHER, "{}", recovered.body);
    sign_out(&b).await;
    password(&b, "ana").await;
    assert_eq!(second_step(&b, &codes[0]).await.status, StatusCode::UNAUTHORIZED, "used already");
    assert_eq!(second_step(&b, &codes[1]).await.status, StatusCode::SEE_OTHER);
    let left = site.store.second_factor(ana).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(left.map(|f| f.recovery_codes_left), Some(8));
    let used = site
        .store
        .audit_entries(
            Actor::System,
            None,
            &AuditFilter { action: Some(AuditAction::RecoveryCodeUsed), user: Some(ana), ..AuditFilter::default() },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(used.entries.len(), 2);

    // No pending sign-in, no second step: back to the password.
    let stranger = site.browser();
    assert_eq!(stranger.get("/login/second-factor").await.location, "/login");
    let posted = stranger.post("/login/second-factor", &[("csrf", "t"), ("code", &fresh)]).await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN, "a form without its page's token");

    // New recovery codes need a code or the password; the old ones stop working.
    let refused = b.submit("/account/second-factor/recovery-codes", &[("password", "not the password")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let renewed = b.submit("/account/second-factor/recovery-codes", &[("password", PASSWORD)]).await;
    assert_eq!(renewed.status, StatusCode::OK);
    let new_codes = recovery_codes_on(&renewed.body);
    assert_eq!(new_codes.len(), 10);
    assert!(!new_codes.contains(&codes[2]));
    sign_out(&b).await;
    password(&b, "ana").await;
    assert_eq!(second_step(&b, &codes[2]).await.status, StatusCode::UNAUTHORIZED, "replaced");
    assert_eq!(second_step(&b, &new_codes[0]).await.status, StatusCode::SEE_OTHER);

    // Turned off with the password, the password alone signs in again.
    let off = b.submit("/account/second-factor/disable", &[("password", PASSWORD)]).await;
    assert_eq!((off.status, off.location.as_str()), (StatusCode::SEE_OTHER, "/account/second-factor?done=off"));
    assert_eq!(site.store.second_factor(ana).await.unwrap_or_else(|e| panic!("{e}")), None);
    sign_out(&b).await;
    let plain = b.sign_in("ana@example.org", PASSWORD, "/campaigns").await;
    assert_eq!((plain.status, plain.location.as_str()), (StatusCode::SEE_OTHER, "/campaigns"));
}

async fn wrong_codes_are_throttled_and_audited(site: Site) {
    let bo = site.user("bo").await;
    let b = site.signed_in("bo").await;
    let (secret, codes) = set_up(&b).await;
    sign_out(&b).await;
    password(&b, "bo").await;
    for _ in 0..5 {
        assert_eq!(second_step(&b, &wrong_code(&secret)).await.status, StatusCode::UNAUTHORIZED);
    }
    // Typed nonsense counts as a guess too.
    let sixth = second_step(&b, "letters").await;
    assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS, "{}", sixth.body);
    // Closed even to the right answer until the wait is over.
    assert_eq!(second_step(&b, &codes[0]).await.status, StatusCode::TOO_MANY_REQUESTS);
    let failed = site
        .store
        .audit_entries(
            Actor::System,
            None,
            &AuditFilter { action: Some(AuditAction::SecondFactorFailed), user: Some(bo), ..AuditFilter::default() },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(failed.entries.len(), 5, "typed nonsense never reaches the store: {failed:?}");
    assert!(failed.entries.iter().all(|e| !e.detail.to_string().contains(&secret.to_base32())));
    let enabled = site
        .store
        .audit_entries(
            Actor::System,
            None,
            &AuditFilter { action: Some(AuditAction::SecondFactorEnabled), user: Some(bo), ..AuditFilter::default() },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(enabled.entries.len(), 1);
}

async fn a_campaign_can_require_it_of_its_team(site: Site) {
    let ana = site.user("ana").await;
    let bo = site.user("bo").await;
    site.campaign(ana, &[(bo, Role::Member)]).await;
    let owner = site.signed_in("ana").await;
    let team = owner.get("/campaigns/hr/team").await;
    assert!(team.body.contains("Require two-factor sign-in of everyone"), "{}", team.body);
    // An owner without a second factor cannot require one.
    let early = owner.submit("/campaigns/hr/team/second-factor", &[("require", "1")]).await;
    assert_eq!(early.status, StatusCode::BAD_REQUEST);
    assert!(early.body.contains("Set up two-factor sign-in for yourself"), "{}", early.body);
    set_up(&owner).await;
    let on = owner.submit("/campaigns/hr/team/second-factor", &[("require", "1")]).await;
    assert_eq!((on.status, on.location.as_str()), (StatusCode::SEE_OTHER, "/campaigns/hr/team?done=second-factor-on"));
    assert!(owner.get("/campaigns/hr/team").await.body.contains("Stop requiring two-factor sign-in"));
    let changed = site
        .store
        .audit_entries(
            Actor::System,
            None,
            &AuditFilter { action: Some(AuditAction::CampaignSettingsChanged), ..AuditFilter::default() },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(changed.entries.iter().any(|e| e.detail["require_second_factor"] == true), "{changed:?}");

    // Bo signs in and is sent to set it up; the campaign's pages send him there too.
    let b = site.browser();
    let signed = b.sign_in("bo@example.org", PASSWORD, "/campaigns/hr/board").await;
    assert_eq!((signed.status, signed.location.as_str()), (StatusCode::SEE_OTHER, "/account/second-factor"));
    let setup = b.get("/account/second-factor").await;
    assert!(setup.body.contains("<strong>Sat kodiranja</strong> requires two-factor sign-in"), "{}", setup.body);
    assert!(setup.body.contains("API"), "the page says the API is not affected");
    for path in ["/campaigns/hr", "/campaigns/hr/board", "/campaigns/hr/partners"] {
        let page = b.get(path).await;
        assert_eq!(
            (page.status, page.location.as_str()),
            (StatusCode::SEE_OTHER, "/account/second-factor?campaign=hr"),
            "{path}"
        );
    }
    let posted = b.submit("/campaigns/hr/partners", &[("name", "Škola")]).await;
    assert_eq!(posted.location, "/account/second-factor?campaign=hr");
    // The campaign list and his account stay open; the API with a token is not affected.
    assert_eq!(b.get("/campaigns").await.status, StatusCode::OK);
    let (token, hash) = rally_web::auth::new_api_token();
    site.store.create_api_token(bo, &hash, "script").await.unwrap_or_else(|e| panic!("{e}"));
    let api = reqwest::Client::new()
        .get(format!("{}/api/v1/campaigns", site.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(api.status(), StatusCode::OK);

    // Set up, the campaign opens.
    set_up(&b).await;
    assert_eq!(b.get("/campaigns/hr/board").await.status, StatusCode::OK);
    // Only owners change the requirement.
    let member = b.submit("/campaigns/hr/team/second-factor", &[("require", "0")]).await;
    assert_eq!(member.status, StatusCode::FORBIDDEN);
    let off = owner.submit("/campaigns/hr/team/second-factor", &[("require", "0")]).await;
    assert_eq!(off.location, "/campaigns/hr/team?done=second-factor-off");
}

async fn signing_out_everywhere_ends_every_session(site: Site) {
    site.user("ana").await;
    let (laptop, phone) = (site.signed_in("ana").await, site.signed_in("ana").await);
    assert_eq!(phone.get("/account").await.status, StatusCode::OK);
    let out = laptop.submit("/account/sign-out-everywhere", &[]).await;
    assert_eq!((out.status, out.location.as_str()), (StatusCode::SEE_OTHER, "/login"));
    for b in [&laptop, &phone] {
        let page = b.get("/account").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert!(page.location.starts_with("/login"), "{}", page.location);
    }
    let audited = site
        .store
        .audit_entries(
            Actor::System,
            None,
            &AuditFilter { action: Some(AuditAction::SignedOutEverywhere), ..AuditFilter::default() },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(audited.entries.len(), 1);
    assert_eq!(audited.entries[0].detail["sessions"], 2);
}

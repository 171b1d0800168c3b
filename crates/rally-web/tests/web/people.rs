//! Bringing people in from the browser: forgotten passwords, invitations, owners' reset links and a
//! change of address — each link read from the e-mail the outbox holds, as its recipient would.

use chrono::{Duration, Utc};
use rally_domain::Role;
use rally_store::Delivered;
use reqwest::StatusCode;

use crate::support::{PASSWORD, Site, hidden};

both_backends!(
    Site;
    a_forgotten_password_is_reset_from_its_email,
    an_invitation_brings_a_colleague_onto_the_team,
    owners_send_reset_links_and_addresses_change_by_link,
);

/// The e-mails due now, sent: (recipient, subject, text).
async fn mailbox(site: &Site) -> Vec<(String, String, String)> {
    let now = Utc::now();
    let claimed =
        site.store.claim("test", now, now + Duration::seconds(30), 50).await.unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    for c in claimed {
        site.store.finish(c.id, "test", Delivered::Sent("250 ok".into()), now).await.unwrap_or_else(|e| panic!("{e}"));
        out.push((c.email, c.subject, c.text));
    }
    out
}

/// The path of the first link in `text` to this site.
fn link_path(site: &Site, text: &str) -> String {
    let start = text.find(&site.base).unwrap_or_else(|| panic!("no link in {text}"));
    let link = text[start..].split_whitespace().next().unwrap_or_default();
    link.trim_start_matches(&site.base).to_owned()
}

/// Opens a page without a session and posts its form with the page's own token.
async fn fill(b: &crate::support::Browser, path: &str, fields: &[(&str, &str)]) -> crate::support::Page {
    let page = b.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}");
    let csrf = hidden(&page.body, "csrf");
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    b.post(path, &form).await
}

async fn a_forgotten_password_is_reset_from_its_email(site: Site) {
    site.user("ana").await;
    let b = site.browser();
    assert!(b.get("/login").await.body.contains("href=\"/forgot\""));
    let known = fill(&b, "/forgot", &[("email", "ana@example.org")]).await;
    let unknown = fill(&b, "/forgot", &[("email", "nobody@example.org")]).await;
    assert_eq!((known.status, unknown.status), (StatusCode::OK, StatusCode::OK));
    let said = |p: &crate::support::Page| {
        p.body.split("role=\"status\">").nth(1).and_then(|s| s.split('<').next()).map(|s| s.replace("nobody", "ana"))
    };
    assert_eq!(said(&known), said(&unknown), "the same answer whether the address has an account or not");
    let bad = fill(&b, "/forgot", &[("email", "ana@@x")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Enter the e-mail address you sign in with"));

    let mail = mailbox(&site).await;
    assert_eq!(mail.len(), 1, "one link, to the account that exists: {mail:?}");
    assert_eq!((mail[0].0.as_str(), mail[0].1.as_str()), ("ana@example.org", "Set a new Rally password"));
    let path = link_path(&site, &mail[0].2);
    let done = fill(&b, &path, &[("password", "a brand new password"), ("confirm", "a brand new password")]).await;
    assert_eq!((done.status, done.location.as_str()), (StatusCode::SEE_OTHER, "/login"));
    assert_eq!(b.sign_in("ana@example.org", "a brand new password", "/campaigns").await.status, StatusCode::SEE_OTHER);

    // A fourth link for one address within the day is not sent, and the answer does not say so.
    for _ in 0..3 {
        assert_eq!(fill(&site.browser(), "/forgot", &[("email", "ana@example.org")]).await.status, StatusCode::OK);
    }
    assert_eq!(mailbox(&site).await.len(), 2, "three links in a row, then none");
}

async fn an_invitation_brings_a_colleague_onto_the_team(site: Site) {
    let ana = site.user("ana").await;
    let eva = site.user("eva").await;
    site.campaign(ana, &[]).await;
    let owner = site.signed_in("ana").await;
    let sent = owner.submit("/campaigns/hr/team", &[("email", "ivo@example.org"), ("role", "member")]).await;
    assert_eq!((sent.status, sent.location.as_str()), (StatusCode::SEE_OTHER, "/campaigns/hr/team?done=invited"));
    let team = owner.get("/campaigns/hr/team?done=invited").await;
    assert!(team.body.contains("Invitation sent"));
    assert!(team.body.contains("ivo@example.org"), "listed while pending");
    let bad = owner.submit("/campaigns/hr/team", &[("email", "ivo@@x"), ("role", "member")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("is not an e-mail address"));
    // Someone with an account joins at once, without a link.
    let added = owner.submit("/campaigns/hr/team", &[("email", "eva@example.org"), ("role", "viewer")]).await;
    assert_eq!(added.location, "/campaigns/hr/team?done=added");
    let members = site.store.team(rally_store::Actor::System, rally_domain::CampaignId(1)).await.unwrap_or_default();
    assert!(members.iter().any(|m| m.user_id == eva && m.role == Role::Viewer));

    let mail = mailbox(&site).await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].0, "ivo@example.org");
    assert!(mail[0].1.contains("invites you to Sat kodiranja"), "{}", mail[0].1);
    let first_link = link_path(&site, &mail[0].2);

    // Resent: a new link, the old one no longer works.
    let id = team
        .body
        .split("/campaigns/hr/invitations/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_owned();
    let resent = owner.submit(&format!("/campaigns/hr/invitations/{id}"), &[("action", "resend")]).await;
    assert_eq!(resent.location, "/campaigns/hr/team?done=resent");
    let mail = mailbox(&site).await;
    let link = link_path(&site, &mail[0].2);
    assert_ne!(link, first_link);
    assert_eq!(site.browser().get(&first_link).await.status, StatusCode::GONE);

    let ivo = site.browser();
    let form = ivo.get(&link).await;
    assert!(form.body.contains("Join Sat kodiranja"));
    let differ = fill(&ivo, &link, &[("name", "Ivo"), ("password", "ivo's long password"), ("confirm", "other")]).await;
    assert_eq!(differ.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(differ.body.contains("The two passwords differ"));
    let joined = fill(
        &ivo,
        &link,
        &[("name", "Ivo Ivić"), ("password", "ivo's long password"), ("confirm", "ivo's long password")],
    )
    .await;
    assert_eq!((joined.status, joined.location.as_str()), (StatusCode::SEE_OTHER, "/campaigns/hr"));
    let board = ivo.get("/campaigns/hr/board").await;
    assert_eq!(board.status, StatusCode::OK, "signed in and on the team");
    assert_eq!(site.browser().get(&link).await.status, StatusCode::GONE, "single use");
    assert!(!owner.get("/campaigns/hr/team").await.body.contains("Waiting for an answer"), "no longer pending");

    // A revoked invitation's link opens nothing.
    owner.submit("/campaigns/hr/team", &[("email", "mara@example.org"), ("role", "viewer")]).await;
    let link = link_path(&site, &mailbox(&site).await[0].2);
    let team = owner.get("/campaigns/hr/team").await;
    let id = team
        .body
        .split("/campaigns/hr/invitations/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_owned();
    let revoked = owner.submit(&format!("/campaigns/hr/invitations/{id}"), &[("action", "revoke")]).await;
    assert_eq!(revoked.location, "/campaigns/hr/team?done=revoked");
    let gone = site.browser().get(&link).await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(gone.body.contains("no longer works"));
    // Only owners invite.
    let viewer = site.signed_in("eva").await;
    let refused = viewer.submit("/campaigns/hr/team", &[("email", "zoe@example.org"), ("role", "owner")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

async fn owners_send_reset_links_and_addresses_change_by_link(site: Site) {
    let ana = site.user("ana").await;
    let eva = site.user("eva").await;
    site.campaign(ana, &[(eva, Role::Member)]).await;
    let owner = site.signed_in("ana").await;
    let sent = owner.submit(&format!("/campaigns/hr/team/{}/reset", eva.0), &[]).await;
    assert_eq!(sent.location, "/campaigns/hr/team?done=reset");
    let mail = mailbox(&site).await;
    assert_eq!(mail[0].0, "eva@example.org");
    assert!(mail[0].2.contains("ana, an owner of one of your campaigns"), "{}", mail[0].2);
    let member = site.signed_in("eva").await;
    assert_eq!(member.submit(&format!("/campaigns/hr/team/{}/reset", ana.0), &[]).await.status, StatusCode::FORBIDDEN);

    // A new address takes effect only through the link sent to it.
    let asked = member.submit("/account/email", &[("email", "eva.new@example.org")]).await;
    assert_eq!(asked.location, "/account?done=email-sent");
    let taken = member.submit("/account/email", &[("email", "ana@example.org")]).await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.body.contains("another Rally user has this address"));
    let mail = mailbox(&site).await;
    assert_eq!(mail[0].0, "eva.new@example.org");
    assert_eq!(
        site.browser().sign_in("eva.new@example.org", PASSWORD, "/campaigns").await.status,
        StatusCode::UNAUTHORIZED
    );
    let path = link_path(&site, &mail[0].2);
    let confirmed = fill(&site.browser(), &path, &[]).await;
    assert_eq!(confirmed.location, "/account?done=email");
    assert_eq!(
        site.browser().sign_in("eva.new@example.org", PASSWORD, "/campaigns").await.status,
        StatusCode::SEE_OTHER
    );
    let zone = member.submit("/account/time-zone", &[("time_zone", "Europe/Zagreb")]).await;
    assert_eq!(zone.location, "/account?done=time-zone");
    assert!(member.get("/account").await.body.contains("<option selected>Europe/Zagreb</option>"));
    assert_eq!(
        member.submit("/account/time-zone", &[("time_zone", "Nowhere/Land")]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

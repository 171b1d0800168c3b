//! Two-factor sign-in on both backends: a secret confirmed with its code, codes used once (also when
//! two sign-ins race with the same code), recovery codes used once, pending sign-ins that expire,
//! a campaign's requirement, and signing out everywhere.

use chrono::{Duration, Utc};
use futures_util::future::join_all;
use rally_domain::totp::{Secret, step_of};
use rally_domain::{AuditAction, Role};
use rally_store::{Actor, AuditFilter, Proof, SecondFactorAnswer, SecondStep, Store, StoreError};

use super::{campaign_fields, ok, user};

conformance!(
    a_secret_is_confirmed_with_its_code_and_codes_work_once,
    a_campaign_requires_it_of_its_team,
    signing_out_everywhere_forgets_every_browser,
);

fn secret() -> Secret {
    Secret::from_bytes(b"12345678901234567890")
}

async fn entries(store: &dyn Store, action: AuditAction) -> usize {
    let filter = AuditFilter { action: Some(action), limit: Some(200), ..AuditFilter::default() };
    ok(store.audit_entries(Actor::System, None, &filter).await).entries.len()
}

pub async fn a_secret_is_confirmed_with_its_code_and_codes_work_once(store: &dyn Store) {
    let ana = user(store, "Ana").await.id;
    let now = Utc::now();
    let step = step_of(now.timestamp());
    assert_eq!(ok(store.second_factor(ana).await), None);
    ok(store.begin_second_factor(ana, &Secret::from_bytes(b"an older secret, replaced")).await);
    ok(store.begin_second_factor(ana, &secret()).await);
    assert_eq!(ok(store.second_factor_setup(ana).await), Some(secret()));
    let hashes: Vec<String> = (0..10).map(|i| format!("hash-{i}")).collect();
    // A wrong code changes nothing; the right one turns it on.
    assert!(!ok(store.enable_second_factor(ana, "000000x", now, &hashes).await));
    assert!(ok(store.second_factor(ana).await).is_none());
    assert!(ok(store.enable_second_factor(ana, &secret().code_at_step(step), now, &hashes).await));
    let on = ok(store.second_factor(ana).await);
    assert_eq!(on.map(|f| f.recovery_codes_left), Some(10));
    assert_eq!(ok(store.second_factor_setup(ana).await), None, "no longer shown");
    assert!(matches!(store.begin_second_factor(ana, &secret()).await, Err(StoreError::Conflict { .. })));
    assert_eq!(entries(store, AuditAction::SecondFactorEnabled).await, 1);

    // A pending sign-in takes the next step's code once, even from two requests at the same time.
    let later = now + Duration::minutes(10);
    ok(store.begin_pending_sign_in(ana, "p1", later).await);
    ok(store.begin_pending_sign_in(ana, "p2", later).await);
    assert_eq!(ok(store.pending_sign_in("p1", now).await), Some(ana));
    assert_eq!(ok(store.pending_sign_in("p1", later + Duration::seconds(1)).await), None, "expired");
    let used = secret().code_at_step(step);
    assert_eq!(
        ok(store.second_step("p1", SecondFactorAnswer::Code(&used), now).await),
        SecondStep::Refused { user: ana },
        "the code that confirmed the setup is used"
    );
    let next = secret().code_at_step(step + 1);
    let race = join_all(["p1", "p2"].map(|p| store.second_step(p, SecondFactorAnswer::Code(&next), now))).await;
    let accepted = race.iter().filter(|r| matches!(r, Ok(SecondStep::Accepted { .. }))).count();
    assert_eq!(accepted, 1, "{race:?}");
    let left = if matches!(race[0], Ok(SecondStep::Accepted { .. })) { "p2" } else { "p1" };
    // Recovery codes: once each.
    assert_eq!(
        ok(store.second_step(left, SecondFactorAnswer::RecoveryCode("hash-3"), now).await),
        SecondStep::Accepted { user: ana, recovery_codes_left: Some(9) }
    );
    assert_eq!(ok(store.second_step(left, SecondFactorAnswer::RecoveryCode("hash-3"), now).await), SecondStep::Expired);
    ok(store.begin_pending_sign_in(ana, "p3", later).await);
    assert_eq!(
        ok(store.second_step("p3", SecondFactorAnswer::RecoveryCode("hash-3"), now).await),
        SecondStep::Refused { user: ana }
    );
    assert_eq!(ok(store.second_step("nope", SecondFactorAnswer::Code(&next), now).await), SecondStep::Expired);
    assert_eq!(entries(store, AuditAction::RecoveryCodeUsed).await, 1);
    assert_eq!(entries(store, AuditAction::SecondFactorFailed).await, 3);

    // New recovery codes and turning off take a fresh code (or the password, checked by the caller).
    let fresh = secret().code_at_step(step + 2);
    let new: Vec<String> = (0..10).map(|i| format!("new-{i}")).collect();
    assert!(!ok(store.replace_recovery_codes(ana, Proof::Code(&next), now, &new).await), "used already");
    assert!(ok(store.replace_recovery_codes(ana, Proof::Code(&fresh), now + Duration::seconds(30), &new).await));
    assert_eq!(ok(store.second_factor(ana).await).map(|f| f.recovery_codes_left), Some(10));
    assert!(ok(store.disable_second_factor(ana, Proof::Password, now).await));
    assert_eq!(ok(store.second_factor(ana).await), None);
    assert!(matches!(store.disable_second_factor(ana, Proof::Password, now).await, Err(StoreError::NotFound(_))));
    assert_eq!(entries(store, AuditAction::SecondFactorDisabled).await, 1);
    // Nothing of the secret reaches the log.
    let all =
        ok(store.audit_entries(Actor::System, None, &AuditFilter { limit: Some(200), ..AuditFilter::default() }).await);
    assert!(all.entries.iter().all(|e| !e.detail.to_string().contains(&secret().to_base32())));
}

pub async fn a_campaign_requires_it_of_its_team(store: &dyn Store) {
    let ana = user(store, "Ana").await.id;
    let bo = user(store, "Bo").await.id;
    let outsider = user(store, "Ivo").await.id;
    let c = ok(store.create_campaign(Actor::User(ana), campaign_fields("twofa")).await);
    ok(store.set_role(Actor::User(ana), c.id, bo, Role::Member).await);
    assert!(!ok(store.second_factor_required(Actor::User(bo), c.id).await));
    assert!(matches!(store.second_factor_required(Actor::User(outsider), c.id).await, Err(StoreError::NotFound(_))));
    // Only an owner with a second factor of her own may require it.
    assert!(matches!(store.require_second_factor(Actor::User(ana), c.id, true).await, Err(StoreError::Invalid(_))));
    let now = Utc::now();
    ok(store.begin_second_factor(ana, &secret()).await);
    assert!(ok(store.enable_second_factor(ana, &secret().code_at(now.timestamp()), now, &[]).await));
    assert!(matches!(store.require_second_factor(Actor::User(bo), c.id, true).await, Err(StoreError::Forbidden)));
    ok(store.require_second_factor(Actor::User(ana), c.id, true).await);
    assert!(ok(store.second_factor_required(Actor::User(bo), c.id).await));
    assert_eq!(entries(store, AuditAction::CampaignSettingsChanged).await, 1);

    assert_eq!(ok(store.second_factor_wanted_by(bo).await), vec![("twofa".to_owned(), "Campaign twofa".to_owned())]);
    assert_eq!(ok(store.second_factor_wanted_by(ana).await), vec![], "she has one");
    assert_eq!(ok(store.second_factor_wanted_by(outsider).await), vec![], "not on the team");
    let expires = now + Duration::days(1);
    ok(store.create_session(bo, "bo-session", "csrf", expires).await);
    ok(store.create_session(ana, "ana-session", "csrf", expires).await);
    assert!(ok(store.second_factor_missing("bo-session", "twofa").await));
    assert!(!ok(store.second_factor_missing("ana-session", "twofa").await));
    assert!(!ok(store.second_factor_missing("bo-session", "elsewhere").await));
    assert!(!ok(store.second_factor_missing("no-session", "twofa").await));
    ok(store.require_second_factor(Actor::User(ana), c.id, false).await);
    assert!(!ok(store.second_factor_missing("bo-session", "twofa").await));
}

pub async fn signing_out_everywhere_forgets_every_browser(store: &dyn Store) {
    let ana = user(store, "Ana").await.id;
    let bo = user(store, "Bo").await.id;
    let now = Utc::now();
    let expires = now + Duration::days(1);
    for (who, token) in [(ana, "a1"), (ana, "a2"), (bo, "b1")] {
        ok(store.create_session(who, token, "csrf", expires).await);
        ok(store.remember_device(who, &format!("device-{token}"), now).await);
    }
    ok(store.begin_pending_sign_in(ana, "pending", expires).await);
    assert_eq!(ok(store.sign_out_everywhere(ana).await), 2);
    for token in ["a1", "a2"] {
        assert!(ok(store.session(token).await).is_none());
        assert_eq!(ok(store.known_device(&format!("device-{token}"), now).await), None);
    }
    assert_eq!(ok(store.pending_sign_in("pending", now).await), None);
    assert!(ok(store.session("b1").await).is_some(), "others stay signed in");
    assert_eq!(ok(store.known_device("device-b1", now).await), Some(bo));
    assert_eq!(entries(store, AuditAction::SignedOutEverywhere).await, 1);
}

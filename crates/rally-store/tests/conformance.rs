//! The store conformance suite: every test runs on SQLite and on PostgreSQL, against real databases.

#![allow(clippy::too_many_lines, reason = "a test reads as one story, start to end")]

use chrono::{Duration, Utc};
use futures_util::future::join_all;
use rally_domain::cadence::MailKind;
use rally_domain::pipeline::StageMove;
use rally_domain::{
    CampaignDraft, CampaignFields, CampaignId, Category, ContactDraft, ContactFields, Email, PartnerDraft,
    PartnerFields, Role, Stage, Strategy, Tier, UserId,
};
use rally_store::{Actor, Delivered, MoveLoad, PartnerFilter, PartnerLoad, PartnerSort, Store, StoreError, User};

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                let db = rally_store::testing::sqlite().await;
                super::$name(&*db.store).await;
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                let Some(db) = rally_store::testing::postgres().await else { return };
                super::$name(&*db.store).await;
            })*
        }
    };
}

conformance!(
    campaigns_round_trip,
    slugs_are_unique,
    member_campaigns_join_an_umbrella,
    partners_start_as_owned_leads,
    stage_moves_are_history,
    rejected_requests_change_nothing,
    partner_list_filters_searches_and_pages,
    contact_emails_are_unique_per_campaign,
    roles_are_enforced,
    a_campaign_keeps_an_owner,
    tokens_find_their_user,
    bulk_load_keeps_history,
    deleting_cascades,
    concurrent_writers_all_land,
    sessions_expire_and_end,
    sign_in_gates_count_every_attempt,
    known_devices_are_remembered,
    reset_links_work_once,
    dashboard_tallies_cover_every_stage_and_category,
    tallies_stay_equal_to_a_recount,
    bulk_actions_are_all_or_nothing,
    sorted_pages_cover_every_partner_once,
    the_board_is_every_column_first_page,
    standard_asks_apply_to_a_segment_once,
    standard_asks_reach_only_the_partners_they_are_for,
    commitments_are_agreed_fulfilled_and_guard_closed_won,
    partner_links_are_secret_and_revocable,
    a_link_names_the_partners_language_and_whom_to_write_to,
    follow_up_tasks_and_stale_partners,
    interactions_assets_recognition_and_calendar,
    ids_from_other_campaigns_answer_as_missing_ones,
    messages_keep_their_templates_and_segments,
    the_outbox_is_claimed_once_and_survives_a_dead_worker,
    failures_retry_bounces_suppress,
    team_mail_respects_consent_and_unsubscribes,
    concurrent_workers_claim_disjoint_rows,
    a_stopping_worker_gives_back_what_it_never_sent,
    partners_can_be_held_back,
    events_register_confirm_and_moderate,
    umbrella_counts_its_members_events,
    organizer_mail_goes_through_the_outbox,
    reports_follow_the_stage_history,
    message_reports_count_each_email_once,
    the_forecast_reads_attribution_agreements_and_the_team_history,
    imports_are_batches_that_undo_exactly,
    failed_writes_leave_no_broken_connection,
    invitations_are_single_use_resent_and_revoked,
    inviting_a_user_grants_the_role,
    owners_send_members_reset_links,
    address_changes_wait_for_their_link,
    paused_messages_are_not_claimed_until_resumed,
    cancelled_messages_drop_their_waiting_mail,
    duplicate_partners_merge_into_one,
    milestones_tasks_and_assets_are_edited_and_deleted,
    campaigns_start_as_drafts_and_owners_publish_and_archive,
    partners_are_found_by_their_contacts_town_and_tags,
    a_migrated_database_is_at_the_binarys_schema,
    recipient_pages_cover_the_segment_once,
    staged_chunks_are_invisible_until_committed,
    a_discarded_batch_leaves_nothing,
    a_message_is_committed_once_and_as_it_was_rendered,
    outbox_gauges_count_every_status_and_the_longest_wait,
    the_pool_counts_connections_and_waiting_writes,
    events_store_their_activities_and_who_sent_them,
    share_codes_are_made_once_and_name_their_partner,
    activities_are_edited_by_the_team_only,
    the_catalogue_filters_counts_and_orders,
    umbrellas_offer_their_catalogue_to_members,
    submissions_wait_for_review,
    usage_and_options_come_from_the_catalogue,
    facet_counts_equal_a_recount,
);

#[path = "conformance/workflow.rs"]
mod workflow;
use workflow::*;
#[path = "conformance/comms.rs"]
mod comms;
use comms::*;
#[path = "conformance/events.rs"]
mod events;
use events::*;
#[path = "conformance/activities.rs"]
mod activities;
use activities::*;
#[path = "conformance/attribution.rs"]
mod attribution;
use attribution::*;
#[path = "conformance/imports.rs"]
mod imports;
use imports::*;
#[path = "conformance/team.rs"]
mod team;
use team::*;
#[path = "conformance/reports.rs"]
mod reports;
use reports::*;
#[path = "conformance/edits.rs"]
mod edits;
use edits::*;
#[path = "conformance/links.rs"]
mod links;
use links::*;
#[path = "conformance/staging.rs"]
mod staging;
use staging::*;
#[path = "conformance/monitoring.rs"]
mod monitoring;
use monitoring::*;

#[path = "conformance/audit.rs"]
mod audit;

#[path = "conformance/consent.rs"]
mod consent;

#[path = "conformance/privacy.rs"]
mod privacy;
#[path = "conformance/retention.rs"]
mod retention;
#[path = "conformance/second_factor.rs"]
mod second_factor;
#[path = "conformance/sessions.rs"]
mod sessions;
#[path = "conformance/tls.rs"]
mod tls;

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("unexpected error: {e}"))
}

async fn user(store: &dyn Store, name: &str) -> User {
    let email = ok(Email::parse(&format!("{}@example.org", name.to_lowercase())));
    ok(store.create_user(&email, name, None).await)
}

fn campaign_fields(slug: &str) -> CampaignFields {
    ok(CampaignDraft {
        name: Some(format!("Campaign {slug}")),
        slug: Some(slug.into()),
        country: Some("hr".into()),
        languages: Some(vec!["hr".into(), "en".into()]),
        message: Some(
            [
                ("hr".to_owned(), "Svatko može naučiti osnove programiranja.".to_owned()),
                ("en".to_owned(), "Anyone can learn the basics of coding.".to_owned()),
            ]
            .into(),
        ),
        goal_students: Some(50_000),
        target_audience: Some("primary school students".into()),
        starts_on: Some("2026-12-07".parse().unwrap_or_default()),
        ends_on: Some("2026-12-13".parse().unwrap_or_default()),
        ..Default::default()
    }
    .validate())
}

fn partner(name: &str, category: Category, reach: i64) -> PartnerFields {
    ok(PartnerDraft { name: Some(name.into()), category: Some(category), reach: Some(reach), ..Default::default() }
        .validate())
}

fn to(stage: Stage) -> StageMove {
    StageMove { stage, note: None, reason: None, confirm_unfulfilled: false }
}

async fn campaigns_round_trip(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let mut fields = campaign_fields("hr-2026");
    fields.plan.cs_in_schools = "Informatika is compulsory in grades 5 and 6.".into();
    let created = ok(store.create_campaign(Actor::User(ana.id), fields.clone()).await);
    assert_eq!(created.fields, fields);
    let read = ok(store.campaign_by_slug(Actor::User(ana.id), "hr-2026").await);
    assert_eq!(read.campaign, created);
    assert_eq!(read.role, Some(Role::Owner));

    let patch = CampaignDraft { goal_students: Some(75_000), high_reach_threshold: Some(5_000), ..Default::default() };
    let updated = ok(store.update_campaign(Actor::User(ana.id), created.id, patch).await).campaign;
    assert_eq!(updated.fields.goal_students, 75_000);
    assert_eq!(updated.fields.high_reach_threshold, 5_000);
    assert_eq!(updated.fields.message, fields.message);

    let listed = ok(store.campaigns(Actor::User(ana.id)).await);
    assert_eq!(listed.len(), 1);
    let other = user(store, "Boris").await;
    assert!(ok(store.campaigns(Actor::User(other.id)).await).is_empty());
    assert!(matches!(store.campaign(Actor::User(other.id), created.id).await, Err(StoreError::NotFound(_))));
}

async fn slugs_are_unique(store: &dyn Store) {
    ok(store.create_campaign(Actor::System, campaign_fields("same")).await);
    let err = store.create_campaign(Actor::System, campaign_fields("same")).await;
    assert!(matches!(err, Err(StoreError::Conflict { field: "slug", .. })), "{err:?}");
    let second = ok(store.create_campaign(Actor::System, campaign_fields("other")).await);
    let clash = CampaignDraft { slug: Some("same".into()), ..Default::default() };
    let err = store.update_campaign(Actor::System, second.id, clash).await;
    assert!(matches!(err, Err(StoreError::Conflict { field: "slug", .. })), "{err:?}");
}

async fn member_campaigns_join_an_umbrella(store: &dyn Store) {
    let org = user(store, "Umbrella").await;
    let local = user(store, "Local").await;
    let umbrella = ok(store.create_campaign(Actor::User(org.id), campaign_fields("eu-week")).await);
    let mut member = campaign_fields("zagreb");
    member.strategy = Strategy::Member;
    member.parent_id = Some(umbrella.id);
    // Not on the umbrella's team yet: refused, naming the field.
    let err = store.create_campaign(Actor::User(local.id), member.clone()).await;
    assert!(matches!(&err, Err(StoreError::Invalid(i)) if i.0[0].field == "parent_id"), "{err:?}");
    ok(store.set_role(Actor::User(org.id), umbrella.id, local.id, Role::Viewer).await);
    let joined = ok(store.create_campaign(Actor::User(local.id), member.clone()).await);
    assert_eq!(joined.fields.parent_id, Some(umbrella.id));
    // Bound by the umbrella's dates.
    let late = CampaignDraft { ends_on: Some("2026-12-31".parse().unwrap_or_default()), ..Default::default() };
    assert!(matches!(store.update_campaign(Actor::User(local.id), joined.id, late).await, Err(StoreError::Invalid(_))));
    // The umbrella cannot be deleted while it has members, nor become a member itself.
    assert!(matches!(store.delete_campaign(Actor::User(org.id), umbrella.id).await, Err(StoreError::Conflict { .. })));
    let to_member =
        CampaignDraft { strategy: Some(Strategy::Member), parent_id: Some(Some(joined.id)), ..Default::default() };
    assert!(store.update_campaign(Actor::User(org.id), umbrella.id, to_member).await.is_err());
}

async fn partners_start_as_owned_leads(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let c = ok(store.create_campaign(Actor::User(ana.id), campaign_fields("cc")).await);
    let p = ok(store
        .create_partner(Actor::User(ana.id), c.id, partner("Ministarstvo znanosti", Category::Authority, 400_000))
        .await);
    assert_eq!(p.stage, Stage::Lead);
    assert_eq!(p.fields.owner_id, Some(ana.id));
    assert_eq!(p.tier, Tier::High);
    assert_eq!(p.priority, rally_domain::partner::priority(p.fields.reach, Category::Authority, 0));
    let history = ok(store.stage_history(Actor::User(ana.id), p.id).await);
    assert_eq!(history.len(), 1);
    assert_eq!((history[0].from, history[0].to), (None, Stage::Lead));
    assert_eq!(history[0].actor_name.as_deref(), Some("Ana"));
    // An owner who is not on the team is refused.
    let mut stranger_owned = partner("X", Category::Media, 1);
    stranger_owned.owner_id = Some(UserId(9_999));
    let err = store.create_partner(Actor::User(ana.id), c.id, stranger_owned).await;
    assert!(matches!(&err, Err(StoreError::Invalid(i)) if i.0[0].field == "owner_id"), "{err:?}");
    // Tier follows the campaign threshold.
    let raised = CampaignDraft { high_reach_threshold: Some(1_000_000), ..Default::default() };
    ok(store.update_campaign(Actor::User(ana.id), c.id, raised).await);
    assert_eq!(ok(store.partner(Actor::User(ana.id), p.id).await).tier, Tier::Low);
}

async fn stage_moves_are_history(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let me = Actor::User(ana.id);
    let c = ok(store.create_campaign(me, campaign_fields("cc")).await);
    let p = ok(store.create_partner(me, c.id, partner("Radio Sljeme", Category::Media, 80_000)).await);
    let (moved, change) = ok(store
        .move_stage(
            me,
            p.id,
            StageMove {
                stage: Stage::Contacted,
                note: Some("call on Tuesday".into()),
                reason: None,
                confirm_unfulfilled: false,
            },
        )
        .await);
    assert_eq!(moved.stage, Stage::Contacted);
    assert_eq!(change.from, Some(Stage::Lead));
    assert_eq!(change.note, "call on Tuesday");
    let lost = StageMove {
        stage: Stage::ClosedLost,
        note: None,
        reason: Some("no airtime in December".into()),
        confirm_unfulfilled: false,
    };
    let (moved, _) = ok(store.move_stage(me, p.id, lost).await);
    assert_eq!(moved.lost_reason.as_deref(), Some("no airtime in December"));
    let (moved, reopen) = ok(store.move_stage(me, p.id, to(Stage::NegotiateAsk)).await);
    assert!(reopen.reopened);
    assert_eq!(moved.lost_reason, None);
    let history = ok(store.stage_history(me, p.id).await);
    let path: Vec<Stage> = history.iter().map(|h| h.to).collect();
    assert_eq!(path, [Stage::Lead, Stage::Contacted, Stage::ClosedLost, Stage::NegotiateAsk]);
    assert_eq!(history[2].reason.as_deref(), Some("no airtime in December"));
    let times = rally_domain::pipeline::time_in_stage(&history, Utc::now());
    assert_eq!(times.len(), 4);
}

async fn rejected_requests_change_nothing(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let me = Actor::User(ana.id);
    let c = ok(store.create_campaign(me, campaign_fields("cc")).await);
    let p = ok(store.create_partner(me, c.id, partner("CARNET", Category::SchoolNetwork, 50_000)).await);
    let err = store.move_stage(me, p.id, to(Stage::ClosedLost)).await;
    assert!(matches!(&err, Err(StoreError::Invalid(i)) if i.0[0].field == "reason"), "{err:?}");
    let bad = PartnerDraft { reach: Some(-3), ..Default::default() };
    assert!(matches!(store.update_partner(me, p.id, bad).await, Err(StoreError::Invalid(_))));
    assert_eq!(ok(store.partner(me, p.id).await), p);
    assert_eq!(ok(store.stage_history(me, p.id).await).len(), 1);
    let contact = ContactFields { ..contact("ana@carnet.hr") };
    ok(store.create_contact(me, p.id, contact.clone()).await);
    assert!(store.create_contact(me, p.id, contact).await.is_err());
    assert_eq!(ok(store.contacts(me, p.id).await).len(), 1);
}

fn contact(email: &str) -> ContactFields {
    ok(ContactDraft { name: Some("Контакт Ђорђе".into()), email: Some(email.into()), ..Default::default() }.validate())
}

async fn partner_list_filters_searches_and_pages(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let me = Actor::User(ana.id);
    let c = ok(store.create_campaign(me, campaign_fields("cc")).await);
    let names = [
        ("Hrvatski Telekom", Category::ItCompany, 900_000),
        ("Infobip", Category::ItCompany, 20_000),
        ("Ministarstvo znanosti i obrazovanja", Category::Authority, 500_000),
        ("Grad Zagreb", Category::Authority, 8_000),
        ("Udruga Informatičara Božo Težak", Category::SchoolNetwork, 3_000),
        ("CARNET", Category::SchoolNetwork, 60_000),
        ("Sveučilište u Zagrebu", Category::Nonprofit, 70_000),
        ("HRT Radio", Category::Media, 1_200_000),
        ("Школа бр. 5 Београд", Category::SchoolNetwork, 900),
    ];
    let mut ids = Vec::new();
    for (name, cat, reach) in names {
        ids.push(ok(store.create_partner(me, c.id, partner(name, cat, reach)).await).id);
    }
    ok(store.move_stage(me, ids[1], to(Stage::Contacted)).await);
    let list = |f: PartnerFilter| async move {
        ok(store.partners(me, c.id, &f).await).items.into_iter().map(|p| p.fields.name).collect::<Vec<_>>()
    };
    assert_eq!(
        list(PartnerFilter { category: Some(Category::Authority), ..Default::default() }).await,
        ["Ministarstvo znanosti i obrazovanja", "Grad Zagreb"]
    );
    assert_eq!(list(PartnerFilter { stage: Some(Stage::Contacted), ..Default::default() }).await, ["Infobip"]);
    assert_eq!(
        list(PartnerFilter { q: Some("zag".into()), ..Default::default() }).await,
        ["Grad Zagreb", "Sveučilište u Zagrebu"]
    );
    assert_eq!(list(PartnerFilter { q: Some("ZAGREB grad".into()), ..Default::default() }).await, ["Grad Zagreb"]);
    assert_eq!(
        list(PartnerFilter { q: Some("informati".into()), ..Default::default() }).await,
        ["Udruga Informatičara Božo Težak"]
    );
    assert_eq!(list(PartnerFilter { q: Some("ško".into()), ..Default::default() }).await, Vec::<String>::new());
    assert_eq!(list(PartnerFilter { q: Some("шко".into()), ..Default::default() }).await, ["Школа бр. 5 Београд"]);
    assert_eq!(
        list(PartnerFilter { q: Some("težak".into()), ..Default::default() }).await,
        ["Udruga Informatičara Božo Težak"]
    );
    assert_eq!(
        list(PartnerFilter { tier: Some(Tier::Low), category: Some(Category::SchoolNetwork), ..Default::default() })
            .await,
        ["Udruga Informatičara Božo Težak", "Школа бр. 5 Београд"]
    );
    assert_eq!(
        list(PartnerFilter { tier: Some(Tier::High), q: Some("radio".into()), ..Default::default() }).await,
        ["HRT Radio"]
    );
    // Keyset pages: 4 + 4 + 1, in id order, nothing repeated or skipped.
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = ok(store.partners(me, c.id, &PartnerFilter { limit: 4, after, ..Default::default() }).await);
        assert!(page.items.len() <= 4);
        seen.extend(page.items.iter().map(|p| p.id));
        match page.next_after {
            Some(next) => after = Some(rally_domain::PartnerId(next)),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    // Renaming re-indexes the search words.
    ok(store
        .update_partner(me, ids[1], PartnerDraft { name: Some("Infobip Pula".into()), ..Default::default() })
        .await);
    assert_eq!(list(PartnerFilter { q: Some("pula".into()), ..Default::default() }).await, ["Infobip Pula"]);
}

async fn contact_emails_are_unique_per_campaign(store: &dyn Store) {
    let c1 = ok(store.create_campaign(Actor::System, campaign_fields("one")).await);
    let c2 = ok(store.create_campaign(Actor::System, campaign_fields("two")).await);
    let p1 = ok(store.create_partner(Actor::System, c1.id, partner("A", Category::Media, 1)).await);
    let p1b = ok(store.create_partner(Actor::System, c1.id, partner("B", Category::Media, 1)).await);
    let p2 = ok(store.create_partner(Actor::System, c2.id, partner("A", Category::Media, 1)).await);
    let first = ok(store.create_contact(Actor::System, p1.id, contact("ivana@radio.hr")).await);
    assert_eq!(first.fields.name, "Контакт Ђорђе");
    let dup = store.create_contact(Actor::System, p1b.id, contact("IVANA@radio.hr")).await;
    assert!(matches!(dup, Err(StoreError::Conflict { field: "email", .. })), "{dup:?}");
    ok(store.create_contact(Actor::System, p2.id, contact("ivana@radio.hr")).await);
    let other = ok(store.create_contact(Actor::System, p1b.id, contact("marko@radio.hr")).await);
    let clash = ContactDraft { email: Some("ivana@radio.hr".into()), ..Default::default() };
    assert!(matches!(store.update_contact(Actor::System, other.id, clash).await, Err(StoreError::Conflict { .. })));
    let renamed = ok(store
        .update_contact(Actor::System, other.id, ContactDraft { role: Some("Editor".into()), ..Default::default() })
        .await);
    assert_eq!(renamed.fields.role, "Editor");
}

async fn roles_are_enforced(store: &dyn Store) {
    let owner = user(store, "Owner").await;
    let coord = user(store, "Coord").await;
    let member = user(store, "Member").await;
    let viewer = user(store, "Viewer").await;
    let outsider = user(store, "Outsider").await;
    let c = ok(store.create_campaign(Actor::User(owner.id), campaign_fields("cc")).await);
    for (u, role) in [(&coord, Role::Coordinator), (&member, Role::Member), (&viewer, Role::Viewer)] {
        ok(store.set_role(Actor::User(owner.id), c.id, u.id, role).await);
    }
    let [o, co, m, v, out] = [&owner, &coord, &member, &viewer, &outsider].map(|u| Actor::User(u.id));
    let coords = ok(store.create_partner(co, c.id, partner("Coordinator's", Category::Media, 10)).await);
    let mine = ok(store.create_partner(m, c.id, partner("Member's", Category::Media, 10)).await);
    assert_eq!(mine.fields.owner_id, Some(member.id));

    let forbidden = |r: Result<_, StoreError>| matches!(r, Err(StoreError::Forbidden));
    let hidden = |r: Result<_, StoreError>| matches!(r, Err(StoreError::NotFound(_)));
    // Viewers read and nothing more.
    assert!(store.partner(v, mine.id).await.is_ok());
    assert!(forbidden(store.create_partner(v, c.id, partner("V", Category::Media, 1)).await.map(|_| ())));
    assert!(forbidden(store.move_stage(v, mine.id, to(Stage::Contacted)).await.map(|_| ())));
    assert!(forbidden(store.update_campaign(v, c.id, CampaignDraft::default()).await.map(|_| ())));
    // Members edit their own partners only, and cannot give them away.
    assert!(store.move_stage(m, mine.id, to(Stage::Contacted)).await.is_ok());
    assert!(store.create_contact(m, mine.id, contact("a@b.hr")).await.is_ok());
    assert!(forbidden(store.move_stage(m, coords.id, to(Stage::Contacted)).await.map(|_| ())));
    assert!(forbidden(store.create_contact(m, coords.id, contact("c@b.hr")).await.map(|_| ())));
    let give = PartnerDraft { owner_id: Some(Some(coord.id)), ..Default::default() };
    assert!(forbidden(store.update_partner(m, mine.id, give.clone()).await.map(|_| ())));
    let mut for_other = partner("For coordinator", Category::Media, 1);
    for_other.owner_id = Some(coord.id);
    assert!(forbidden(store.create_partner(m, c.id, for_other).await.map(|_| ())));
    assert!(forbidden(store.delete_partner(m, mine.id).await));
    assert!(forbidden(store.update_campaign(m, c.id, CampaignDraft::default()).await.map(|_| ())));
    // Coordinators edit everything but the team.
    assert!(store.update_partner(co, mine.id, give).await.is_ok());
    assert!(
        store.update_campaign(co, c.id, CampaignDraft { goal_students: Some(9), ..Default::default() }).await.is_ok()
    );
    assert!(forbidden(store.set_role(co, c.id, viewer.id, Role::Member).await.map(|_| ())));
    assert!(forbidden(store.delete_campaign(co, c.id).await));
    // Outsiders learn nothing.
    assert!(hidden(store.partner(out, mine.id).await.map(|_| ())));
    assert!(hidden(store.partners(out, c.id, &PartnerFilter::default()).await.map(|_| ())));
    assert!(hidden(store.team(out, c.id).await.map(|_| ())));
    assert!(hidden(store.move_stage(out, mine.id, to(Stage::Lead)).await.map(|_| ())));
    // A partner named under a campaign's address: found there, "not found" under another campaign's
    // or for an outsider.
    assert_eq!(ok(store.partner_in(v, "cc", mine.id).await).id, mine.id);
    ok(store.create_campaign(o, campaign_fields("other")).await);
    assert!(hidden(store.partner_in(o, "other", mine.id).await.map(|_| ())));
    assert!(hidden(store.partner_in(o, "missing", mine.id).await.map(|_| ())));
    assert!(hidden(store.partner_in(out, "cc", mine.id).await.map(|_| ())));
    // Owners manage the team.
    assert!(store.set_role(o, c.id, viewer.id, Role::Member).await.is_ok());
    assert_eq!(ok(store.team(o, c.id).await).len(), 4);
    assert!(store.delete_partner(co, coords.id).await.is_ok());
    assert!(store.delete_campaign(o, c.id).await.is_ok());
}

async fn a_campaign_keeps_an_owner(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let ivo = user(store, "Ivo").await;
    let c = ok(store.create_campaign(Actor::User(ana.id), campaign_fields("cc")).await);
    assert!(matches!(
        store.set_role(Actor::User(ana.id), c.id, ana.id, Role::Viewer).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(store.remove_member(Actor::User(ana.id), c.id, ana.id).await, Err(StoreError::Invalid(_))));
    ok(store.set_role(Actor::User(ana.id), c.id, ivo.id, Role::Member).await);
    let p = ok(store.create_partner(Actor::User(ivo.id), c.id, partner("Ivo's", Category::Media, 1)).await);
    ok(store.set_role(Actor::User(ana.id), c.id, ivo.id, Role::Owner).await);
    ok(store.set_role(Actor::User(ana.id), c.id, ana.id, Role::Viewer).await);
    ok(store.remove_member(Actor::User(ivo.id), c.id, ana.id).await);
    assert_eq!(ok(store.team(Actor::User(ivo.id), c.id).await).len(), 1);
    ok(store.set_role(Actor::System, c.id, ana.id, Role::Member).await);
    ok(store
        .update_partner(Actor::User(ivo.id), p.id, PartnerDraft { owner_id: Some(Some(ana.id)), ..Default::default() })
        .await);
    ok(store.remove_member(Actor::User(ivo.id), c.id, ana.id).await);
    assert_eq!(ok(store.partner(Actor::User(ivo.id), p.id).await).fields.owner_id, None);
    assert!(matches!(
        store.set_role(Actor::System, c.id, UserId(424_242), Role::Member).await,
        Err(StoreError::NotFound("user"))
    ));
}

async fn tokens_find_their_user(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    ok(store.create_api_token(ana.id, "hash-of-token", "laptop").await);
    assert_eq!(ok(store.user_by_token_hash("hash-of-token").await).map(|u| u.id), Some(ana.id));
    assert_eq!(ok(store.user_by_token_hash("other").await), None);
    assert_eq!(ok(store.user_by_email(&ana.email).await), Some(ana.clone()));
    ok(store.create_api_token(ana.id, "second", "script").await);
    let tokens = ok(store.api_tokens(ana.id).await);
    assert_eq!(tokens.iter().map(|t| t.label.as_str()).collect::<Vec<_>>(), ["script", "laptop"]);
    ok(store.revoke_api_token(tokens[1].id).await);
    ok(store.revoke_api_token(tokens[1].id).await);
    assert_eq!(ok(store.user_by_token_hash("hash-of-token").await), None, "a revoked token no longer works");
    assert!(ok(store.user_by_token_hash("second").await).is_some());
    assert!(ok(store.api_tokens(ana.id).await)[1].revoked_at.is_some());
    assert!(matches!(store.revoke_api_token(424_242).await, Err(StoreError::NotFound(_))));
    let dup = store.create_user(&ana.email, "Ana again", None).await;
    assert!(matches!(dup, Err(StoreError::Conflict { field: "email", .. })));
}

async fn bulk_load_keeps_history(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let c = ok(store.create_campaign(Actor::User(ana.id), campaign_fields("cc")).await);
    // Whole microseconds: what both backends store.
    let start =
        ok(chrono::DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).ok_or("time")) - Duration::days(30);
    let mv = |to, days, reason: Option<&str>| MoveLoad {
        to,
        at: start + Duration::days(days),
        actor: Some(ana.id),
        note: String::new(),
        reason: reason.map(Into::into),
    };
    let loads = vec![
        PartnerLoad {
            fields: partner("Old lead", Category::Media, 5),
            created_at: start,
            moves: vec![],
            contacts: vec![contact("x@y.hr")],
        },
        PartnerLoad {
            fields: partner("Lost one", Category::ItCompany, 50_000),
            created_at: start,
            moves: vec![mv(Stage::Contacted, 3, None), mv(Stage::ClosedLost, 10, Some("budget"))],
            contacts: vec![],
        },
    ];
    assert_eq!(ok(store.load_partners(Actor::User(ana.id), c.id, loads).await), 2);
    let all = ok(store.partners(Actor::User(ana.id), c.id, &PartnerFilter::default()).await).items;
    assert_eq!(all[0].stage_since, start);
    assert_eq!(all[1].stage, Stage::ClosedLost);
    assert_eq!(all[1].lost_reason.as_deref(), Some("budget"));
    assert_eq!(all[1].stage_since, start + Duration::days(10));
    assert_eq!(ok(store.stage_history(Actor::User(ana.id), all[1].id).await).len(), 3);
    // A bad row rejects the whole load.
    let bad = vec![
        PartnerLoad { fields: partner("Fine", Category::Media, 5), created_at: start, moves: vec![], contacts: vec![] },
        PartnerLoad {
            fields: partner("Bad", Category::Media, 5),
            created_at: start,
            moves: vec![mv(Stage::ClosedLost, 1, None)],
            contacts: vec![],
        },
    ];
    assert!(store.load_partners(Actor::User(ana.id), c.id, bad).await.is_err());
    assert_eq!(ok(store.partners(Actor::User(ana.id), c.id, &PartnerFilter::default()).await).items.len(), 2);
}

async fn deleting_cascades(store: &dyn Store) {
    let c = ok(store.create_campaign(Actor::System, campaign_fields("cc")).await);
    let p = ok(store.create_partner(Actor::System, c.id, partner("Gone", Category::Media, 1)).await);
    let k = ok(store.create_contact(Actor::System, p.id, contact("gone@x.hr")).await);
    ok(store.delete_partner(Actor::System, p.id).await);
    assert!(matches!(store.contact(Actor::System, k.id).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.stage_history(Actor::System, p.id).await, Err(StoreError::NotFound(_))));
    ok(store.delete_campaign(Actor::System, c.id).await);
    assert!(matches!(store.campaign(Actor::System, CampaignId(c.id.0)).await, Err(StoreError::NotFound(_))));
}

/// Many writers at once: on SQLite they queue for the one write lock (IMMEDIATE transactions and the
/// busy timeout), on PostgreSQL they run side by side; either way every write lands exactly once.
async fn concurrent_writers_all_land(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let me = Actor::User(ana.id);
    let c = ok(store.create_campaign(me, campaign_fields("busy")).await);
    let p = ok(store.create_partner(me, c.id, partner("Shared", Category::Media, 1)).await);
    let creates = (0..24).map(|i| store.create_partner(me, c.id, partner(&format!("Partner {i}"), Category::Media, i)));
    let moves =
        [Stage::Contacted, Stage::NegotiateAsk, Stage::FinalizeDetails, Stage::FinalizeFulfillment].map(|stage| {
            store.update_partner(me, p.id, PartnerDraft { notes: Some(format!("{stage:?}")), ..Default::default() })
        });
    let (created, updated) = tokio::join!(join_all(creates), join_all(moves));
    assert!(created.iter().all(Result::is_ok), "{:?}", created.iter().find(|r| r.is_err()));
    assert!(updated.iter().all(Result::is_ok));
    let all = ok(store.partners(me, c.id, &PartnerFilter { limit: 100, ..Default::default() }).await).items;
    assert_eq!(all.len(), 25);
}

async fn sessions_expire_and_end(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let later = Utc::now() + Duration::hours(1);
    ok(store.create_session(ana.id, "live", "csrf-1", later).await);
    ok(store.create_session(ana.id, "old", "csrf-2", Utc::now() - Duration::seconds(1)).await);
    let s = ok(store.session("live").await).unwrap_or_else(|| panic!("live session"));
    assert_eq!((s.user.id, s.csrf_token.as_str()), (ana.id, "csrf-1"));
    assert!(ok(store.session("old").await).is_none(), "expired sessions are not sessions");
    assert!(ok(store.session("unknown").await).is_none());
    ok(store.delete_session("live").await);
    assert!(ok(store.session("live").await).is_none());
    // Signing out everywhere else keeps this browser's session and no one else's is touched.
    let ivo = user(store, "Ivo").await;
    for (who, token) in [(ana.id, "here"), (ana.id, "phone"), (ana.id, "laptop"), (ivo.id, "ivo")] {
        ok(store.create_session(who, token, "csrf", later).await);
    }
    assert_eq!(ok(store.end_other_sessions(ana.id, "here").await), 2);
    assert!(ok(store.session("here").await).is_some() && ok(store.session("ivo").await).is_some());
    assert!(ok(store.session("phone").await).is_none() && ok(store.session("laptop").await).is_none());
    // A new password ends the other sessions in the same transaction; a user who is gone is not found.
    ok(store.create_session(ana.id, "tablet", "csrf", later).await);
    ok(store.change_password(ana.id, "$argon2id$new", "here").await);
    assert!(ok(store.session("tablet").await).is_none() && ok(store.session("here").await).is_some());
    let stored = ok(store.login_lookup(&ana.email).await).and_then(|(_, hash)| hash);
    assert_eq!(stored.as_deref(), Some("$argon2id$new"));
    assert!(matches!(store.change_password(UserId(424_242), "x", "here").await, Err(StoreError::NotFound(_))));
    // A new name, trimmed and checked like a new user's.
    assert_eq!(ok(store.rename_user(ana.id, "  Ana Horvat ").await).name, "Ana Horvat");
    assert_eq!(ok(store.session("here").await).map(|s| s.user.name), Some("Ana Horvat".to_owned()));
    for bad in ["", "   ", "tab\there"] {
        assert!(matches!(store.rename_user(ana.id, bad).await, Err(StoreError::Invalid(_))), "{bad:?}");
    }
    assert!(matches!(store.rename_user(UserId(424_242), "Nobody").await, Err(StoreError::NotFound(_))));
}

/// Forty attempts at once on one gate: each is counted before the next is looked at, so exactly the
/// five free ones pass and the rest are told to wait, uncounted. Gates are independent, a correct
/// password opens one, and a closed gate among several stops the attempt in all of them.
async fn sign_in_gates_count_every_attempt(store: &dyn Store) {
    use rally_domain::throttle::Backoff;
    let now = Utc::now();
    let gate = [("client-ana", Backoff::PER_CLIENT)];
    let attempts = (0..40).map(|_| store.pass_gates(&gate, now));
    let answers: Vec<_> = futures_util::future::join_all(attempts).await.into_iter().map(ok).collect();
    assert_eq!(answers.iter().filter(|a| a.is_ok()).count(), 5, "{answers:?}");
    assert!(answers.iter().filter_map(|a| a.err()).all(|wait| wait == Duration::seconds(30)), "{answers:?}");
    // Half a minute later one more attempt passes, and the wait doubles.
    assert!(ok(store.pass_gates(&gate, now + Duration::seconds(30)).await).is_ok());
    assert_eq!(ok(store.pass_gates(&gate, now + Duration::seconds(31)).await), Err(Duration::seconds(59)));
    // Another gate is not touched; a closed one among them stops the attempt without counting it.
    let both = [("client-ivo", Backoff::PER_CLIENT), ("client-ana", Backoff::PER_CLIENT)];
    assert!(ok(store.pass_gates(&both, now + Duration::seconds(31)).await).is_err());
    for _ in 0..5 {
        assert!(ok(store.pass_gates(&[("client-ivo", Backoff::PER_CLIENT)], now).await).is_ok());
    }
    // The right password opens the gate again.
    ok(store.open_gates(&["client-ana"]).await);
    assert!(ok(store.pass_gates(&gate, now + Duration::seconds(31)).await).is_ok());
    // A day later nothing is remembered.
    let tomorrow = now + Duration::days(1) + Duration::minutes(20);
    assert!(ok(store.pass_gates(&[("client-ivo", Backoff::PER_CLIENT)], tomorrow).await).is_ok());
}

async fn known_devices_are_remembered(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let now = Utc::now();
    assert_eq!(ok(store.known_device("device", now).await), None);
    ok(store.remember_device(ana.id, "device", now).await);
    assert_eq!(ok(store.known_device("device", now).await), Some(ana.id));
    assert_eq!(ok(store.known_device("device", now + Duration::days(300)).await), Some(ana.id), "used, so kept");
    assert_eq!(ok(store.known_device("device", now + Duration::days(700)).await), None, "unused for a year");
}

async fn reset_links_work_once(store: &dyn Store) {
    let ana = ok(store.create_user(&ok(Email::parse("ana@example.org")), "Ana", Some("old-hash")).await);
    ok(store.create_session(ana.id, "session", "csrf", Utc::now() + Duration::hours(1)).await);
    let mail = rally_store::SystemMail {
        to: ana.email.clone(),
        to_name: "Ana".into(),
        subject: "Set a new password".into(),
        text: "https://rally.example/reset/…".into(),
    };
    ok(store.create_password_reset(ana.id, "reset", Utc::now() + Duration::hours(1), Some(&mail)).await);
    ok(store.create_password_reset(ana.id, "expired", Utc::now() - Duration::seconds(1), None).await);
    // The link's e-mail is system mail of no campaign, claimed at once from Rally's own sender.
    let now = Utc::now();
    let claimed = ok(store.claim("w", now, now + Duration::seconds(30), 10).await);
    assert_eq!(claimed.len(), 1, "only the e-mail that was asked for");
    assert_eq!((claimed[0].campaign_id, claimed[0].email.as_str()), (None, "ana@example.org"));
    assert_eq!((claimed[0].kind, claimed[0].subject.as_str()), (MailKind::System, "Set a new password"));
    assert!(ok(store.finish(claimed[0].id, "w", Delivered::Sent("250 ok".into()), now).await));
    assert!(matches!(store.reset_password("expired", "x").await, Err(StoreError::NotFound(_))));
    assert_eq!(ok(store.reset_password("reset", "new-hash").await).id, ana.id);
    assert!(matches!(store.reset_password("reset", "again").await, Err(StoreError::NotFound(_))), "used once");
    let (_, hash) = ok(store.login_lookup(&ana.email).await).unwrap_or_else(|| panic!("user"));
    assert_eq!(hash.as_deref(), Some("new-hash"));
    assert!(ok(store.session("session").await).is_none(), "a reset signs the user out everywhere");
}

async fn dashboard_tallies_cover_every_stage_and_category(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let me = Actor::User(ana.id);
    let c = ok(store.create_campaign(me, campaign_fields("dash")).await);
    let a = ok(store.create_partner(me, c.id, partner("A", Category::Media, 100)).await);
    ok(store.create_partner(me, c.id, partner("B", Category::Media, 50)).await);
    let old = ok(store.create_partner(me, c.id, partner("C", Category::Authority, 7)).await);
    ok(store.move_stage(me, a.id, to(Stage::Contacted)).await);
    let stages = ok(store.pipeline_tally(me, c.id).await);
    assert_eq!(stages.len(), 7);
    let lead = stages.iter().find(|t| t.key == Stage::Lead).map(|t| (t.partners, t.reach));
    assert_eq!(lead, Some((2, 57)));
    let won = stages.iter().find(|t| t.key == Stage::ClosedWon).map(|t| (t.partners, t.reach));
    assert_eq!(won, Some((0, 0)));
    let categories = ok(store.category_tally(me, c.id).await);
    assert_eq!(categories.len(), 5);
    assert_eq!(categories.iter().find(|t| t.key == Category::Media).map(|t| t.reach), Some(150));
    let stale = ok(store.stale_partners(me, c.id, 2).await);
    assert_eq!(stale.len(), 2);
    assert_ne!(stale[0].id, a.id, "the partner just moved is the freshest");
    ok(store
        .move_stage(
            me,
            old.id,
            StageMove { stage: Stage::ClosedLost, note: None, reason: Some("no".into()), confirm_unfulfilled: false },
        )
        .await);
    assert!(ok(store.stale_partners(me, c.id, 10).await).iter().all(|p| !p.stage.is_closed()));
    let outsider = user(store, "Out").await;
    assert!(matches!(store.pipeline_tally(Actor::User(outsider.id), c.id).await, Err(StoreError::NotFound(_))));
}

/// The maintained tallies against counting the partners, after every kind of change.
async fn tallies_stay_equal_to_a_recount(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let me = Actor::User(ana.id);
    let c = ok(store.create_campaign(me, campaign_fields("tally")).await);
    let check = |label: &'static str| async move {
        let all = ok(store.partners(me, c.id, &PartnerFilter { limit: 500, ..Default::default() }).await).items;
        for t in ok(store.pipeline_tally(me, c.id).await) {
            let of: Vec<_> = all.iter().filter(|p| p.stage == t.key).collect();
            assert_eq!(t.partners, of.len() as i64, "{label}: partners in {:?}", t.key);
            assert_eq!(t.reach, of.iter().map(|p| p.fields.reach.get()).sum::<i64>(), "{label}: reach in {:?}", t.key);
        }
        for t in ok(store.category_tally(me, c.id).await) {
            let of: Vec<_> = all.iter().filter(|p| p.fields.category == t.key).collect();
            assert_eq!(
                (t.partners, t.reach),
                (of.len() as i64, of.iter().map(|p| p.fields.reach.get()).sum::<i64>()),
                "{label}: {:?}",
                t.key
            );
        }
    };
    let mut ids = Vec::new();
    for (i, category) in Category::ALL.into_iter().enumerate() {
        ids.push(ok(store.create_partner(me, c.id, partner(&format!("P{i}"), category, 100 * i as i64)).await).id);
    }
    check("created").await;
    ok(store.move_stage(me, ids[0], to(Stage::Contacted)).await);
    ok(store
        .move_stage(
            me,
            ids[1],
            StageMove { stage: Stage::ClosedLost, note: None, reason: Some("no".into()), confirm_unfulfilled: false },
        )
        .await);
    ok(store.move_stage(me, ids[1], to(Stage::Contacted)).await);
    check("moved").await;
    ok(store.update_partner(me, ids[0], PartnerDraft { reach: Some(7_777), ..Default::default() }).await);
    ok(store
        .update_partner(
            me,
            ids[2],
            PartnerDraft { category: Some(Category::Media), reach: Some(5), ..Default::default() },
        )
        .await);
    ok(store
        .update_partner(me, ids[3], PartnerDraft { notes: Some("no tally change".into()), ..Default::default() })
        .await);
    check("updated").await;
    ok(store.delete_partner(me, ids[4]).await);
    check("deleted").await;
    let start = Utc::now() - Duration::days(3);
    let load = PartnerLoad {
        fields: partner("Loaded", Category::Authority, 9_000),
        created_at: start,
        moves: vec![MoveLoad {
            to: Stage::NegotiateAsk,
            at: start + Duration::days(1),
            actor: None,
            note: String::new(),
            reason: None,
        }],
        contacts: vec![],
    };
    ok(store.load_partners(me, c.id, vec![load]).await);
    check("loaded").await;
    // A rejected move leaves the tallies as they were.
    assert!(store.move_stage(me, ids[0], to(Stage::ClosedLost)).await.is_err());
    check("rejected").await;
}

async fn bulk_actions_are_all_or_nothing(store: &dyn Store) {
    let owner = user(store, "Owner").await;
    let member = user(store, "Member").await;
    let c = ok(store.create_campaign(Actor::User(owner.id), campaign_fields("bulk")).await);
    ok(store.set_role(Actor::User(owner.id), c.id, member.id, Role::Member).await);
    let (o, m) = (Actor::User(owner.id), Actor::User(member.id));
    let mine = ok(store.create_partner(m, c.id, partner("Mine", Category::Media, 1)).await).id;
    let theirs = ok(store.create_partner(o, c.id, partner("Theirs", Category::Media, 1)).await).id;
    let other = ok(store.create_campaign(o, campaign_fields("other")).await);
    let elsewhere = ok(store.create_partner(o, other.id, partner("Elsewhere", Category::Media, 1)).await).id;
    // A member may not move someone else's partner: nothing moves, not even their own.
    let err = store.bulk_move(m, c.id, &[mine, theirs], to(Stage::Contacted)).await;
    assert!(matches!(err, Err(StoreError::Forbidden)), "{err:?}");
    assert_eq!(ok(store.partner(m, mine).await).stage, Stage::Lead);
    // A partner of another campaign is not found in this one.
    assert!(matches!(
        store.bulk_move(o, c.id, &[mine, elsewhere], to(Stage::Contacted)).await,
        Err(StoreError::NotFound(_))
    ));
    // A loss needs its reason for each.
    assert!(matches!(
        store.bulk_move(o, c.id, &[mine, theirs], to(Stage::ClosedLost)).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(ok(store.bulk_move(o, c.id, &[mine, theirs], to(Stage::Contacted)).await), 2);
    assert_eq!(ok(store.bulk_move(o, c.id, &[mine, theirs], to(Stage::Contacted)).await), 0, "already there");
    assert_eq!(ok(store.stage_history(o, mine).await).len(), 2);
    // Assigning: coordinators and owners hand out partners; members cannot take or give.
    assert!(matches!(store.bulk_assign(m, c.id, &[theirs], Some(member.id)).await, Err(StoreError::Forbidden)));
    assert_eq!(ok(store.bulk_assign(o, c.id, &[mine, theirs], Some(member.id)).await), 2);
    assert_eq!(ok(store.partner(o, theirs).await).fields.owner_id, Some(member.id));
    assert!(matches!(store.bulk_assign(o, c.id, &[mine], Some(UserId(999_999))).await, Err(StoreError::Invalid(_))));
    let too_many = vec![mine; rally_store::MAX_BULK + 1];
    assert!(matches!(store.bulk_assign(o, c.id, &too_many, None).await, Err(StoreError::Invalid(_))));
}

async fn sorted_pages_cover_every_partner_once(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let me = Actor::User(ana.id);
    let c = ok(store.create_campaign(me, campaign_fields("sorted")).await);
    // Reaches with ties, so the id has to break them.
    for (i, reach) in [500, 20, 500, 7, 20, 9_000, 500, 0, 20, 7].into_iter().enumerate() {
        let names = [
            "Radio Čakovec",
            "Radio Zadar",
            "radio centar",
            "Radio Šibenik",
            "Radio Sisak",
            "Radio Вуковар",
            "Radio Zadar",
            "Radio Đakovo",
            "Radio Dubrovnik",
            "Radio Ćuprija",
        ];
        let p = ok(store.create_partner(me, c.id, partner(names[i], Category::Media, reach)).await);
        if i % 3 == 0 {
            ok(store.move_stage(me, p.id, to(Stage::Contacted)).await);
        }
    }
    for sort in PartnerSort::ALL {
        for q in [None, Some("radio")] {
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let f = PartnerFilter { sort, q: q.map(Into::into), limit: 3, after, ..Default::default() };
                let page = ok(store.partners(me, c.id, &f).await);
                seen.extend(page.items);
                match page.next_after {
                    Some(n) => after = Some(rally_domain::PartnerId(n)),
                    None => break,
                }
            }
            let mut expected = seen.clone();
            match sort {
                PartnerSort::Added => expected.sort_by_key(|p| p.id),
                PartnerSort::Name => expected.sort_by_key(|p| (rally_domain::partner::sort_key(&p.fields.name), p.id)),
                PartnerSort::Priority => expected.sort_by_key(|p| std::cmp::Reverse((p.priority, p.id))),
                PartnerSort::Reach => expected.sort_by_key(|p| std::cmp::Reverse((p.fields.reach, p.id))),
                PartnerSort::Stale => expected.sort_by_key(|p| (p.stage_since, p.id)),
            }
            assert_eq!(seen.len(), 10, "{sort:?} {q:?}");
            let ids = |v: &[rally_domain::Partner]| v.iter().map(|p| p.id).collect::<Vec<_>>();
            assert_eq!(ids(&seen), ids(&expected), "{sort:?} {q:?}");
        }
    }
}

async fn the_board_is_every_column_first_page(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let me = Actor::User(ana.id);
    let c = ok(store.create_campaign(me, campaign_fields("board")).await);
    let stages = [Stage::Lead, Stage::Contacted, Stage::ClosedLost];
    for i in 0..14 {
        let category = if i % 2 == 0 { Category::Media } else { Category::Authority };
        let p = ok(store.create_partner(me, c.id, partner(&format!("P{i}"), category, i * 1000)).await);
        match stages[i as usize % 3] {
            Stage::Lead => {}
            Stage::ClosedLost => {
                ok(store
                    .move_stage(
                        me,
                        p.id,
                        StageMove {
                            stage: Stage::ClosedLost,
                            note: None,
                            reason: Some("x".into()),
                            confirm_unfulfilled: false,
                        },
                    )
                    .await);
            }
            s => {
                ok(store.move_stage(me, p.id, to(s)).await);
            }
        }
    }
    for filter in [
        PartnerFilter { limit: 2, ..Default::default() },
        PartnerFilter { limit: 3, category: Some(Category::Media), ..Default::default() },
        PartnerFilter { limit: 10, tier: Some(Tier::Low), ..Default::default() },
    ] {
        let board = ok(store.board(me, c.id, &filter).await);
        assert_eq!(board.len(), 7);
        for (stage, page) in board {
            let one = ok(store.partners(me, c.id, &PartnerFilter { stage: Some(stage), ..filter.clone() }).await);
            let ids = |v: &[rally_domain::Partner]| v.iter().map(|p| p.id).collect::<Vec<_>>();
            assert_eq!(ids(&page.items), ids(&one.items), "{stage:?} {filter:?}");
            assert_eq!(page.next_after, one.next_after, "{stage:?} {filter:?}");
        }
    }
    let outsider = user(store, "Out").await;
    assert!(matches!(
        store.board(Actor::User(outsider.id), c.id, &PartnerFilter::default()).await,
        Err(StoreError::NotFound(_))
    ));
}

/// Several processes opening a new PostgreSQL database at once: one migrates, the others wait and
/// find the schema in place.
#[tokio::test]
async fn concurrent_opens_migrate_once() {
    let Some(url) = rally_store::testing::postgres_database().await else { return };
    let opens = (0..6).map(|_| rally_store::open(&url));
    let results = join_all(opens).await;
    assert!(results.iter().all(Result::is_ok), "{:?}", results.iter().find(|r| r.is_err()));
}

/// Both migration trees must reach the same logical schema: same tables, same columns.
#[tokio::test]
async fn both_backends_have_the_same_schema() {
    let lite = rally_store::testing::sqlite().await;
    let Some(pg) = rally_store::testing::postgres().await else { return };
    let a = ok(lite.store.schema().await);
    let b = ok(pg.store.schema().await);
    assert!(a.contains_key("partners") && a.contains_key("stage_changes"));
    assert_eq!(a, b);
    // Opening again finds the migrations applied and changes nothing.
    let again = ok(rally_store::open(&pg.url).await);
    assert_eq!(ok(again.schema().await), b);
}

#[tokio::test]
async fn unknown_database_schemes_are_refused() {
    for url in ["mysql://localhost/rally", "postgress://localhost/x", ""] {
        assert!(matches!(rally_store::open(url).await, Err(StoreError::Config(_))), "{url}");
    }
}

/// A write that fails inside its transaction (here a PostgreSQL transaction aborted by a unique
/// violation) gives its connection back clean: every later write works, on every pooled connection.
async fn failed_writes_leave_no_broken_connection(store: &dyn Store) {
    let c = ok(store.create_campaign(Actor::System, campaign_fields("aborted")).await);
    let p = ok(store.create_partner(Actor::System, c.id, partner("Radio", Category::Media, 1)).await);
    ok(store.create_contact(Actor::System, p.id, contact("ivana@radio.hr")).await);
    // More failures than the pool has connections, then as many writes that must all land.
    for _ in 0..40 {
        let again = store.create_contact(Actor::System, p.id, contact("ivana@radio.hr")).await;
        assert!(matches!(again, Err(StoreError::Conflict { .. })), "{again:?}");
    }
    for i in 0..40 {
        ok(store.create_partner(Actor::System, c.id, partner(&format!("After {i}"), Category::Media, 1)).await);
    }
}

/// A full database (SQLite's page limit standing in for a full disk): the write that hits it and every
/// write after it is refused as "storage full" (never a broken connection), reads go on, and writes work
/// again by themselves once there is space.
#[tokio::test]
async fn a_full_database_refuses_writes_reads_on_and_recovers() {
    let db = rally_store::testing::sqlite().await;
    let (store, sqlite) = (&*db.store, db.sqlite.clone().unwrap_or_else(|| panic!("a SQLite test database")));
    let c = ok(store.create_campaign(Actor::System, campaign_fields("full")).await);
    ok(sqlite.limit_pages(Some(0)).await);
    let mut notes = PartnerDraft { notes: Some("x".repeat(3000)), ..Default::default() };
    let mut full = None;
    for i in 0..500 {
        notes.name = Some(format!("Partner {i}"));
        notes.category = Some(Category::Media);
        match store.create_partner(Actor::System, c.id, ok(notes.clone().validate())).await {
            Ok(_) => {}
            Err(e) => {
                full = Some(e);
                break;
            }
        }
    }
    assert!(matches!(full, Some(StoreError::StorageFull(_))), "{full:?}");
    let before = ok(store.partners(Actor::System, c.id, &PartnerFilter::default()).await).items.len();
    for i in 0..5 {
        notes.name = Some(format!("Still full {i}"));
        let again = store.create_partner(Actor::System, c.id, ok(notes.clone().validate())).await;
        assert!(matches!(again, Err(StoreError::StorageFull(_))), "{again:?}");
    }
    assert_eq!(ok(store.partners(Actor::System, c.id, &PartnerFilter::default()).await).items.len(), before);
    ok(sqlite.limit_pages(None).await);
    ok(store.create_partner(Actor::System, c.id, partner("Space again", Category::Media, 1)).await);
    let after = ok(store.partners(Actor::System, c.id, &PartnerFilter::default()).await).items.len();
    assert_eq!(after, before + 1);
}

/// When SQLite ends a transaction by itself (it does on a full disk at COMMIT; a trigger that raises
/// ROLLBACK stands in for it here), the driver's own ROLLBACK fails and its connection still counts the
/// transaction as open: that connection is replaced, and every later write works.
#[tokio::test]
async fn a_transaction_the_database_ended_leaves_no_broken_connection() {
    let db = rally_store::testing::sqlite().await;
    let (store, sqlite) = (&*db.store, db.sqlite.clone().unwrap_or_else(|| panic!("a SQLite test database")));
    let c = ok(store.create_campaign(Actor::System, campaign_fields("ended")).await);
    ok(sqlite
        .execute_for_tests(
            "CREATE TRIGGER ends_the_transaction BEFORE INSERT ON partners WHEN NEW.name = 'Refused' \
             BEGIN SELECT RAISE(ROLLBACK, 'database or disk is full'); END",
        )
        .await);
    assert!(store.create_partner(Actor::System, c.id, partner("Refused", Category::Media, 1)).await.is_err());
    for i in 0..3 {
        ok(store.create_partner(Actor::System, c.id, partner(&format!("Accepted {i}"), Category::Media, 1)).await);
    }
}

/// A database from before names were folded: upgrading fills every partner's name key and refolds the
/// search terms and event search texts, so "skola" finds "Škola" and a second "ŠKOLA d.o.o." is refused.
#[tokio::test]
async fn upgrading_folds_the_names_already_stored() {
    let (_dir, path, old) = rally_store::testing::sqlite_before(11).await;
    sqlx::raw_sql(
        "INSERT INTO campaigns (id, slug, name, country, region, languages, strategy, message, goal_students, \
         target_audience, starts_on, ends_on, high_reach_threshold, plan_cs_in_schools, plan_authorities_view, \
         plan_it_companies_view, plan_students_view, plan_why_coding, created_at, updated_at) \
         VALUES (1, 'staro', 'Staro', 'HR', '', '[\"hr\"]', 'own', '{}', 100, '', '2026-12-07', '2026-12-13', 10000, \
         '', '', '', '', '', 0, 0); \
         INSERT INTO partners (id, campaign_id, name, category, audiences, reach, priority_boost, priority, high_touch, \
         tags, notes, sort_name, stage, stage_since, created_at, updated_at) \
         VALUES (1, 1, 'Osnovna Škola Đakovo d.o.o.', 'school_network', '[]', 10, 0, 0, FALSE, '[]', '', 'osnovna', \
         'lead', 0, 0, 0); \
         INSERT INTO partner_terms (campaign_id, term, partner_id) VALUES (1, 'škola', 1);",
    )
    .execute(&old)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    old.close().await;
    let store = ok(rally_store::open(&path.display().to_string()).await);
    let c = CampaignId(1);
    for q in ["skola", "Škola", "osnovna skola", "dakovo"] {
        let f = PartnerFilter { q: Some(q.into()), ..Default::default() };
        assert_eq!(ok(store.partners(Actor::System, c, &f).await).items.len(), 1, "{q}");
    }
    let again =
        store.add_partner(Actor::System, c, partner("OSNOVNA ŠKOLA ĐAKOVO", Category::SchoolNetwork, 1), false).await;
    assert!(matches!(again, Err(StoreError::Conflict { field: "name", .. })), "{again:?}");
}

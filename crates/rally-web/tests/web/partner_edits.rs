//! Editing and removing from the partner page: contacts edited and deleted, failed forms that open at
//! themselves with an error summary, a duplicate merged after a preview, a partner deleted.

use rally_domain::{ContactDraft, Role};
use rally_store::Actor;
use reqwest::StatusCode;

use crate::support::Site;

both_backends!(
    Site;
    contacts_are_edited_and_deleted_from_the_partner_page,
    duplicates_merge_after_a_preview_and_partners_are_deleted,
);

async fn contacts_are_edited_and_deleted_from_the_partner_page(site: Site) {
    let ana = site.user("ana").await;
    let c = site.campaign(ana, &[]).await;
    let p = site.partner(ana, c, "Radio Zagreb").await;
    let b = site.signed_in("ana").await;
    let page = format!("/campaigns/hr/partners/{}", p.0);
    // A failed "add contact" opens at its form, with a summary whose links name the fields.
    let bad = b.submit(&format!("{page}/contacts"), &[("name", "Iva"), ("email", "bad@@x")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains(&format!("action=\"{page}/contacts#contacts\"")), "the page opens at the form");
    assert!(bad.body.contains("class=\"error-summary\""));
    assert!(bad.body.contains("href=\"#contact-email\">E-mail: "), "the summary links to the field, by its label");
    assert!(bad.body.contains("value=\"bad@@x\""), "what was typed stays");
    let nav = bad.body.split("aria-label=\"On this page\"").nth(1).unwrap_or_default();
    assert!(nav.contains("href=\"#contacts\"") && nav.contains("href=\"#timeline-h\""), "in-page navigation");

    let added = b.submit(&format!("{page}/contacts"), &[("name", "Iva"), ("email", "iva@radio.example")]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let k = site.store.contacts(Actor::System, p).await.unwrap_or_default()[0].id;
    let edit = format!("{page}/contacts/{}", k.0);
    let saved = b
        .submit(
            &edit,
            &[
                ("action", "save"),
                ("name", "Iva Horvat"),
                ("email", "iva.horvat@radio.example"),
                ("phone", "+385 1 234 5678"),
                ("role", "Editor"),
                ("language", "hr"),
                ("consent", "opted_in"),
            ],
        )
        .await;
    assert_eq!((saved.status, saved.location.as_str()), (StatusCode::SEE_OTHER, format!("{page}#contacts").as_str()));
    let stored = site.store.contact(Actor::System, k).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (
            stored.fields.name.as_str(),
            stored.fields.email.as_str(),
            stored.fields.phone.as_deref(),
            stored.fields.role.as_str()
        ),
        ("Iva Horvat", "iva.horvat@radio.example", Some("+385 1 234 5678"), "Editor")
    );
    assert_eq!(stored.fields.consent, rally_domain::Consent::OptedIn);
    let shown = b.get(&page).await;
    assert!(shown.body.contains("+385 1 234 5678") && shown.body.contains("Agreed to campaign e-mail"));
    // A bad phone comes back in that contact's own form, opened, with its summary.
    let refused = b
        .submit(&edit, &[("action", "save"), ("name", "Iva"), ("email", "iva@radio.example"), ("phone", "call me")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains(&format!("href=\"#k{}-phone\">Phone: must be a phone number", k.0)),
        "{}",
        refused.body.len()
    );
    assert!(refused.body.contains("<details open><summary>Edit"));
    // Clearing the phone clears it.
    b.submit(&edit, &[("action", "save"), ("name", "Iva"), ("email", "iva@radio.example"), ("phone", "")]).await;
    assert_eq!(site.store.contact(Actor::System, k).await.map(|c| c.fields.phone).unwrap_or_default(), None);
    // Another partner's contact cannot be reached through this partner's address.
    let other = site.partner(ana, c, "Radio Split").await;
    let theirs = site
        .store
        .create_contact(
            Actor::System,
            other,
            ContactDraft { name: Some("Mara".into()), email: Some("mara@split.example".into()), ..Default::default() }
                .validate()
                .unwrap_or_else(|e| panic!("{e}")),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let wrong = b.submit(&format!("{page}/contacts/{}", theirs.id.0), &[("action", "delete")]).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    let deleted = b.submit(&edit, &[("action", "delete")]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(site.store.contacts(Actor::System, p).await.unwrap_or_default().is_empty());
    assert_eq!(site.store.contacts(Actor::System, other).await.unwrap_or_default().len(), 1);
}

async fn duplicates_merge_after_a_preview_and_partners_are_deleted(site: Site) {
    let ana = site.user("ana").await;
    let mia = site.user("mia").await;
    let c = site.campaign(ana, &[(mia, Role::Member)]).await;
    let keep = site.partner(ana, c, "Infobip").await;
    let dup = site.partner(ana, c, "Infobip d.o.o.").await;
    let contact =
        ContactDraft { name: Some("Marko".into()), email: Some("marko@infobip.example".into()), ..Default::default() };
    site.store
        .create_contact(Actor::System, dup, contact.validate().unwrap_or_else(|e| panic!("{e}")))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let b = site.signed_in("ana").await;
    let base = format!("/campaigns/hr/partners/{}", keep.0);
    assert!(b.get(&base).await.body.contains("Merge a duplicate into this partner"));
    let found = b.get(&format!("{base}/merge?q=infobip")).await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains(&format!("merge?other={}", dup.0)), "the duplicate is offered");
    assert!(!found.body.contains(&format!("merge?other={}\"", keep.0)), "not the partner itself");
    let preview = b.get(&format!("{base}/merge?other={}", dup.0)).await;
    assert!(preview.body.contains("<li>1 contacts</li>"), "the preview counts what moves");
    assert_eq!(site.store.contacts(Actor::System, dup).await.unwrap_or_default().len(), 1, "a preview changes nothing");
    // Members may not merge (it deletes a partner).
    let member = site.signed_in("mia").await;
    assert_eq!(
        member.submit(&format!("{base}/merge"), &[("other", &dup.0.to_string())]).await.status,
        StatusCode::FORBIDDEN
    );
    let merged = b.submit(&format!("{base}/merge"), &[("other", &dup.0.to_string())]).await;
    assert_eq!((merged.status, merged.location.as_str()), (StatusCode::SEE_OTHER, format!("{base}#timeline").as_str()));
    assert_eq!(site.store.contacts(Actor::System, keep).await.unwrap_or_default().len(), 1);
    assert!(b.get(&base).await.body.contains("Merged “Infobip d.o.o.” into this partner"));
    assert_eq!(b.get(&format!("/campaigns/hr/partners/{}", dup.0)).await.status, StatusCode::NOT_FOUND);

    assert_eq!(member.submit(&format!("{base}/delete"), &[]).await.status, StatusCode::FORBIDDEN);
    let gone = b.submit(&format!("{base}/delete"), &[]).await;
    assert_eq!((gone.status, gone.location.as_str()), (StatusCode::SEE_OTHER, "/campaigns/hr/partners"));
    assert_eq!(b.get(&base).await.status, StatusCode::NOT_FOUND);
}

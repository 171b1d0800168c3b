//! What a partner's link shows of the people on both sides: the language of the partner's contacts,
//! and whom at the campaign the partner writes to.

use rally_domain::cadence::CadencePolicy;
use rally_domain::{Category, ContactDraft, Email, PartnerDraft, Role};
use rally_store::{Actor, CampaignContact, MailSettings, Store};

use super::{campaign_fields, ok, partner, user};

fn contact(name: &str, email: &str, language: &str) -> rally_domain::ContactFields {
    ok(ContactDraft {
        name: Some(name.into()),
        email: Some(email.into()),
        language: Some(language.into()),
        ..Default::default()
    }
    .validate())
}

pub async fn a_link_names_the_partners_language_and_whom_to_write_to(store: &dyn Store) {
    let ana = user(store, "Ana").await;
    let mia = user(store, "Mia").await;
    let a = Actor::User(ana.id);
    let c = ok(store.create_campaign(a, campaign_fields("links")).await);
    ok(store.set_role(a, c.id, mia.id, Role::Member).await);
    // Made by the system (an import, say): nobody owns it yet.
    let p = ok(store.create_partner(Actor::System, c.id, partner("Radio Rijeka", Category::Media, 5000)).await);
    ok(store.create_partner_link(a, p.id, "hash-radio").await);

    // No contact with a language, no owner, no sender: nothing to say.
    let view = ok(store.link_view("hash-radio").await);
    assert_eq!((view.contact_language, view.campaign_contact), (None, None));

    // The first contact that has a language gives it; contacts added later do not change it.
    ok(store.create_contact(a, p.id, contact("Iva", "iva@radio.example", "")).await);
    ok(store.create_contact(a, p.id, contact("Ivo", "ivo@radio.example", "fr")).await);
    ok(store.create_contact(a, p.id, contact("Eva", "eva@radio.example", "hr")).await);
    assert_eq!(ok(store.link_view("hash-radio").await).contact_language.as_deref(), Some("fr"));

    // The campaign's sender, its reply-to address first.
    let settings = MailSettings {
        from_name: "Sat kodiranja".into(),
        from_address: ok(Email::parse("info@links.example.org")),
        reply_to: None,
        policy: CadencePolicy::default(),
        legitimate_interest: false,
    };
    ok(store.set_mail_settings(a, c.id, settings.clone()).await);
    let sender = CampaignContact { name: "Sat kodiranja".into(), email: "info@links.example.org".into() };
    assert_eq!(ok(store.link_view("hash-radio").await).campaign_contact, Some(sender));
    let replies = MailSettings { reply_to: Some(ok(Email::parse("partners@links.example.org"))), ..settings };
    ok(store.set_mail_settings(a, c.id, replies).await);
    let replies = CampaignContact { name: "Sat kodiranja".into(), email: "partners@links.example.org".into() };
    assert_eq!(ok(store.link_view("hash-radio").await).campaign_contact, Some(replies.clone()));

    // The partner's owner comes first, and again the sender once the owner leaves the team.
    let owned = PartnerDraft { owner_id: Some(Some(mia.id)), ..Default::default() };
    ok(store.update_partner(a, p.id, owned).await);
    let owner = CampaignContact { name: "Mia".into(), email: "mia@example.org".into() };
    assert_eq!(ok(store.link_view("hash-radio").await).campaign_contact, Some(owner));
    ok(store.remove_member(a, c.id, mia.id).await);
    assert_eq!(ok(store.link_view("hash-radio").await).campaign_contact, Some(replies));
}

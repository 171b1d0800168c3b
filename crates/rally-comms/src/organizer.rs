//! E-mail to event organizers — confirming a registration, telling them of the team's decision,
//! reminding them to report — written in the language they used the site in, each with their secret
//! link to the event. The store puts these through the outbox in the transaction that caused them (it
//! calls the writer this module makes); the text comes from the public site's translations.

use rally_domain::event::Event;
use rally_site::i18n::{Arg, Lang};
use rally_store::{EventMailKind, OrganizerMail};

use crate::unsubscribe::{verify_versioned, versioned_token};

/// What an organizer's link token is signed for, so it cannot pass as an unsubscribe token.
const EVENT_LINK: &str = "event";

/// The organizer's secret link token for an event: signed with the database's link secret and the
/// event's link version (a new version revokes the old link).
pub fn event_token(secret: &str, event: &Event) -> String {
    versioned_token(secret, EVENT_LINK, event.id.0, event.link_version)
}

/// The event id and link version an organizer's token names, if it is genuine.
pub fn verify_event_token(secret: &str, token: &str) -> Option<(i64, i64)> {
    verify_versioned(secret, EVENT_LINK, token)
}

/// A writer of e-mails to one campaign's event organizers: `base` is the site's public address, `slug`
/// and `campaign` the campaign's slug and name, `secret` the link secret.
pub fn mailer(
    base: String,
    slug: String,
    campaign: String,
    secret: String,
) -> impl Fn(&Event, EventMailKind) -> OrganizerMail + Send + Sync {
    move |event: &Event, kind: EventMailKind| {
        let lang = Lang::parse(&event.locale).unwrap_or(Lang::EN);
        let link = format!("{base}/c/{slug}/e/{}", event_token(&secret, event));
        let title = event.fields.display_title();
        let args = [
            ("name", Arg::Str(&event.fields.organizer_name)),
            ("title", Arg::Str(title)),
            ("campaign", Arg::Str(&campaign)),
            ("confirm_url", Arg::Str(&link)),
            ("manage_url", Arg::Str(&link)),
            ("reason", Arg::Str(&event.reason)),
        ];
        let (subject, body) = match kind {
            EventMailKind::Confirm => ("mail-confirm-subject", "mail-confirm-body"),
            EventMailKind::Approved => ("mail-approved-subject", "mail-approved-body"),
            EventMailKind::Rejected => ("mail-rejected-subject", "mail-rejected-body"),
            EventMailKind::ReportReminder => ("mail-report-subject", "mail-report-body"),
        };
        let footer = lang.t_with("mail-footer", &args);
        OrganizerMail {
            subject: lang.t_with(subject, &args),
            text: format!("{}\n\n-- \n{footer}\n", lang.t_with(body, &args)),
        }
    }
}

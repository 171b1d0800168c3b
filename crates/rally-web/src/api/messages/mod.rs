//! `/api/v1/campaigns/{campaign}/messages` and `/api/v1/messages/{id}`: the campaign's messages, their
//! templates, who they reach, previews and test sends, and putting them in the outbox.

pub mod control;
pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod preview;
pub mod queue;
pub mod recipients;
pub mod stats;
pub mod test_send;
pub mod update;

use rally_domain::comms::{MessageDraft, MessageKind, OutboxStatus, Segment, SendTime};
use rally_domain::template::TemplateSet;
use rally_domain::{Action, CampaignId, Category, FieldError, LanguageTag};
use rally_store::MessageTemplate;
use serde::{Deserialize, Serialize};

use crate::extract::Auth;
use crate::{ApiError, AppState};

/// A message as a client writes it: every field optional (a `PATCH` changes only what it sends);
/// `templates`, when sent, replace all of the message's templates.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageBody {
    /// Required when creating; 1 to 200 characters.
    #[schema(max_length = 200, min_length = 1, pattern = "@required-text")]
    pub title: Option<String>,
    /// `marketing` (the default: campaign news, capped and timed by the cadence rules, only to contacts
    /// who consented) or `service` (one-to-one operational mail to partners with an agreed commitment:
    /// not capped, never to anyone who opted out, unsubscribed from everything or is suppressed). Rally's
    /// own system mail (confirmations, reminders, links) is not something a message can be.
    pub kind: Option<MessageKind>,
    /// Whom it goes to; left out: every contact of the campaign.
    pub segment: Option<Segment>,
    /// Required when creating: `{"milestone": {"milestone_id": 3, "at": "09:00:00"}}` (local time of
    /// each contact) or `{"at": "2026-12-01T09:00:00Z"}`.
    pub send: Option<SendTime>,
    /// The language of contacts whose own language has no template; `en` when left out.
    #[schema(value_type = Option<LanguageTag>)]
    pub fallback_language: Option<String>,
    /// At least one when creating: one per language, and per partner category for variants.
    #[serde(
        default,
        deserialize_with = "rally_domain::limits::bounded::option_vec::<_, _, { rally_domain::limits::TEMPLATES }>"
    )]
    #[schema(min_items = 1, max_items = 120)]
    pub templates: Option<Vec<TemplateBody>>,
}

/// One template of a message, as a client writes it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    /// A language tag such as `hr` or `en`.
    #[serde(default)]
    #[schema(value_type = LanguageTag, required = true)]
    pub language: String,
    /// The partner category this variant is for; `null` for every category.
    pub category: Option<Category>,
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 300, pattern = "@required-text")]
    pub subject: String,
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 102_400, pattern = "@required-text")]
    pub text: String,
    /// May be empty: the e-mail is then plain text.
    #[serde(default)]
    #[schema(max_length = 102_400)]
    pub html: String,
}

impl MessageBody {
    /// The message's fields as a draft, and its templates (if sent) checked for their language.
    fn split(self) -> (MessageDraft, Result<Option<Vec<MessageTemplate>>, Vec<FieldError>>) {
        let draft = MessageDraft {
            title: self.title,
            kind: self.kind,
            segment: self.segment,
            send: self.send,
            fallback_language: self.fallback_language,
        };
        (draft, self.templates.map(templates).transpose())
    }
}

fn templates(list: Vec<TemplateBody>) -> Result<Vec<MessageTemplate>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut out = Vec::with_capacity(list.len());
    for (i, t) in list.into_iter().enumerate() {
        match LanguageTag::parse(&t.language) {
            Ok(language) => out.push(MessageTemplate {
                language,
                category: t.category,
                set: TemplateSet { subject: t.subject, text: t.text, html: t.html },
            }),
            Err(message) => errors.push(FieldError { field: format!("templates[{i}].language"), message }),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Both halves of a checked body, or every error of both.
fn combine<A, B>(a: Result<A, Vec<FieldError>>, b: Result<B, Vec<FieldError>>) -> Result<(A, B), ApiError> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => {
            let errors = a.err().into_iter().chain(b.err()).flatten().collect();
            Err(ApiError::Invalid(errors))
        }
    }
}

/// How many of a message's e-mails stand where: every status, zeros included.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct OutboxStats {
    pub planned: i64,
    pub deferred: i64,
    pub sending: i64,
    pub sent: i64,
    pub failed: i64,
    pub bounced: i64,
    pub suppressed: i64,
    pub expired: i64,
    /// Held back while the message is paused.
    pub paused: i64,
    /// Dropped when the message was cancelled.
    pub cancelled: i64,
    /// Contacts this message reached who have unsubscribed since.
    pub unsubscribed: i64,
}

impl OutboxStats {
    fn from_counts(counts: &[(OutboxStatus, i64)]) -> OutboxStats {
        let mut s = OutboxStats::default();
        for (status, n) in counts {
            let slot = match status {
                OutboxStatus::Planned => &mut s.planned,
                OutboxStatus::Deferred => &mut s.deferred,
                OutboxStatus::Sending => &mut s.sending,
                OutboxStatus::Sent => &mut s.sent,
                OutboxStatus::Failed => &mut s.failed,
                OutboxStatus::Bounced => &mut s.bounced,
                OutboxStatus::Suppressed => &mut s.suppressed,
                OutboxStatus::Expired => &mut s.expired,
                OutboxStatus::Paused => &mut s.paused,
                OutboxStatus::Cancelled => &mut s.cancelled,
            };
            *slot += n;
        }
        s
    }
}

/// Refuses callers who may not change the campaign, before work the store would refuse anyway at the
/// end (rendering a message for every contact) or that does not go through the store (a test e-mail).
async fn may_edit(app: &AppState, auth: &Auth, campaign: CampaignId) -> Result<(), ApiError> {
    let role = app.store.campaign(auth.actor(), campaign).await?.role;
    match role {
        Some(role) if role.allows(auth.0.id, Action::EditCampaign) => Ok(()),
        _ => Err(ApiError::Forbidden),
    }
}

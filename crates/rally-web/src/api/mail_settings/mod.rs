//! `/api/v1/campaigns/{campaign}/mail-settings`: who the campaign's e-mail comes from, and the cadence
//! rules that say how often and when it may reach one contact.

pub mod get;
pub mod set;

use rally_domain::Email;
use rally_domain::cadence::CadencePolicy;
use serde::Deserialize;

/// The sender and the cadence rules, as a client replaces them.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailSettingsBody {
    /// The sender's name, 1 to 100 characters.
    #[serde(default)]
    #[schema(max_length = 100, min_length = 1, pattern = "@required-text")]
    pub from_name: String,
    #[schema(required = true, nullable = false)]
    pub from_address: Option<Email>,
    #[serde(default)]
    pub reply_to: Option<Email>,
    /// Fields left out take their default (2 e-mails per 7 days, 48 hours apart, 08–18 local, Sundays quiet).
    #[serde(default)]
    pub policy: CadencePolicy,
    /// Send marketing e-mail also to contacts whose consent is unknown (never asked), on the campaign's
    /// legitimate interest. Off (the default): marketing goes only to contacts who opted in.
    #[serde(default)]
    pub legitimate_interest: bool,
}

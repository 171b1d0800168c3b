//! The campaign domain of Rally: campaigns, partners, contacts, the partner pipeline and the team.
//!
//! Everything here is plain data and pure functions. This crate knows nothing about SQL, HTTP, async
//! runtimes or the clock: callers pass "now" and "today" in. Input is validated once, here, into
//! types that are valid by construction (`Email`, `Slug`, `Reach`, …); past that edge the rest of Rally
//! trusts them.

/// Gives a draft type (all fields `Option`) a `merge` that takes every field a patch sets, so one
/// type serves both "create" and "update": `stored.to_draft().merge(patch).validate()`.
macro_rules! merge_drafts {
    ($ty:ident { $($field:ident),* $(,)? }) => {
        impl $ty {
            /// This draft with every field that `patch` sets replaced by the patch's value.
            pub fn merge(mut self, patch: $ty) -> $ty {
                $(if patch.$field.is_some() { self.$field = patch.$field; })*
                self
            }
        }
    };
}

/// The conversions every validated string type has: from `String` through its `parse` (so serde
/// validates while it deserializes), back into `String`, `as_str` and `Display`.
macro_rules! string_type {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                $name::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

macro_rules! named_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal / $label:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }

            pub fn parse(s: &str) -> Result<$name, String> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    let all: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    format!("unknown value `{s}`; expected one of {}", all.join(", "))
                })
            }
        }
    };
}

pub mod activity;
pub mod ask;
pub mod asset;
pub mod audit;
pub mod cadence;
pub mod campaign;
pub mod comms;
pub mod consent;
pub mod contact;
pub mod event;
pub mod export;
pub mod followup;
#[cfg(any(test, feature = "testing"))]
#[doc(hidden)]
pub mod growth;
pub mod ical;
pub mod limits;
pub mod partner;
pub mod pipeline;
pub mod report;
pub mod retention;
pub mod team;
pub mod template;
pub mod text;
pub mod throttle;
pub mod totp;
pub mod upload;
pub mod validation;

pub use ask::{
    Ask, AskDraft, AskFields, Commitment, CommitmentDraft, CommitmentStatus, CommitmentSummary, PartnerResponse,
};
pub use asset::{Asset, AssetDraft, AssetFields, AssetKind, AssetSend, StoredFile};
pub use audit::AuditAction;
pub use campaign::{ActionPlan, Campaign, CampaignDraft, CampaignFields, LanguageTag, Phase, Slug, Strategy};
pub use contact::{Consent, Contact, ContactDraft, ContactFields, Email};
pub use followup::{Interaction, InteractionDraft, InteractionKind, StageLimits, Task, TaskDraft};
pub use partner::{Audience, Category, Partner, PartnerDraft, PartnerFields, Reach, Tier};
pub use pipeline::{Stage, StageChange, StageMove};
pub use team::{Action, Role};
pub use upload::MediaType;
pub use validation::{FieldError, Invalid};

/// Identifiers are database-assigned 64-bit integers; the newtypes keep a partner id from being
/// passed where a campaign id is expected.
macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}
id_type!(
    CampaignId,
    PartnerId,
    ContactId,
    UserId,
    AskId,
    CommitmentId,
    InteractionId,
    TaskId,
    AssetId,
    EventId,
    ActivityId,
);

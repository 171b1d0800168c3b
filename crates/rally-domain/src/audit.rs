//! The audit log's vocabulary: what a person can do in Rally that the team may later need to account
//! for. Entries are written by the store inside the transaction of the change they record.

use serde::{Deserialize, Serialize};

/// One kind of audited action. The names are stable: they are stored, filtered on and exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    SignIn,
    SignInFailed,
    SecondFactorFailed,
    SecondFactorEnabled,
    SecondFactorDisabled,
    RecoveryCodeUsed,
    SignedOutEverywhere,
    PasswordChanged,
    InvitationSent,
    InvitationRevoked,
    InvitationAccepted,
    RoleChanged,
    MemberRemoved,
    TokenCreated,
    TokenRevoked,
    CampaignSettingsChanged,
    MailSettingsChanged,
    CadenceChanged,
    RetentionChanged,
    PrivacyNoticePublished,
    ImportRun,
    ImportUndone,
    PersonalDataExported,
    PrivacyExport,
    PrivacyErasure,
    RetentionApplied,
    EventApproved,
    EventRejected,
    MessageQueued,
    MessagePaused,
    MessageResumed,
    MessageCancelled,
    PartnerDeleted,
    PartnersMerged,
    ContactDeleted,
    ResetLinkSent,
    CampaignDeleted,
    ConsentChanged,
    SessionEnded,
    ActivityListed,
    ActivityRejected,
    ActivityHidden,
}

impl AuditAction {
    pub const ALL: [AuditAction; 42] = [
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::SecondFactorFailed,
        AuditAction::SecondFactorEnabled,
        AuditAction::SecondFactorDisabled,
        AuditAction::RecoveryCodeUsed,
        AuditAction::SignedOutEverywhere,
        AuditAction::PasswordChanged,
        AuditAction::InvitationSent,
        AuditAction::InvitationRevoked,
        AuditAction::InvitationAccepted,
        AuditAction::RoleChanged,
        AuditAction::MemberRemoved,
        AuditAction::TokenCreated,
        AuditAction::TokenRevoked,
        AuditAction::CampaignSettingsChanged,
        AuditAction::MailSettingsChanged,
        AuditAction::CadenceChanged,
        AuditAction::RetentionChanged,
        AuditAction::PrivacyNoticePublished,
        AuditAction::ImportRun,
        AuditAction::ImportUndone,
        AuditAction::PersonalDataExported,
        AuditAction::PrivacyExport,
        AuditAction::PrivacyErasure,
        AuditAction::RetentionApplied,
        AuditAction::EventApproved,
        AuditAction::EventRejected,
        AuditAction::MessageQueued,
        AuditAction::MessagePaused,
        AuditAction::MessageResumed,
        AuditAction::MessageCancelled,
        AuditAction::PartnerDeleted,
        AuditAction::PartnersMerged,
        AuditAction::ContactDeleted,
        AuditAction::ResetLinkSent,
        AuditAction::CampaignDeleted,
        AuditAction::ConsentChanged,
        AuditAction::SessionEnded,
        AuditAction::ActivityListed,
        AuditAction::ActivityRejected,
        AuditAction::ActivityHidden,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "sign_in",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::SecondFactorFailed => "second_factor_failed",
            AuditAction::SecondFactorEnabled => "second_factor_enabled",
            AuditAction::SecondFactorDisabled => "second_factor_disabled",
            AuditAction::RecoveryCodeUsed => "recovery_code_used",
            AuditAction::SignedOutEverywhere => "signed_out_everywhere",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::InvitationSent => "invitation_sent",
            AuditAction::InvitationRevoked => "invitation_revoked",
            AuditAction::InvitationAccepted => "invitation_accepted",
            AuditAction::RoleChanged => "role_changed",
            AuditAction::MemberRemoved => "member_removed",
            AuditAction::TokenCreated => "token_created",
            AuditAction::TokenRevoked => "token_revoked",
            AuditAction::CampaignSettingsChanged => "campaign_settings_changed",
            AuditAction::MailSettingsChanged => "mail_settings_changed",
            AuditAction::CadenceChanged => "cadence_changed",
            AuditAction::RetentionChanged => "retention_changed",
            AuditAction::PrivacyNoticePublished => "privacy_notice_published",
            AuditAction::ImportRun => "import_run",
            AuditAction::ImportUndone => "import_undone",
            AuditAction::PersonalDataExported => "personal_data_exported",
            AuditAction::PrivacyExport => "privacy_export",
            AuditAction::PrivacyErasure => "privacy_erasure",
            AuditAction::RetentionApplied => "retention_applied",
            AuditAction::EventApproved => "event_approved",
            AuditAction::EventRejected => "event_rejected",
            AuditAction::MessageQueued => "message_queued",
            AuditAction::MessagePaused => "message_paused",
            AuditAction::MessageResumed => "message_resumed",
            AuditAction::MessageCancelled => "message_cancelled",
            AuditAction::PartnerDeleted => "partner_deleted",
            AuditAction::PartnersMerged => "partners_merged",
            AuditAction::ContactDeleted => "contact_deleted",
            AuditAction::ResetLinkSent => "reset_link_sent",
            AuditAction::CampaignDeleted => "campaign_deleted",
            AuditAction::ConsentChanged => "consent_changed",
            AuditAction::SessionEnded => "session_ended",
            AuditAction::ActivityListed => "activity_listed",
            AuditAction::ActivityRejected => "activity_rejected",
            AuditAction::ActivityHidden => "activity_hidden",
        }
    }

    pub fn parse(s: &str) -> Result<AuditAction, String> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == s).ok_or_else(|| format!("unknown audit action `{s}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::AuditAction;

    #[test]
    fn every_action_reads_back_from_its_name() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Ok(a));
        }
        let mut names: Vec<_> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), AuditAction::ALL.len(), "two actions share a name");
        assert!(AuditAction::parse("dropped_tables").is_err());
    }
}

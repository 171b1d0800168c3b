//! The campaign team: roles and what each may do. The store asks [`Role::allows`] inside the same
//! transaction that does the work, so a rule is never checked against stale data.

use serde::{Deserialize, Serialize};

use crate::UserId;

/// A user's role in one campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything a coordinator does, plus the team and the campaign's deletion.
    Owner,
    /// Edits everything in the campaign.
    Coordinator,
    /// Edits the partners they own, and creates partners for themselves.
    Member,
    /// Reads.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Coordinator, Role::Member, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Coordinator => "coordinator",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role `{s}`; expected owner, coordinator, member or viewer"))
    }

    /// Whether a user with this role may do `action`, as user `actor`.
    pub fn allows(self, actor: UserId, action: Action) -> bool {
        use Role::*;
        match action {
            Action::Read => true,
            Action::EditCampaign => matches!(self, Owner | Coordinator),
            Action::ManageTeam
            | Action::DeleteCampaign
            | Action::ReadAudit
            | Action::PersonalData
            | Action::EditRetention => self == Owner,
            Action::CreatePartner { owner } => match self {
                Owner | Coordinator => true,
                Member => owner == Some(actor),
                Viewer => false,
            },
            Action::EditPartner { owner } => match self {
                Owner | Coordinator => true,
                Member => owner == Some(actor),
                Viewer => false,
            },
            Action::DeletePartner => matches!(self, Owner | Coordinator),
            Action::ModerateEvents => matches!(self, Owner | Coordinator | Member),
            Action::EditCatalogue => matches!(self, Owner | Coordinator | Member),
            Action::EditTask { owner } => match self {
                Owner | Coordinator => true,
                Member => owner == Some(actor),
                Viewer => false,
            },
        }
    }
}

/// Something a user wants to do in a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See the campaign, its partners, contacts and history.
    Read,
    /// Change the campaign's settings, message, goal, dates and plan.
    EditCampaign,
    /// Add, change or remove team members.
    ManageTeam,
    DeleteCampaign,
    /// Read the campaign's audit log: who did what, from which address (owners only: it names the
    /// team's sign-ins and the addresses they came from).
    ReadAudit,
    /// Export or erase everything the campaign holds about one person (owners only: it reaches every
    /// table, and erasure cannot be undone).
    PersonalData,
    /// Change how long the campaign keeps personal data (owners only: they answer for it).
    EditRetention,
    /// Create a partner owned by `owner`.
    CreatePartner {
        owner: Option<UserId>,
    },
    /// Change a partner (its fields, contacts or stage) currently owned by `owner`.
    EditPartner {
        owner: Option<UserId>,
    },
    DeletePartner,
    /// Approve, reject and edit registered events.
    ModerateEvents,
    /// Add, change, review and hide the activities of the campaign's catalogue (members too: like
    /// events, submissions need many hands to review).
    EditCatalogue,
    /// Create or change a follow-up task owned by `owner` (members: their own tasks).
    EditTask {
        owner: Option<UserId>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rights_table() {
        let me = UserId(1);
        let other = Some(UserId(2));
        let mine = Some(me);
        use Action::*;
        // (action, owner, coordinator, member, viewer)
        for (action, expected) in [
            (Read, [true, true, true, true]),
            (EditCampaign, [true, true, false, false]),
            (ManageTeam, [true, false, false, false]),
            (DeleteCampaign, [true, false, false, false]),
            (ReadAudit, [true, false, false, false]),
            (EditRetention, [true, false, false, false]),
            (PersonalData, [true, false, false, false]),
            (CreatePartner { owner: mine }, [true, true, true, false]),
            (CreatePartner { owner: other }, [true, true, false, false]),
            (CreatePartner { owner: None }, [true, true, false, false]),
            (EditPartner { owner: mine }, [true, true, true, false]),
            (EditPartner { owner: other }, [true, true, false, false]),
            (EditPartner { owner: None }, [true, true, false, false]),
            (DeletePartner, [true, true, false, false]),
            (EditCatalogue, [true, true, true, false]),
            (EditTask { owner: mine }, [true, true, true, false]),
            (EditTask { owner: other }, [true, true, false, false]),
        ] {
            for (role, want) in Role::ALL.into_iter().zip(expected) {
                assert_eq!(role.allows(me, action), want, "{role:?} {action:?}");
            }
        }
    }
}

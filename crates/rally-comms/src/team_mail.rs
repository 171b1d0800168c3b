//! Rally's e-mails to the people who run a campaign: an invitation to a team, a link to set a new
//! password, a link to confirm a new address. Each carries a single-use link whose token only the
//! e-mail holds (the store keeps its hash); the store puts it through the outbox as system mail, in the
//! transaction that makes the link valid.

use rally_domain::Email;
use rally_store::SystemMail;

/// An invitation to `campaign`'s team as `role`, from `inviter`, valid for `days`.
pub fn invitation(to: &Email, campaign: &str, role: &str, inviter: &str, link: &str, days: i64) -> SystemMail {
    SystemMail {
        to: to.clone(),
        to_name: String::new(),
        subject: format!("{inviter} invites you to {campaign} on Rally"),
        text: format!(
            "Hello,\n\n{inviter} invites you to join the team of {campaign} on Rally, as {role}.\n\n\
             To accept, open this link, choose your name and a password:\n\n{link}\n\n\
             The link works once, for {days} days. If you do not know {inviter} or the campaign, \
             ignore this e-mail: nothing happens without you.\n"
        ),
    }
}

/// A link to set a new password, valid for an hour; `by` names an owner who sent it, if one did.
pub fn password_reset(to: &Email, name: &str, link: &str, by: Option<&str>) -> SystemMail {
    let who = match by {
        Some(owner) => format!("{owner}, an owner of one of your campaigns, sent you"),
        None => "Someone (we hope you) asked for".to_owned(),
    };
    SystemMail {
        to: to.clone(),
        to_name: name.to_owned(),
        subject: "Set a new Rally password".into(),
        text: format!(
            "Hello {name},\n\n{who} a link to set a new password for your Rally account {to}.\n\n\
             To choose a new password, open this link within an hour:\n\n{link}\n\n\
             The link works once. If you did not ask for it, ignore this e-mail: your password stays \
             as it is.\n"
        ),
    }
}

/// A link to confirm `to` as the new address of `name`'s account, valid for a day.
pub fn address_confirmation(to: &Email, name: &str, link: &str) -> SystemMail {
    SystemMail {
        to: to.clone(),
        to_name: name.to_owned(),
        subject: "Confirm your new address for Rally".into(),
        text: format!(
            "Hello {name},\n\nYou asked to sign in to Rally with {to} from now on. To confirm this address, \
             open this link within a day:\n\n{link}\n\n\
             Until then your account keeps its old address. If you did not ask for this, ignore this e-mail.\n"
        ),
    }
}

//! The e-mail telling someone who proposed an activity why the team did not list it, in the language
//! they used the site in: written by the team's review page and the API's review alike.

use rally_domain::activity::Activity;
use rally_site::i18n::{Arg, Lang};
use rally_store::OrganizerMail;

/// The rejection e-mail to an activity's submitter; `None` when the team added the activity itself
/// (nobody to write to).
pub fn rejection_mail(activity: &Activity, campaign: &str, reason: &str) -> Option<OrganizerMail> {
    let submitter = activity.submitter.as_ref().filter(|s| !s.email.is_empty())?;
    let lang = Lang::parse(&submitter.locale).unwrap_or(Lang::EN);
    let title = activity.fields.text_in(lang.code()).map(|t| t.title.as_str()).unwrap_or_default();
    let args = [
        ("name", Arg::Str(&submitter.name)),
        ("title", Arg::Str(title)),
        ("campaign", Arg::Str(campaign)),
        ("reason", Arg::Str(reason)),
    ];
    let footer = lang.t_with("activity-mail-footer", &args);
    Some(OrganizerMail {
        subject: lang.t_with("activity-rejected-subject", &args),
        text: format!("{}\n\n-- \n{footer}\n", lang.t_with("activity-rejected-body", &args)),
    })
}

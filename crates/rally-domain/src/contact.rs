//! Contacts: the people at a partner the team writes to.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::campaign::LanguageTag;
use crate::validation::{Check, Invalid, optional_text, required_text};
use crate::{ContactId, PartnerId};

/// A syntactically valid e-mail address, normalized to lower case.
///
/// Lower-casing the local part is not what RFC 5321 says, but it is what every large mail provider
/// does, and it is what keeps "Ana@School.hr" and "ana@school.hr" from becoming two contacts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(format = Email))]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, String> {
        let v = raw.trim().to_lowercase();
        let bad = || format!("`{}` is not an e-mail address like name@example.org", raw.trim());
        let (local, domain) = v.rsplit_once('@').ok_or_else(bad)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && domain.len() <= 253
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok { Ok(Email(v)) } else { Err(bad()) }
    }
}

string_type!(Email);

/// Whether a contact agreed to receive campaign e-mail.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Consent {
    /// Not asked yet: transactional mail only.
    #[default]
    Unknown,
    OptedIn,
    OptedOut,
}

impl Consent {
    pub fn as_str(self) -> &'static str {
        match self {
            Consent::Unknown => "unknown",
            Consent::OptedIn => "opted_in",
            Consent::OptedOut => "opted_out",
        }
    }

    pub fn parse(s: &str) -> Result<Consent, String> {
        match s {
            "unknown" => Ok(Consent::Unknown),
            "opted_in" => Ok(Consent::OptedIn),
            "opted_out" => Ok(Consent::OptedOut),
            _ => Err(format!("unknown consent `{s}`")),
        }
    }
}

/// The validated, stored fields of a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactFields {
    pub name: String,
    /// Unique within a campaign.
    pub email: Email,
    /// The contact's job, e.g. "Head of communications".
    pub role: String,
    pub language: Option<LanguageTag>,
    pub phone: Option<String>,
    pub consent: Consent,
}

impl ContactFields {
    pub fn to_draft(&self) -> ContactDraft {
        ContactDraft {
            name: Some(self.name.clone()),
            email: Some(self.email.to_string()),
            role: Some(self.role.clone()),
            language: Some(self.language.as_ref().map(ToString::to_string).unwrap_or_default()),
            phone: Some(self.phone.clone().unwrap_or_default()),
            consent: Some(self.consent),
        }
    }
}

/// A stored contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    pub id: ContactId,
    pub partner_id: PartnerId,
    #[serde(flatten)]
    pub fields: ContactFields,
    pub created_at: DateTime<Utc>,
}

/// Contact input as a client sends it: a new contact or a patch.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ContactDraft {
    #[cfg_attr(feature = "openapi", schema(max_length = 200, min_length = 1, pattern = "@required-text"))]
    pub name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub email: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 200, pattern = "@text"))]
    pub role: Option<String>,
    /// A language tag such as `hr`; empty for none.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\s*([A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*)?\s*$"))]
    pub language: Option<String>,
    /// 5 to 20 digits, with spaces, `+`, `-`, `(`, `)` and `.`; empty for none.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^\s*((?=[0-9 +().-]{1,32}\s*$)([^0-9]*[0-9]){5,20}[^0-9]*)?\s*$")
    )]
    pub phone: Option<String>,
    pub consent: Option<Consent>,
}

merge_drafts!(ContactDraft { name, email, role, language, phone, consent });

fn parse_phone(raw: &str) -> Result<String, String> {
    let v = raw.trim();
    let digits = v.chars().filter(char::is_ascii_digit).count();
    if (5..=20).contains(&digits) && v.len() <= 32 && v.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
        Ok(v.to_owned())
    } else {
        Err("must be a phone number such as +385 1 234 5678".into())
    }
}

impl ContactDraft {
    pub fn validate(self) -> Result<ContactFields, Invalid> {
        let mut c = Check::default();
        let name = c.take("name", required_text(self.name.as_deref().unwrap_or_default(), 200));
        let email = c.take("email", Email::parse(self.email.as_deref().unwrap_or_default()));
        let role = c.take("role", optional_text(self.role.as_deref().unwrap_or_default(), 200));
        let language = match self.language.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => c.take("language", LanguageTag::parse(raw)),
        };
        let phone = match self.phone.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => c.take("phone", parse_phone(raw)),
        };
        let fields = (|| {
            Some(ContactFields {
                name: name?,
                email: email?,
                role: role?,
                language,
                phone,
                consent: self.consent.unwrap_or_default(),
            })
        })();
        c.finish(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized() {
        for (raw, normal) in [
            (" Ana.Horvat@Skola.HR ", "ana.horvat@skola.hr"),
            ("o'brien+rally@mail.example.org", "o'brien+rally@mail.example.org"),
            ("иван@школа.рф", "иван@школа.рф"),
        ] {
            assert_eq!(Email::parse(raw).map(|e| e.to_string()), Ok(normal.to_owned()), "{raw}");
        }
    }

    #[test]
    fn malformed_emails_are_rejected() {
        for raw in
            ["", "ana", "ana@", "@skola.hr", "ana@skola", "ana@@skola.hr", "a b@skola.hr", "ana@-x.hr", "a..b@x.hr"]
        {
            assert!(Email::parse(raw).is_err(), "{raw:?} accepted");
        }
    }

    #[test]
    fn contact_errors_name_fields() {
        let d = ContactDraft { email: Some("nope".into()), phone: Some("call me".into()), ..Default::default() };
        let Err(Invalid(errors)) = d.validate() else { panic!("accepted") };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "phone"]);
    }
}

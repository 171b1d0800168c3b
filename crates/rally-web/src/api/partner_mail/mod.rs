//! `/api/v1/partners/{id}/mail`: the e-mails to a partner's contacts, for its timeline; and
//! `…/do-not-contact`: holding marketing e-mail back.

pub mod do_not_contact;
pub mod list;

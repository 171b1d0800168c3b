//! Properties over generated input (proptest) for the web layer's form bodies ([`FormData::read`]): no
//! input makes the reader panic or loop, what it returns keeps its promises, and the work grows linearly
//! with the size of the input. The imported tables' properties are in `rally-files`.

#![allow(clippy::unwrap_used)]

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use rally_domain::growth::assert_linear;
use rally_domain::limits::FORM_FIELDS;

use crate::kit::{FormData, PageError};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// `unit` repeated after `start` until there are `size` bytes.
fn repeated(start: &str, unit: &str, size: usize) -> Vec<u8> {
    let mut out = start.as_bytes().to_vec();
    while out.len() < size {
        out.extend_from_slice(unit.as_bytes());
    }
    out
}

// ---- Form bodies ----

/// Reads a body and checks the promise of [`FormData::read`]: refused exactly when it has more than
/// [`FORM_FIELDS`] fields, and never more pairs than fields.
fn read_form(body: &[u8]) -> Option<FormData> {
    let fields = body.iter().filter(|&&b| b == b'&').count() + 1;
    match FormData::read(body) {
        Ok(form) => {
            assert!(fields <= FORM_FIELDS && form.0.len() <= fields, "{} pairs of {fields} fields", form.0.len());
            Some(form)
        }
        Err(PageError::BadRequest(_)) => {
            assert!(fields > FORM_FIELDS, "refused a body of {fields} fields");
            None
        }
        Err(e) => panic!("unexpected error {e:?}"),
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_form_body_is_read_or_refused(body in prop_oneof![
        vec(any::<u8>(), 0..4096),
        "[a-zA-Z0-9=&%+;. \u{e9}-]{0,400}".prop_map(String::into_bytes),
        vec(select(vec!["%", "%4", "%41", "%E2%82", "%ZZ", "%%", "+", "=", "&", "a", "\u{17e}", "\0"]), 0..200)
            .prop_map(|pieces| pieces.concat().into_bytes()),
    ]) {
        read_form(&body);
    }

    /// Whatever the names and values, a form encoded as a browser encodes it reads back the same, as
    /// long as it has at most [`FORM_FIELDS`] fields.
    #[test]
    fn encoded_forms_read_back(pairs in vec((".{0,8}", ".{0,8}"), 0..40), filler in 0usize..1100) {
        let mut serializer = form_urlencoded::Serializer::new(String::new());
        serializer.extend_pairs(&pairs);
        serializer.extend_pairs((0..filler).map(|i| ("f", i.to_string())));
        let body = serializer.finish();
        let sent = pairs.len() + filler;
        match read_form(body.as_bytes()) {
            Some(form) => {
                prop_assert!(sent <= FORM_FIELDS);
                prop_assert_eq!(&form.0[..pairs.len()], &pairs[..]);
                prop_assert_eq!(form.0.len(), sent);
            }
            None => prop_assert!(sent > FORM_FIELDS),
        }
    }
}

#[test]
fn reading_a_form_grows_linearly() {
    let run = |body: &Vec<u8>| {
        let _ = FormData::read(body);
    };
    for (what, start, unit) in [
        ("escapes", "a=", "%41"),
        ("lone percent signs", "a=", "%"),
        ("broken escapes", "a=", "%E2%82%ZZ"),
        ("plus signs", "", "+"),
        ("escaped names", "", "%3D%26"),
        ("ampersands", "", "&"),
        ("fields", "", "a=1&"),
    ] {
        assert_linear(what, 16 << 10, |size| repeated(start, unit, size), run);
    }
}

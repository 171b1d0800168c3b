//! How much one input may hold. Every list and map a client sends has a maximum, checked while it is
//! read — the reader stops at the first item too many, before any per-item work — and checked again
//! where drafts are validated (forms reach them without serde). docs/security.md lists the limits.
//!
//! Fields use the readers in [`bounded`] with the constant as the limit, e.g.
//! `#[serde(deserialize_with = "crate::limits::bounded::option_vec::<_, _, { crate::limits::TAGS }>")]`,
//! and state the same maximum in the API document (`schema(max_items = 30)`).

/// Languages of a campaign (and so its universal message and a message's templates).
pub const LANGUAGES: usize = 20;
/// Tags of one partner.
pub const TAGS: usize = 30;
/// Values of one condition of a segment, e.g. the countries a message goes to (there are 249).
pub const SEGMENT_VALUES: usize = 250;
/// Standard asks applied in one request.
pub const ASKS_AT_ONCE: usize = 100;
/// Assets sent to a partner in one request.
pub const ASSETS_AT_ONCE: usize = 100;
/// Templates of one message: one per language, for every partner category and as a variant for each
/// of the five categories (20 × 6).
pub const TEMPLATES: usize = 120;
/// Partners or events changed by one bulk action.
pub const BULK: usize = 500;
/// Values of a list of named choices (categories, tiers, stages, audiences, weekdays…): no list of
/// choices has more than this many, so a longer list can only repeat them.
pub const CHOICES: usize = 16;
/// Fields of one form a browser posts (the longest, a campaign's settings in 20 languages, has
/// about 150).
pub const FORM_FIELDS: usize = 1000;
/// Entries of the audit log on one page (the page, the API and the CSV download read it in pages of
/// at most this many).
pub const AUDIT_PAGE: usize = 200;
/// The longest reason an owner gives for erasing a person's data, in characters.
pub const ERASURE_REASON: usize = 500;
/// The longest reason for rejecting or hiding an activity of the catalogue, in characters.
pub const ACTIVITY_REASON: usize = 1000;
/// Submitted activities a campaign keeps waiting for review: past it, submissions are refused until the
/// team reviews some (the public form must not fill the database).
pub const ACTIVITIES_WAITING: i64 = 500;

/// The words for a list that is too long, for forms as for the API: "at most 30 items".
pub fn too_many(limit: usize) -> String {
    format!("at most {limit} items")
}

/// Serde readers that stop at a list's or map's maximum.
pub mod bounded {
    use std::collections::BTreeMap;
    use std::fmt;
    use std::marker::PhantomData;

    use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

    /// A list of at most `N` items, for `deserialize_with`.
    pub fn vec<'de, D: Deserializer<'de>, T: Deserialize<'de>, const N: usize>(d: D) -> Result<Vec<T>, D::Error> {
        d.deserialize_seq(ListVisitor::<T, N>(PhantomData))
    }

    /// An optional list of at most `N` items (`null` or absent is `None`).
    pub fn option_vec<'de, D: Deserializer<'de>, T: Deserialize<'de>, const N: usize>(
        d: D,
    ) -> Result<Option<Vec<T>>, D::Error> {
        Ok(Option::<List<T, N>>::deserialize(d)?.map(|l| l.0))
    }

    /// An optional map of at most `N` entries; a key sent twice counts twice.
    pub fn option_map<'de, D, K, V, const N: usize>(d: D) -> Result<Option<BTreeMap<K, V>>, D::Error>
    where
        D: Deserializer<'de>,
        K: Deserialize<'de> + Ord,
        V: Deserialize<'de>,
    {
        Ok(Option::<Map<K, V, N>>::deserialize(d)?.map(|m| m.0))
    }

    /// A map of at most `N` entries.
    pub fn map<'de, D, K, V, const N: usize>(d: D) -> Result<BTreeMap<K, V>, D::Error>
    where
        D: Deserializer<'de>,
        K: Deserialize<'de> + Ord,
        V: Deserialize<'de>,
    {
        d.deserialize_map(MapVisitor::<K, V, N>(PhantomData))
    }

    struct List<T, const N: usize>(Vec<T>);

    impl<'de, T: Deserialize<'de>, const N: usize> Deserialize<'de> for List<T, N> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            vec::<D, T, N>(d).map(List)
        }
    }

    struct Map<K, V, const N: usize>(BTreeMap<K, V>);

    impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>, const N: usize> Deserialize<'de> for Map<K, V, N> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            map::<D, K, V, N>(d).map(Map)
        }
    }

    struct ListVisitor<T, const N: usize>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>, const N: usize> Visitor<'de> for ListVisitor<T, N> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            write!(f, "a list of at most {N} items")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            // The reader's size hint is the client's word: never reserve more than the limit.
            let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(N));
            while let Some(item) = seq.next_element()? {
                if items.len() == N {
                    return Err(de::Error::custom(super::too_many(N)));
                }
                items.push(item);
            }
            Ok(items)
        }
    }

    struct MapVisitor<K, V, const N: usize>(PhantomData<(K, V)>);

    impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>, const N: usize> Visitor<'de> for MapVisitor<K, V, N> {
        type Value = BTreeMap<K, V>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            write!(f, "an object of at most {N} entries")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<BTreeMap<K, V>, A::Error> {
            let mut entries = BTreeMap::new();
            let mut read = 0;
            while let Some((key, value)) = access.next_entry()? {
                read += 1;
                if read > N {
                    return Err(de::Error::custom(format!("at most {N} entries")));
                }
                entries.insert(key, value);
            }
            Ok(entries)
        }
    }
}

/// `items` without repeats, in the order they first came: linear, whatever the list's length.
pub fn without_repeats<T: std::hash::Hash + Eq + Clone>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut seen = std::collections::HashSet::new();
    items.into_iter().filter(|item| seen.insert(item.clone())).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Input {
        #[serde(default, deserialize_with = "super::bounded::option_vec::<_, _, 3>")]
        tags: Option<Vec<String>>,
        #[serde(default, deserialize_with = "super::bounded::option_map::<_, _, _, 2>")]
        message: Option<BTreeMap<String, String>>,
        #[serde(default, deserialize_with = "super::bounded::vec::<_, _, { super::CHOICES }>")]
        days: Vec<u8>,
    }

    fn read(json: &str) -> Result<Input, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn lists_and_maps_stop_at_their_limit() {
        let ok = read(r#"{"tags": ["a", "b", "c"], "message": {"hr": "x", "en": "y"}, "days": [1, 2]}"#).unwrap();
        assert_eq!(ok.tags.map(|t| t.len()), Some(3));
        assert_eq!(ok.message.map(|m| m.len()), Some(2));
        assert_eq!(ok.days, [1, 2]);
        let absent = read(r#"{"tags": null}"#).unwrap();
        assert!(absent.tags.is_none() && absent.message.is_none() && absent.days.is_empty());
        assert!(read(r#"{"tags": ["a", "b", "c", "d"]}"#).unwrap_err().starts_with("at most 3 items"));
        // Repeated keys count: a map cannot be inflated by sending one key a million times.
        let repeated = read(r#"{"message": {"hr": "x", "hr": "y", "hr": "z"}}"#).unwrap_err();
        assert!(repeated.starts_with("at most 2 entries"), "{repeated}");
        assert!(read(r#"{"days": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}"#).unwrap_err().starts_with("at most 16 items"));
        assert!(read(r#"{"tags": "a"}"#).unwrap_err().contains("a list of at most 3 items"));
    }

    /// The reader stops at the first item too many: the rest of a huge list is never read (a
    /// malformed tail after it is not even seen).
    #[test]
    fn the_rest_of_a_long_list_is_not_read() {
        let mut json = String::from(r#"{"tags": ["a", "b", "c", "d", "#);
        json.push_str(&"\"x\", ".repeat(100_000));
        json.push_str("this is not JSON");
        assert!(read(&json).unwrap_err().starts_with("at most 3 items"));
    }

    #[test]
    fn repeats_go_in_linear_time_keeping_the_first() {
        assert_eq!(super::without_repeats(["b", "a", "b", "c", "a"]), ["b", "a", "c"]);
        let many: Vec<u32> = (0..200_000).map(|i| i % 1000).collect();
        assert_eq!(super::without_repeats(many).len(), 1000);
    }
}

//! The query string of a partner list, read the same way by the API and the Partners page.

use rally_domain::{Category, PartnerId, Stage, Tier, UserId};
use rally_store::{MAX_PAGE, PartnerFilter, PartnerSort};
use serde::Deserialize;

use crate::ApiError;

/// A partner list's query string (the API's and the Partners page's), as text: each value is checked below so an error names its parameter.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PartnerListQuery {
    #[param(value_type = Option<Stage>)]
    pub(crate) stage: Option<String>,
    #[param(value_type = Option<Category>)]
    pub(crate) category: Option<String>,
    #[param(value_type = Option<Tier>)]
    pub(crate) tier: Option<String>,
    /// The owner's user id.
    #[param(value_type = Option<i64>)]
    pub(crate) owner: Option<String>,
    #[param(value_type = Option<bool>)]
    pub(crate) high_touch: Option<String>,
    /// Words that start words of the partner's name, town or region, tags, or its contacts' names and
    /// e-mail addresses, in any case and script.
    #[param(max_length = 200)]
    pub(crate) q: Option<String>,
    /// `added` (default), `name`, `priority` (highest first), `reach` (largest first), `stale` (longest in stage first)
    #[param(pattern = "^(added|name|priority|reach|stale)$")]
    pub(crate) sort: Option<String>,
    /// Page size (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    pub(crate) limit: Option<String>,
    /// `next_after` of the previous page.
    #[param(value_type = Option<i64>)]
    pub(crate) after: Option<String>,
}

fn parse<T>(
    field: &str,
    value: Option<String>,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<T>, ApiError> {
    value.filter(|v| !v.is_empty()).map(|v| parse(&v).map_err(|e| ApiError::invalid(field, e))).transpose()
}

impl PartnerListQuery {
    pub(crate) fn into_filter(self) -> Result<PartnerFilter, ApiError> {
        let number = |v: &str| v.parse::<i64>().map_err(|_| format!("`{v}` is not a number"));
        let limit = parse("limit", self.limit, |v| {
            v.parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or_else(|| format!("must be 1 to {MAX_PAGE}"))
        })?;
        Ok(PartnerFilter {
            stage: parse("stage", self.stage, Stage::parse)?,
            category: parse("category", self.category, Category::parse)?,
            tier: parse("tier", self.tier, Tier::parse)?,
            owner: parse("owner", self.owner, number)?.map(UserId),
            high_touch: parse("high_touch", self.high_touch, |v| {
                v.parse::<bool>().map_err(|_| "must be true or false".into())
            })?,
            q: parse("q", self.q, |q| {
                if q.chars().count() > 200 { Err("must be at most 200 characters".into()) } else { Ok(q.to_owned()) }
            })?,
            sort: parse("sort", self.sort, PartnerSort::parse)?.unwrap_or_default(),
            limit: limit.unwrap_or(rally_store::DEFAULT_PAGE),
            after: parse("after", self.after, number)?.map(PartnerId),
        })
    }
}

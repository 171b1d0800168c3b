//! `GET /api/v1/campaigns/{campaign}/partners`

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use rally_domain::{Category, Partner, PartnerId, Stage, Tier, UserId};
use rally_store::{MAX_PAGE, PartnerFilter, PartnerSort};
use serde::{Deserialize, Serialize};

use crate::extract::Auth;
use crate::{ApiError, AppState, Problem};

/// The query string, as text: each value is checked below so an error names its parameter.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
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
    /// Words that start words of the partner's name, in any case and script.
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

/// A page of partners.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PartnerPage {
    pub items: Vec<Partner>,
    /// Pass as `after` for the next page; `null` on the last page.
    pub next_after: Option<i64>,
}

fn parse<T>(
    field: &str,
    value: Option<String>,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<T>, ApiError> {
    value.filter(|v| !v.is_empty()).map(|v| parse(&v).map_err(|e| ApiError::invalid(field, e))).transpose()
}

impl ListQuery {
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

/// A campaign's partners, filtered and sorted, one keyset page at a time.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/partners", tag = "partners",
    params(("campaign" = String, Path, description = "Campaign id or slug"), ListQuery),
    responses((status = 200, body = PartnerPage, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn list_partners(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<PartnerPage>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::invalid("query", e.body_text()))?;
    let filter = query.into_filter()?;
    let id = app.campaign_id(&campaign).await?;
    let page = app.store.partners(auth.actor(), id, &filter).await?;
    Ok(Json(PartnerPage { items: page.items, next_after: page.next_after }))
}

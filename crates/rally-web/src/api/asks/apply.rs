//! `POST /api/v1/campaigns/{campaign}/asks/apply`

use axum::Json;
use axum::extract::{Path, State};
use rally_domain::{AskId, Category, Stage, Tier, UserId};
use rally_store::{Applied, PartnerFilter};
use serde::Deserialize;

use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Standard asks and the partners to propose them to.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyAsks {
    /// Standard asks of this campaign (1 to 100).
    #[serde(deserialize_with = "rally_domain::limits::bounded::vec::<_, _, { rally_domain::limits::ASKS_AT_ONCE }>")]
    #[schema(max_items = 100)]
    #[schema(min_items = 1)]
    pub asks: Vec<AskId>,
    /// Which partners: every condition given must hold; `{}` means every open partner. Each ask then
    /// reaches only the partners of the segment it is meant for (its categories and tiers).
    pub segment: PartnerSegment,
    /// Only say who would get what: the same statements run and are rolled back.
    #[serde(default)]
    pub preview: bool,
}

/// A segment of the campaign's open partners (closed ones are always left out).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerSegment {
    pub category: Option<Category>,
    pub tier: Option<Tier>,
    pub stage: Option<Stage>,
    /// The owner's user id.
    pub owner: Option<UserId>,
    pub high_touch: Option<bool>,
}

/// Propose standard asks to every partner of a segment at once, e.g. all low-reach media partners. Each
/// ask reaches only the partners it is meant for (its categories and tiers; none listed means all); the
/// answer says, per ask, how many it reached, how many had it already (they keep their commitment) and
/// how many it left out because it is not for them. `"preview": true` answers the same without writing.
/// Owners and coordinators.
#[utoipa::path(post, path = "/api/v1/campaigns/{campaign}/asks/apply", tag = "asks", request_body = ApplyAsks,
    params(("campaign" = String, Path, description = "Campaign id or slug")),
    responses((status = 200, body = Applied, description = "Per ask: partners reached, commitments proposed, partners that had it already, partners it is not for"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn apply_asks(
    State(app): State<AppState>,
    auth: Auth,
    Path(campaign): Path<String>,
    JsonBody(body): JsonBody<ApplyAsks>,
) -> Result<Json<Applied>, ApiError> {
    let s = body.segment;
    let segment = PartnerFilter {
        stage: s.stage,
        category: s.category,
        tier: s.tier,
        owner: s.owner,
        high_touch: s.high_touch,
        ..PartnerFilter::default()
    };
    let id = app.campaign_id(&campaign).await?;
    Ok(Json(app.store.apply_asks(auth.actor(), id, &body.asks, &segment, body.preview).await?))
}

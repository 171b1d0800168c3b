//! `POST /api/v1/activities/{id}/review`

use axum::Json;
use axum::extract::State;
use rally_domain::ActivityId;
use rally_domain::activity::{Activity, ReviewCheck};
use rally_store::activities::Review;
use serde::Deserialize;

use crate::extract::{Auth, Id, JsonBody};
use crate::{ApiError, AppState, Problem};

/// The team's decision on a submitted activity.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Listed in the catalogue: every check of the checklist must be ticked.
    List,
    /// Not listed: the reason is e-mailed to the submitter, in the language they used the site in.
    Reject,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    pub decision: Decision,
    /// For `list`: the checks ticked (all of them are required).
    #[serde(default, deserialize_with = "rally_domain::limits::bounded::vec::<_, _, 16>")]
    #[schema(max_items = 16)]
    pub checklist: Vec<ReviewCheck>,
    /// For `reject`: why, as the submitter will read it.
    #[serde(default)]
    #[schema(max_length = 1000, pattern = "@text")]
    pub reason: String,
}

/// List or reject a submitted activity. Listing needs every check of the review checklist (works
/// without sign-up or payment, age-appropriate, accessible, in the stated languages); a rejection
/// needs a reason, which is e-mailed to the submitter. Owners, coordinators and members.
#[utoipa::path(post, path = "/api/v1/activities/{id}/review", tag = "activities", request_body = ReviewBody,
    params(("id" = i64, Path, description = "Activity id")),
    responses((status = 200, body = Activity, description = "OK"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 409, body = Problem, description = "The activity is not waiting for review"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn review_activity(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    JsonBody(body): JsonBody<ReviewBody>,
) -> Result<Json<Activity>, ApiError> {
    let id = ActivityId(id);
    let (review, mail) = match body.decision {
        Decision::List => (Review::List { checks: body.checklist }, None),
        Decision::Reject => {
            let activity = app.store.activity(auth.actor(), id).await?;
            let campaign = app.store.campaign(auth.actor(), activity.campaign_id).await?.campaign.fields.name;
            let reason = body.reason.trim().to_owned();
            let mail = crate::kit::activity_mail::rejection_mail(&activity, &campaign, &reason);
            (Review::Reject { reason }, mail)
        }
    };
    Ok(Json(app.store.review_activity(auth.actor(), id, review, mail, chrono::Utc::now()).await?))
}

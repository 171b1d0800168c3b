//! `GET|PUT /api/v1/partners/{id}/do-not-contact`

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use rally_domain::PartnerId;
use serde::{Deserialize, Serialize};

use crate::extract::{Auth, Id, JsonBody};
use crate::{ApiError, AppState, Problem};

/// Until when marketing e-mail to a partner's contacts is held back.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DoNotContact {
    /// No campaign marketing e-mail before this day; `null`: no hold. Planned e-mails wait.
    pub until: Option<NaiveDate>,
}

/// Whether marketing e-mail to a partner is held back.
#[utoipa::path(get, path = "/api/v1/partners/{id}/do-not-contact", tag = "comms",
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = DoNotContact, description = "OK"), (status = 404, body = Problem, description = "Not found, or not visible to you")))]
pub async fn get_do_not_contact(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> Result<Json<DoNotContact>, ApiError> {
    let until = app.store.do_not_contact(auth.actor(), PartnerId(id)).await?;
    Ok(Json(DoNotContact { until }))
}

/// Hold back marketing e-mail to a partner's contacts until a day (the partner asked for a pause), or
/// release it.
#[utoipa::path(put, path = "/api/v1/partners/{id}/do-not-contact", tag = "comms", request_body = DoNotContact,
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = DoNotContact, description = "OK"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn set_do_not_contact(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    JsonBody(body): JsonBody<DoNotContact>,
) -> Result<Json<DoNotContact>, ApiError> {
    app.store.set_do_not_contact(auth.actor(), PartnerId(id), body.until).await?;
    Ok(Json(body))
}

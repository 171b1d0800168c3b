//! `POST /api/v1/partners/{id}/commitments`

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rally_domain::{AskDraft, AskId, Commitment, CommitmentDraft, FieldError, Invalid, PartnerId};
use rally_store::StoreError;
use serde::Deserialize;

use crate::extract::{Auth, Id, JsonBody};
use crate::{ApiError, AppState, Problem};

/// An ask to propose to the partner: an existing one (`ask_id`) or a new custom ask (`ask`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommitment {
    /// A standard ask of the partner's campaign, or a custom ask written for this partner.
    pub ask_id: Option<AskId>,
    /// A new custom ask for this partner alone (`title` required). Send `ask_id` or `ask`, not both.
    pub ask: Option<AskDraft>,
    /// Where the commitment starts: `proposed` unless said otherwise.
    pub commitment: Option<CommitmentDraft>,
}

/// Propose an ask to a partner — a standard ask, or a custom ask written for this partner (a
/// high-touch partner's "host events in 40 schools") — or record what the partner already agreed to.
/// One commitment per ask and partner.
#[utoipa::path(post, path = "/api/v1/partners/{id}/commitments", tag = "commitments", request_body = NewCommitment,
    params(("id" = i64, Path, description = "Partner id")),
    responses((status = 201, body = Commitment, description = "Created"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"),
              (status = 409, body = Problem, description = "The ask is already proposed to this partner"), (status = 422, body = Problem, description = "Invalid input; `errors` names every offending field")))]
pub async fn create_commitment(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    JsonBody(body): JsonBody<NewCommitment>,
) -> Result<(StatusCode, Json<Commitment>), ApiError> {
    let today = crate::api::today();
    let draft = body.commitment.unwrap_or_default();
    let created = match (body.ask_id, body.ask) {
        (Some(ask), None) => app.store.propose(auth.actor(), PartnerId(id), ask, draft, today).await,
        (None, Some(ask)) => {
            let ask = ask.validate(today, None).map_err(|e| nested("ask.", e))?;
            app.store.propose_custom(auth.actor(), PartnerId(id), ask, draft, today).await
        }
        _ => {
            return Err(ApiError::invalid(
                "ask_id",
                "send either `ask_id` (an existing ask) or `ask` (a new custom ask for this partner)",
            ));
        }
    };
    let commitment = created.map_err(|e| match e {
        // The store checks the commitment's fields; the client sent them under `commitment`.
        StoreError::Invalid(invalid) => nested("commitment.", invalid),
        e => e.into(),
    })?;
    Ok((StatusCode::CREATED, Json(commitment)))
}

/// Field errors named by where the client sent the field: under `prefix`, except `ask_id`.
fn nested(prefix: &str, Invalid(errors): Invalid) -> ApiError {
    let named = |e: FieldError| {
        if e.field == "ask_id" { e } else { FieldError { field: format!("{prefix}{}", e.field), ..e } }
    };
    ApiError::Invalid(errors.into_iter().map(named).collect())
}

//! `POST /api/v1/messages/{id}/test-send`

use axum::Json;
use axum::extract::State;
use rally_comms::PlanError;
use rally_domain::ContactId;
use serde::{Deserialize, Serialize};

use super::may_edit;
use super::preview::not_in_segment;
use crate::extract::{Auth, Id, JsonBody};
use crate::{ApiError, AppState, Problem};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestSendBody {
    /// The contact to render the message for; left out: the first contact of its segment that gets it.
    pub contact: Option<ContactId>,
}

/// Where a test e-mail went.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TestSent {
    /// Your own address: a test e-mail never goes anywhere else.
    pub to: String,
    /// The contact it was rendered for.
    #[serde(rename = "for")]
    pub for_email: String,
}

/// Send yourself the message as one contact would get it, with "[Test]" before the subject. It goes to
/// your own address only, and touches neither the outbox nor the contact's cadence. Owners and
/// coordinators.
#[utoipa::path(post, path = "/api/v1/messages/{id}/test-send", tag = "comms", request_body = TestSendBody,
    params(("id" = i64, Path, description = "Message id")),
    responses((status = 200, body = TestSent, description = "Sent"), (status = 403, body = Problem, description = "Your role in this campaign does not allow this"), (status = 404, body = Problem, description = "Not found, or not visible to you"), (status = 422, body = Problem, description = "The contact is not in the segment, or a template does not render for it"), (status = 502, body = Problem, description = "The mail server did not take the e-mail"), (status = 503, body = Problem, description = "This server sends no mail")))]
pub async fn test_send(
    State(app): State<AppState>,
    auth: Auth,
    Id(id): Id,
    JsonBody(body): JsonBody<TestSendBody>,
) -> Result<Json<TestSent>, ApiError> {
    let transport = app.mail.clone().ok_or(ApiError::NoMail)?;
    let (message, _) = app.store.message(auth.actor(), id).await?;
    may_edit(&app, &auth, message.campaign_id).await?;
    let base = app.public_url.as_str();
    let store = &*app.store;
    // Rendered first, so a template or contact problem is the user's (422), not the mail server's.
    rally_comms::plan::preview(store, auth.actor(), id, body.contact, base)
        .await
        .map_err(|e| not_in_segment(e, body.contact))?;
    let to = auth.0.email.clone();
    let for_email = rally_comms::plan::send_test(store, &transport, auth.actor(), id, body.contact, &to, base)
        .await
        .map_err(|e| match e {
            PlanError::Invalid(message) => ApiError::MailServer(message),
            e => e.into(),
        })?;
    Ok(Json(TestSent { to: to.to_string(), for_email }))
}

//! `GET /api/v1/link/{token}`

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use chrono::NaiveDate;
use rally_domain::{Asset, AssetId, AssetKind, Commitment, LanguageTag, MediaType, StoredFile};
use serde::Serialize;

use super::LinkPath;
use crate::{ApiError, AppState, Problem};

/// What a partner sees through its link: its own name, the campaign, its commitments and the assets
/// sent to it — none of the team's notes, owners or estimates.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkPage {
    pub partner: LinkPartner,
    pub campaign: LinkCampaign,
    /// Open ones first, by due date. Answer proposed ones with `POST …/commitments/{id}`.
    pub commitments: Vec<Commitment>,
    /// The assets sent to the partner; download a file with `GET …/assets/{id}/file`.
    pub assets: Vec<LinkAsset>,
    pub logo: Option<LinkLogo>,
    /// The partner asked not to be shown among the campaign's partners.
    pub recognition_opt_out: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkPartner {
    pub name: String,
    pub website: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkCampaign {
    pub name: String,
    pub slug: String,
    /// The campaign's message, one text per language.
    #[schema(value_type = BTreeMap<String, String>)]
    pub message: BTreeMap<LanguageTag, String>,
    /// First day of campaign week.
    pub starts_on: NaiveDate,
    /// Last day of campaign week.
    pub ends_on: NaiveDate,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkAsset {
    pub id: AssetId,
    pub title: String,
    pub kind: AssetKind,
    pub description: String,
    /// The file to download, for a file asset.
    pub file: Option<LinkFile>,
    /// The address, for a link asset.
    pub url: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkFile {
    pub filename: String,
    pub media_type: MediaType,
    pub size: i64,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// The partner's logo as Rally shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkLogo {
    pub media_type: MediaType,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

impl From<&StoredFile> for LinkLogo {
    fn from(f: &StoredFile) -> Self {
        LinkLogo { media_type: f.media_type, width: f.width, height: f.height }
    }
}

impl From<Asset> for LinkAsset {
    fn from(a: Asset) -> Self {
        let file = a.file.map(|f| LinkFile {
            filename: f.filename,
            media_type: f.media_type,
            size: f.size,
            width: f.width,
            height: f.height,
        });
        LinkAsset {
            id: a.id,
            title: a.fields.title,
            kind: a.fields.kind,
            description: a.fields.description,
            file,
            url: a.fields.url,
        }
    }
}

/// The partner's page, as JSON.
#[utoipa::path(get, path = "/api/v1/link/{token}", tag = "partner link", security(()),
    params(("token" = String, Path, description = "The secret of the partner's link")),
    responses((status = 200, body = LinkPage, description = "OK"), (status = 404, body = Problem, description = "Unknown or revoked link")))]
pub async fn link_view(State(app): State<AppState>, link: LinkPath) -> Result<impl IntoResponse, ApiError> {
    let view = app.store.link_view(&link.token_hash).await?;
    let c = view.campaign.fields;
    let page = LinkPage {
        partner: LinkPartner { name: view.partner.fields.name, website: view.partner.fields.website },
        campaign: LinkCampaign {
            name: c.name,
            slug: c.slug.to_string(),
            message: c.message,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
        },
        commitments: view.commitments,
        assets: view.assets.into_iter().map(LinkAsset::from).collect(),
        logo: view.profile.logo.as_ref().map(LinkLogo::from),
        recognition_opt_out: view.profile.recognition_opt_out,
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(page)))
}

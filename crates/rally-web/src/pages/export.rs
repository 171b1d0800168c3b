//! `/campaigns/{slug}/export/{kind}.{csv|jsonl}`: the download buttons of the partner list and the events
//! page. The file streams as the rows are read; the team's read right is checked before the first byte.

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rally_domain::export::Format;

use super::{PageError, SignedIn};
use crate::AppState;
use rally_files::export::{Kind, Sink, write_all};

/// A download: chunks go to the response body through a small channel, so a slow client slows the
/// export instead of filling memory.
struct Download(tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>);

impl Sink for Download {
    async fn take(&mut self, chunk: String) -> bool {
        self.0.send(Ok(Bytes::from(chunk))).await.is_ok()
    }
}

/// Whether a CSV download starts with the byte-order mark Excel needs: yes, unless the "for Excel" box
/// was unticked (`excel=0`; the form sends a hidden `excel=0` before the box's `excel=1`, the last
/// value counts).
pub fn for_excel(query: &[(String, String)]) -> bool {
    query.iter().rev().find(|(k, _)| k == "excel").is_none_or(|(_, v)| v != "0")
}

/// `GET /campaigns/{slug}/export/{file}` where file is `partners.csv`, `contacts.jsonl`, …
pub async fn download(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, file)): Path<(String, String)>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    stream_file(app, me, slug, &file, for_excel(&query)).await
}

/// `GET /campaigns/{slug}/export?file=partners.csv&excel=1`: the download form of the partner list.
pub async fn download_form(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let file = query.iter().find(|(k, _)| k == "file").map(|(_, v)| v.clone()).unwrap_or_default();
    stream_file(app, me, slug, &file, for_excel(&query)).await
}

async fn stream_file(
    app: AppState,
    me: SignedIn,
    slug: String,
    file: &str,
    excel: bool,
) -> Result<Response, PageError> {
    let (kind, format) = file.rsplit_once('.').ok_or(PageError::NotFound)?;
    let kind = Kind::parse(kind).map_err(|_| PageError::NotFound)?;
    let format = Format::parse(format).map_err(|_| PageError::NotFound)?;
    stream(app, me, slug, kind, format, excel).await
}

/// `GET /campaigns/{slug}/events.csv`: the events page's CSV.
pub async fn events_csv(
    State(app): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    stream(app, me, slug, Kind::Events, Format::Csv, for_excel(&query)).await
}

async fn stream(
    app: AppState,
    me: SignedIn,
    slug: String,
    kind: Kind,
    format: Format,
    excel: bool,
) -> Result<Response, PageError> {
    // Not on the team: "not found", before anything is sent.
    let campaign = app.store.campaign_by_slug(me.actor(), &slug).await?.campaign.id;
    // Personal data leaving Rally: the download is an audit entry.
    let detail = serde_json::json!({ "format": format.extension() });
    app.store.record_download(me.actor(), campaign, kind.as_str(), detail).await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let actor = me.actor();
    tokio::spawn(async move {
        let mut sink = Download(tx.clone());
        if format == Format::Csv && excel && !sink.take(rally_domain::export::EXCEL_BOM.to_owned()).await {
            return;
        }
        if let Err(e) = write_all(&*app.store, actor, campaign, kind, format, &mut sink).await {
            tracing::error!(error = %e, "export failed part way");
            let _ = tx.send(Err(std::io::Error::other("the export failed; try again"))).await;
        }
    });
    let body =
        Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) }));
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.media_type()));
    if let Ok(v) =
        HeaderValue::from_str(&format!("attachment; filename=\"{slug}-{}.{}\"", kind.as_str(), format.extension()))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// `GET /campaigns/{slug}/plan.docx` and `plan.md`: the action plan as a document.
pub async fn plan_document(
    State(app): State<AppState>,
    me: SignedIn,
    Path((slug, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let campaign = app.store.campaign_by_slug(me.actor(), &slug).await?.campaign.id;
    let doc = rally_files::plan_doc::gather(&*app.store, me.actor(), campaign, chrono::Utc::now().date_naive()).await?;
    let (bytes, media) = match file.as_str() {
        "plan.docx" => (
            crate::blocking::run(move || doc.docx()).await?.map_err(|e| {
                tracing::error!(error = %e, "plan document failed");
                PageError::Internal
            })?,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        "plan.md" => (doc.markdown().into_bytes(), "text/markdown; charset=utf-8"),
        _ => return Err(PageError::NotFound),
    };
    Ok(crate::kit::attachment(bytes, media, &format!("{slug}-{file}")))
}

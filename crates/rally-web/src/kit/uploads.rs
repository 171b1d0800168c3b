//! Uploads over HTTP: multipart forms read with their file streamed to the file store's temporary
//! directory and checked there ([`rally_files::FileStore::check`]), refusals in words for the uploader,
//! and stored files served so that they never run as part of Rally's pages. Used by the API and the
//! team app alike.

use std::path::Path;

use axum::extract::Multipart;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rally_domain::StoredFile;
use rally_domain::asset::safe_filename;
use rally_domain::upload::UploadError;
use rally_files::{CheckedFile, FileStore, MAX_UPLOAD_BYTES, TempFile};

/// Why an upload was refused, in words for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadProblem {
    /// Too big (413).
    TooLarge,
    /// Not a form upload, or a broken one (400).
    Malformed(String),
    /// The file itself is refused (422), with the field it came in.
    Refused { field: String, message: String },
    /// The file store failed (503); logged.
    Unavailable,
}

impl UploadProblem {
    pub fn message(&self) -> String {
        match self {
            UploadProblem::TooLarge => {
                format!("the file is larger than the limit of {} MB", MAX_UPLOAD_BYTES / (1024 * 1024))
            }
            UploadProblem::Malformed(m) => m.clone(),
            UploadProblem::Refused { message, .. } => message.clone(),
            UploadProblem::Unavailable => "the file could not be stored right now; try again shortly".into(),
        }
    }
}

/// What a form's file may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accept {
    /// An asset of the library: PNG, JPEG, WebP, SVG or PDF.
    Assets,
    /// A logo: a picture a browser shows (PNG, JPEG, WebP or SVG).
    Images,
}

impl Accept {
    /// The types, as the uploader is told them.
    pub fn types(self) -> &'static str {
        match self {
            Accept::Assets => "PNG, JPEG, WebP, SVG or PDF",
            Accept::Images => "PNG, JPEG, WebP or SVG",
        }
    }
}

/// A multipart form with at most one file: the text fields and the checked file, if one was sent.
#[derive(Debug, Default)]
pub struct UploadForm {
    pub fields: Vec<(String, String)>,
    /// The file part's field name, the checked file and the name it came under.
    pub file: Option<(String, CheckedFile, String)>,
}

/// Uploads received at once. Each streams to a temporary file, so this bounds the disk space in
/// flight; more wait (without reading their bodies) for a turn.
const UPLOADS_AT_ONCE: usize = 16;

fn upload_slots() -> std::sync::Arc<tokio::sync::Semaphore> {
    static SLOTS: std::sync::OnceLock<std::sync::Arc<tokio::sync::Semaphore>> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| std::sync::Arc::new(tokio::sync::Semaphore::new(UPLOADS_AT_ONCE))).clone()
}

/// Streams a multipart field into the file at `path` (created, or emptied), at most `limit` bytes.
pub async fn receive_into(
    field: &mut axum::extract::multipart::Field<'_>,
    path: &Path,
    limit: usize,
) -> Result<u64, UploadProblem> {
    use tokio::io::AsyncWriteExt;
    let mut file = tokio::fs::File::create(path).await.map_err(stored_problem)?;
    let mut size = 0u64;
    while let Some(chunk) = field.chunk().await.map_err(|e| multipart_problem(e.status(), e.body_text()))? {
        size += chunk.len() as u64;
        if size > limit as u64 {
            return Err(UploadProblem::TooLarge);
        }
        file.write_all(&chunk).await.map_err(stored_problem)?;
    }
    file.flush().await.map_err(stored_problem)?;
    Ok(size)
}

/// Streams a multipart field into a new temporary file of the store, refusing it past `limit` bytes.
async fn receive(
    files: &FileStore,
    field: &mut axum::extract::multipart::Field<'_>,
    limit: usize,
) -> Result<(TempFile, u64), UploadProblem> {
    let temp = files.temp_file();
    let size = receive_into(field, temp.path(), limit).await?;
    Ok((temp, size))
}

/// A failure of the file store while receiving an upload: logged; the uploader is told to try again.
fn stored_problem(e: impl std::fmt::Display) -> UploadProblem {
    tracing::error!(error = %e, "receiving an upload");
    UploadProblem::Unavailable
}

impl UploadForm {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Reads a multipart body: text fields into memory (at most 100, 64 KB each), the file part
    /// streamed to a temporary file and then checked by its content, whatever its name or declared
    /// type; it must be of a type `accept` takes (the refusal says which). An empty file part (a form
    /// sent without choosing a file) counts as no file.
    pub async fn read(
        mut multipart: Multipart,
        accept: Accept,
        files: &FileStore,
    ) -> Result<UploadForm, UploadProblem> {
        let _turn = upload_slots().acquire_owned().await.map_err(|_| stored_problem("closed"))?;
        let mut form = UploadForm::default();
        loop {
            let mut field = match multipart.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => return Err(multipart_problem(e.status(), e.body_text())),
            };
            let name = field.name().unwrap_or_default().to_owned();
            let Some(filename) = field.file_name().map(str::to_owned) else {
                if form.fields.len() >= 100 {
                    return Err(UploadProblem::Malformed("too many form fields".into()));
                }
                let mut text = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|e| multipart_problem(e.status(), e.body_text()))? {
                    text.extend_from_slice(&chunk);
                    if text.len() > MAX_TEXT_FIELD_BYTES {
                        return Err(UploadProblem::Malformed(format!("the field `{name}` is too long")));
                    }
                }
                let text = String::from_utf8(text)
                    .map_err(|_| UploadProblem::Malformed(format!("the field `{name}` is not UTF-8 text")))?;
                form.fields.push((name, text));
                continue;
            };
            let (temp, size) = receive(files, &mut field, MAX_UPLOAD_BYTES).await?;
            if size == 0 && filename.is_empty() {
                continue;
            }
            if form.file.is_some() {
                return Err(UploadProblem::Malformed("send one file at a time".into()));
            }
            let refused = |message: String| UploadProblem::Refused { field: name.clone(), message };
            let checked = files.check(temp).await.map_err(stored_problem)?.map_err(|e| match e {
                UploadError::Unsupported { looks_like } => refused(format!(
                    "unsupported file type{}; choose a {} file",
                    looks_like.map_or(String::new(), |l| format!(": it looks like {l}")),
                    accept.types()
                )),
                e => refused(e.to_string()),
            })?;
            if accept == Accept::Images && !checked.media_type.is_image() {
                return Err(refused(format!(
                    "a logo is a picture: choose a {} file, not a {} file",
                    accept.types(),
                    checked.media_type.label()
                )));
            }
            form.file = Some((name, checked, filename));
        }
        Ok(form)
    }

    /// Stores the checked file, if any, and describes it for the database.
    pub async fn store_file(&self, files: &FileStore) -> std::io::Result<Option<StoredFile>> {
        let Some((_, checked, filename)) = &self.file else { return Ok(None) };
        files.keep(checked).await?;
        Ok(Some(StoredFile {
            sha256: checked.sha256.clone(),
            media_type: checked.media_type,
            size: checked.size as i64,
            filename: safe_filename(filename, checked.media_type),
            width: checked.dimensions.map(|d| d.0),
            height: checked.dimensions.map(|d| d.1),
        }))
    }
}

/// The longest text field of an upload form (a title, a description).
const MAX_TEXT_FIELD_BYTES: usize = 64 * 1024;

fn multipart_problem(status: StatusCode, text: String) -> UploadProblem {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        UploadProblem::TooLarge
    } else {
        UploadProblem::Malformed(format!("the upload could not be read: {text}"))
    }
}

/// Serves a stored file. Uploaded files never run as part of Rally's pages: they are sent with their
/// checked type, `nosniff`, and a content security policy that forbids scripts, plugins and framing
/// (which matters for SVG); `download` adds `Content-Disposition: attachment`.
pub async fn serve_file(files: &FileStore, file: &StoredFile, download: bool) -> Response {
    match files.open_file(&file.sha256).await {
        Ok(Some((opened, size))) => {
            let mut response = axum::body::Body::from_stream(read_in_pieces(opened)).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(file.media_type.mime()));
            headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400, immutable"));
            let disposition = if download { "attachment" } else { "inline" };
            // The name is made safe when stored; non-ASCII goes in the RFC 6266 `filename*` form.
            let ascii: String = file.filename.chars().map(|c| if c.is_ascii() && c != '"' { c } else { '_' }).collect();
            let encoded: String = file
                .filename
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            if let Ok(v) =
                HeaderValue::from_str(&format!("{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
            {
                headers.insert(header::CONTENT_DISPOSITION, v);
            }
            response
        }
        Ok(None) => (StatusCode::NOT_FOUND, "file not found").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "reading a stored file");
            (StatusCode::SERVICE_UNAVAILABLE, "the file could not be read").into_response()
        }
    }
}

/// A file as a stream of 64 KB pieces: a download never holds the whole file in memory.
fn read_in_pieces(
    file: tokio::fs::File,
) -> impl futures_util::Stream<Item = std::io::Result<axum::body::Bytes>> + Send + 'static {
    futures_util::stream::try_unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut piece = vec![0u8; 64 * 1024];
        let n = file.read(&mut piece).await?;
        if n == 0 {
            return Ok(None);
        }
        piece.truncate(n);
        Ok(Some((axum::body::Bytes::from(piece), file)))
    })
}

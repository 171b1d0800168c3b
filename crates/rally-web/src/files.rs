//! Uploaded files: checked by content at the edge ([`rally_domain::upload`]), then kept in a
//! content-addressed store under the data directory — a file's name is the SHA-256 of its bytes, so the
//! same logo uploaded twice is stored once and a stored file never changes.
//!
//! Files are written to a temporary name, flushed to disk and renamed into place, so a crash leaves
//! either the whole file or nothing under its name. The database refers to files by hash only; a row is
//! committed after its file is on disk.

use std::path::{Path, PathBuf};

use axum::extract::Multipart;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rally_domain::StoredFile;
use rally_domain::asset::safe_filename;
use rally_domain::upload::{UploadError, check_upload_owned};
use sha2::{Digest, Sha256};

/// The largest file Rally accepts: a print-quality poster PDF fits.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// The content-addressed file store.
#[derive(Debug, Clone)]
pub struct FileStore {
    /// Shared: the application state (and so this) is cloned for every request.
    dir: std::sync::Arc<Path>,
}

impl FileStore {
    /// Opens (creating) the store in `dir`.
    pub fn open(dir: impl Into<PathBuf>) -> std::io::Result<FileStore> {
        let dir = dir.into();
        std::fs::create_dir_all(dir.join("tmp"))?;
        Ok(FileStore { dir: dir.into() })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the file with this hash lives; `None` for anything that is not a SHA-256 in hex, so a
    /// hash can never name a path outside the store.
    fn path(&self, sha256: &str) -> Option<PathBuf> {
        let valid = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        valid.then(|| self.dir.join(&sha256[..2]).join(sha256))
    }

    /// Stores `bytes` and returns their SHA-256 (hex). Storing the same bytes again is a no-op.
    pub async fn put(&self, bytes: Vec<u8>) -> std::io::Result<String> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.put_blocking(&bytes)).await.map_err(std::io::Error::other)?
    }

    fn put_blocking(&self, bytes: &[u8]) -> std::io::Result<String> {
        use std::io::Write;
        let sha256 = hex(&Sha256::digest(bytes));
        let path = self.path(&sha256).ok_or_else(|| std::io::Error::other("bad hash"))?;
        if path.exists() {
            return Ok(sha256);
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut tmp = tempfile_in(&self.dir.join("tmp"))?;
        tmp.1.write_all(bytes)?;
        tmp.1.sync_all()?;
        std::fs::rename(&tmp.0, &path)?;
        Ok(sha256)
    }

    /// A stored file opened for reading, with its size; `None` when there is no such file.
    pub async fn open_file(&self, sha256: &str) -> std::io::Result<Option<(tokio::fs::File, u64)>> {
        let Some(path) = self.path(sha256) else { return Ok(None) };
        match tokio::fs::File::open(path).await {
            Ok(file) => {
                let size = file.metadata().await?.len();
                Ok(Some((file, size)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The bytes of a stored file, `None` when there is no such file.
    pub async fn get(&self, sha256: &str) -> std::io::Result<Option<Vec<u8>>> {
        let Some(path) = self.path(sha256) else { return Ok(None) };
        match tokio::fs::read(path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

impl FileStore {
    /// Every stored file: its hash, size and when it was written.
    pub fn list(&self) -> std::io::Result<Vec<(String, u64, std::time::SystemTime)>> {
        let mut out = Vec::new();
        for shard in std::fs::read_dir(&self.dir)? {
            let shard = shard?;
            if shard.file_name() == "tmp" || !shard.file_type()?.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(shard.path())? {
                let file = file?;
                let name = file.file_name().to_string_lossy().into_owned();
                if self.path(&name).is_some() {
                    let meta = file.metadata()?;
                    out.push((name, meta.len(), meta.modified()?));
                }
            }
        }
        Ok(out)
    }

    /// Files of the Imports pages last written before `before`: uploads that were checked but never
    /// imported (an import deletes its upload) and reports of imports that stopped part way. Reports of
    /// finished imports stay with their batch.
    pub fn stale_imports(&self, before: std::time::SystemTime) -> std::io::Result<Vec<PathBuf>> {
        let dir = self.dir.join("imports");
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut stale = Vec::new();
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let leftover = name.ends_with(".upload") || name.ends_with(".partial");
            if leftover && entry.metadata()?.modified()? < before {
                stale.push(entry.path());
            }
        }
        Ok(stale)
    }

    /// Deletes a stored file (callers check that nothing uses it).
    pub fn remove(&self, sha256: &str) -> std::io::Result<()> {
        match self.path(sha256) {
            Some(path) => std::fs::remove_file(path),
            None => Ok(()),
        }
    }
}

/// A new file with a random name in `dir`, opened for writing.
fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    let name = format!("{}.part", crate::auth::random_token());
    let path = dir.join(name);
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
    Ok((path, file))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

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

/// Uploads are checked on threads of their own, this many. A check holds its file in memory (20 MB at
/// most), so this bounds the memory uploads take whatever their number; and with the large buffers
/// always on the same two threads, the allocator reuses them instead of keeping a copy in the arena
/// of every thread of the blocking pool that once held one.
const CHECKERS: usize = 2;

type Job = Box<dyn FnOnce() + Send>;

fn checkers() -> &'static std::sync::mpsc::Sender<Job> {
    static QUEUE: std::sync::OnceLock<std::sync::mpsc::Sender<Job>> = std::sync::OnceLock::new();
    QUEUE.get_or_init(|| {
        let (queue, jobs) = std::sync::mpsc::channel::<Job>();
        let jobs = std::sync::Arc::new(std::sync::Mutex::new(jobs));
        for i in 0..CHECKERS {
            let jobs = jobs.clone();
            let started = std::thread::Builder::new().name(format!("rally-upload-check-{i}")).spawn(move || {
                loop {
                    let next = match jobs.lock() {
                        Ok(jobs) => jobs.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = next else { return };
                    // A job that panics answers nobody (its caller sees the check fail); the thread goes on.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                }
            });
            if let Err(e) = started {
                tracing::error!(error = %e, "cannot start an upload checker");
            }
        }
        queue
    })
}

/// Runs `job` on an upload checker and waits (asynchronously) for its answer.
async fn on_checker<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static) -> Result<T, UploadProblem> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = answer.send(job());
    });
    checkers().send(job).map_err(|_| stored_problem("the upload checkers are gone"))?;
    answered.await.map_err(|_| stored_problem("an upload check failed"))
}

/// A file being written, removed when dropped unless it was kept.
#[derive(Debug)]
pub struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl TempFile {
    /// `path`, to be removed unless [`TempFile::keep`] is called.
    pub(crate) fn new(path: PathBuf) -> TempFile {
        TempFile { path, keep: false }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Leaves the file where it is.
    pub(crate) fn keep(mut self) {
        self.keep = true;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        // A file kept in the store was renamed away already; removing it again is harmless.
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Streams a multipart field into the file at `path` (created, or emptied), at most `limit` bytes.
pub(crate) async fn receive_into(
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

/// An upload that passed [`check_upload`], waiting on disk to be kept: what is stored is in the
/// temporary file (the upload, cut at its end marker, or the sanitized SVG), never held in memory.
#[derive(Debug)]
pub struct CheckedFile {
    temp: TempFile,
    pub sha256: String,
    pub media_type: rally_domain::upload::MediaType,
    pub size: u64,
    pub dimensions: Option<(u32, u32)>,
    /// What the check removed, for the uploader (see [`CheckedUpload::removed`]).
    pub removed: Vec<String>,
}

impl FileStore {
    /// Streams a multipart field into a new temporary file, refusing it past `limit` bytes.
    async fn receive(
        &self,
        field: &mut axum::extract::multipart::Field<'_>,
        limit: usize,
    ) -> Result<(TempFile, u64), UploadProblem> {
        let name = format!("{}.part", crate::auth::random_token());
        let temp = TempFile::new(self.dir.join("tmp").join(name));
        let size = receive_into(field, temp.path(), limit).await?;
        Ok((temp, size))
    }

    /// Checks a received file by its content — on the upload checkers, off the async workers — and
    /// leaves what is to be stored in its place, flushed to disk, with its hash.
    async fn check(&self, temp: TempFile) -> Result<Result<CheckedFile, UploadError>, UploadProblem> {
        let checked = on_checker(move || -> std::io::Result<Result<CheckedFile, UploadError>> {
            let bytes = std::fs::read(&temp.path)?;
            let received = bytes.len();
            let checked = match check_upload_owned(bytes, MAX_UPLOAD_BYTES) {
                Ok(c) => c,
                Err(e) => return Ok(Err(e)),
            };
            // Cut at the image's end, or sanitized: what is stored replaces what came.
            if checked.bytes.len() != received || checked.media_type == rally_domain::upload::MediaType::Svg {
                std::fs::write(&temp.path, &checked.bytes)?;
            }
            std::fs::File::open(&temp.path)?.sync_all()?;
            Ok(Ok(CheckedFile {
                sha256: hex(&Sha256::digest(&checked.bytes)),
                media_type: checked.media_type,
                size: checked.bytes.len() as u64,
                dimensions: checked.dimensions,
                removed: checked.removed,
                temp,
            }))
        });
        checked.await?.map_err(stored_problem)
    }

    /// Keeps a checked file under its hash (a no-op when the same bytes are stored already).
    pub async fn keep(&self, checked: &CheckedFile) -> std::io::Result<()> {
        let path = self.path(&checked.sha256).ok_or_else(|| std::io::Error::other("bad hash"))?;
        if tokio::fs::try_exists(&path).await? {
            return Ok(());
        }
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        tokio::fs::rename(&checked.temp.path, &path).await
    }
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
            let (temp, size) = files.receive(&mut field, MAX_UPLOAD_BYTES).await?;
            if size == 0 && filename.is_empty() {
                continue;
            }
            if form.file.is_some() {
                return Err(UploadProblem::Malformed("send one file at a time".into()));
            }
            let refused = |message: String| UploadProblem::Refused { field: name.clone(), message };
            let checked = files.check(temp).await?.map_err(|e| match e {
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn content_addressed_and_idempotent() {
        let dir = std::env::temp_dir().join(format!("rally-files-{}", crate::auth::random_token()));
        let files = FileStore::open(&dir).unwrap();
        let a = files.put(b"hello".to_vec()).await.unwrap();
        assert_eq!(a, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        assert_eq!(files.put(b"hello".to_vec()).await.unwrap(), a);
        assert_eq!(files.get(&a).await.unwrap().unwrap(), b"hello");
        assert_eq!(files.get("../../etc/passwd").await.unwrap(), None);
        assert_eq!(files.get(&"0".repeat(64)).await.unwrap(), None);
        assert_eq!(std::fs::read_dir(dir.join("tmp")).unwrap().count(), 0, "no temporary file left behind");
        std::fs::remove_dir_all(dir).unwrap();
    }
}

//! The content-addressed file store under the data directory: a file's name is the SHA-256 of its
//! bytes, so the same logo uploaded twice is stored once and a stored file never changes. Uploads are
//! checked by content ([`rally_domain::upload`]) on threads of their own before they are kept.
//!
//! Files are written to a temporary name, flushed to disk and renamed into place, so a crash leaves
//! either the whole file or nothing under its name. The database refers to files by hash only; a row is
//! committed after its file is on disk.

use std::path::{Path, PathBuf};

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
    let name = temp_name();
    let path = dir.join(name);
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
    Ok((path, file))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random name for a file being written: 128 bits, so two writers never pick the same one.
fn temp_name() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    format!("{}.part", hex(&bytes))
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
async fn on_checker<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static) -> std::io::Result<T> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = answer.send(job());
    });
    checkers().send(job).map_err(|_| std::io::Error::other("the upload checkers are gone"))?;
    answered.await.map_err(|_| std::io::Error::other("an upload check failed"))
}

/// A file being written, removed when dropped unless it was kept.
#[derive(Debug)]
pub struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl TempFile {
    /// `path`, to be removed unless [`TempFile::keep`] is called.
    pub fn new(path: PathBuf) -> TempFile {
        TempFile { path, keep: false }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Leaves the file where it is.
    pub fn keep(mut self) {
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

/// An upload that passed [`FileStore::check`], waiting on disk to be kept: what is stored is in the
/// temporary file (the upload, cut at its end marker, or the sanitized SVG), never held in memory.
#[derive(Debug)]
pub struct CheckedFile {
    temp: TempFile,
    pub sha256: String,
    pub media_type: rally_domain::upload::MediaType,
    pub size: u64,
    pub dimensions: Option<(u32, u32)>,
    /// What the check removed, for the uploader (see [`rally_domain::upload::CheckedUpload::removed`]).
    pub removed: Vec<String>,
}

impl FileStore {
    /// A new temporary file's path in the store's own directory (renamed into place when kept).
    pub fn temp_file(&self) -> TempFile {
        TempFile::new(self.dir.join("tmp").join(temp_name()))
    }

    /// Checks a received file by its content — on the upload checkers, off the async workers — and
    /// leaves what is to be stored in its place, flushed to disk, with its hash.
    pub async fn check(&self, temp: TempFile) -> std::io::Result<Result<CheckedFile, UploadError>> {
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
        checked.await?
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn content_addressed_and_idempotent() {
        let dir = std::env::temp_dir().join(format!("rally-files-{}", temp_name()));
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

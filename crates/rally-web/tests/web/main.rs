//! The HTTP layer over real HTTP on loopback, on SQLite and on PostgreSQL: the JSON API and the
//! team's web pages.

/// Runs each named test twice, on a fresh SQLite database and on a fresh PostgreSQL database, each
/// served by `$site::start(store)`.
macro_rules! both_backends {
    ($site:ident; $($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                let db = rally_store::testing::sqlite().await;
                super::$name(super::$site::start(db.store.clone()).await).await;
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                let Some(db) = rally_store::testing::postgres().await else { return };
                super::$name(super::$site::start(db.store.clone()).await).await;
            })*
        }
    };
}

/// A fresh file store in the system's temporary directory.
fn test_files() -> rally_files::FileStore {
    let dir = std::env::temp_dir().join(format!("rally-web-test-{}", rally_web::auth::random_token()));
    rally_files::FileStore::open(dir).unwrap_or_else(|e| panic!("file store: {e}"))
}

mod api;
mod comms;
mod imports;
mod pages;
mod reports;
mod server;
mod signin;
mod site;
mod workflow;

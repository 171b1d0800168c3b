//! The `rally` binary as its users run it, and the workspace's architecture rules.

#![allow(clippy::too_many_lines, reason = "a test reads as one story, start to end")]

/// One test per backend for each named `async fn name(database_url: &str)` of the module: a SQLite
/// file in a temporary directory, and a throwaway PostgreSQL database when one is configured.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
                let url = dir.path().join("rally.db").display().to_string();
                super::$name(&url).await;
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                let Some(url) = rally_store::testing::postgres_database().await else { return };
                super::$name(&url).await;
            })*
        }
    };
}

mod architecture;
mod audit;
mod cli;
mod config;
mod import;
mod mail;
mod privacy;
mod retention;
mod second_factor;
mod shutdown;

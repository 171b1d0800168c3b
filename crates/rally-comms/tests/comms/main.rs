//! The communication engine against real databases, on SQLite and on PostgreSQL.

#![allow(clippy::too_many_lines, reason = "a test reads as one story, start to end")]

/// Runs each named test twice, on a fresh SQLite database and on a fresh PostgreSQL database.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                let db = rally_store::testing::sqlite().await;
                super::$name(&*db.store).await;
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                let Some(db) = rally_store::testing::postgres().await else { return };
                super::$name(&*db.store).await;
            })*
        }
    };
}

mod queue;

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("unexpected error: {e}"))
}

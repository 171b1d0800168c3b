//! The HTTP layer over real HTTP on loopback, on SQLite and on PostgreSQL: the JSON API and the
//! team's web pages.

#![allow(clippy::too_many_lines, reason = "a test reads as one story, start to end")]

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

mod activities_pages;
mod activity_imports;
mod api;
mod attribution;
mod audit;
mod campaign_setup;
mod comms;
mod consent;
mod edits;
mod health;
mod imports;
mod observability;
mod pages;
mod partner_edits;
mod partner_link_consent;
mod partner_pages;
mod people;
mod privacy;
mod reports;
mod retention;
mod second_factor;
mod server;
mod sessions;
mod signin;
mod site;
mod site_activities;
mod site_map;
mod support;
mod workflow;

//! The HTTP layer over real HTTP on loopback, on SQLite and on PostgreSQL: the JSON API and the
//! team's web pages.

mod api;
mod pages;

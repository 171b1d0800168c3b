//! The `rally` binary as its users run it, and the workspace's architecture rules.

#![allow(clippy::too_many_lines, reason = "a test reads as one story, start to end")]

mod architecture;
mod cli;
mod config;
mod import;
mod mail;
mod shutdown;

//! The `rally` binary as its users run it, and the workspace's architecture rules.

mod architecture;
mod cli;
mod import;
mod mail;

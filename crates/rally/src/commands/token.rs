//! `rally token`: create, list and revoke a user's API tokens. Only a token's hash is stored, so a
//! new token is printed once and a listing never shows one.

use anyhow::Context;
use clap::Subcommand;

use super::{find_user, open};
use crate::config::Settings;

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// List a user's API tokens (ids, labels, dates; never the tokens).
    List {
        #[arg(long)]
        email: String,
    },
    /// Revoke an API token by id (from `rally token list`); requests with it are refused from then on.
    Revoke {
        #[arg(long)]
        id: i64,
    },
    /// Create an API token for a user; the token is the last line of standard output, shown only once.
    Create {
        #[arg(long)]
        email: String,
        /// What the token is for, e.g. "import script".
        #[arg(long, default_value = "cli")]
        label: String,
    },
}

pub async fn run(command: TokenCommand, settings: &Settings) -> anyhow::Result<()> {
    match command {
        TokenCommand::List { email } => {
            let store = open(&settings.database_url()?).await?;
            let user = find_user(&*store, &email).await?;
            for t in store.api_tokens(user.id).await? {
                let state =
                    t.revoked_at.map_or("active".to_owned(), |r| format!("revoked {}", r.format("%Y-%m-%d %H:%M")));
                println!("{:>6}  {}  {:<8}  {}", t.id, t.created_at.format("%Y-%m-%d %H:%M"), state, t.label);
            }
            Ok(())
        }
        TokenCommand::Revoke { id } => {
            let store = open(&settings.database_url()?).await?;
            store.revoke_api_token(id).await.with_context(|| format!("--id {id}"))?;
            println!("token {id} is revoked");
            Ok(())
        }
        TokenCommand::Create { email, label } => {
            let store = open(&settings.database_url()?).await?;
            let user = find_user(&*store, &email).await?;
            let (token, hash) = rally_web::auth::new_api_token();
            store.create_api_token(user.id, &hash, &label).await?;
            eprintln!("API token for {} (shown once; send it as `Authorization: Bearer <token>`):", user.email);
            println!("{token}");
            Ok(())
        }
    }
}

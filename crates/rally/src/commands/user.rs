//! `rally user`: add a user (the password read from standard input, never from the command line,
//! where other users of the machine could see it), print a one-time password reset link, and turn off
//! the two-factor sign-in of someone locked out.

use std::io::Read;

use anyhow::{Context, anyhow, bail};
use clap::Subcommand;
use rally_domain::Email;

use super::{find_user, open};
use crate::config::Settings;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Print a one-time link that sets a new password (valid 24 hours).
    ResetLink {
        #[arg(long)]
        email: String,
    },
    /// Add a user; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Turn off a user's two-factor sign-in, for someone who lost both their phone and their recovery
    /// codes (after checking who is asking); they sign in with their password and can set it up again.
    TurnOffSecondFactor {
        #[arg(long)]
        email: String,
    },
}

pub async fn run(command: UserCommand, settings: &Settings) -> anyhow::Result<()> {
    match command {
        UserCommand::Add { email, name } => {
            let email = Email::parse(&email).map_err(|e| anyhow!("--email: {e}"))?;
            let password = read_password()?;
            let hash = rally_web::auth::hash_password(&password).map_err(|e| anyhow!("password: {e}"))?;
            let store = open(&settings.database_url()?).await?;
            let user = store.create_user(&email, &name, Some(&hash)).await?;
            println!("added user {} <{}> (id {})", user.name, user.email, user.id);
            Ok(())
        }
        UserCommand::TurnOffSecondFactor { email } => {
            let store = open(&settings.database_url()?).await?;
            let user = find_user(&*store, &email).await?;
            match store.disable_second_factor(user.id, rally_store::Proof::Operator, chrono::Utc::now()).await {
                Ok(_) => println!("two-factor sign-in of {} is off: their password alone signs them in", user.email),
                Err(rally_store::StoreError::NotFound(_)) => bail!("{} has no two-factor sign-in", user.email),
                Err(e) => return Err(e.into()),
            }
            Ok(())
        }
        UserCommand::ResetLink { email } => {
            let base = settings.public_url(settings.listen()?)?;
            let store = open(&settings.database_url()?).await?;
            let user = find_user(&*store, &email).await?;
            let token = rally_web::auth::random_token();
            let expires = chrono::Utc::now() + chrono::Duration::hours(24);
            store.create_password_reset(user.id, &rally_web::auth::hash_token(&token), expires, None).await?;
            eprintln!("One-time link for {} to set a new password (valid 24 hours):", user.email);
            println!("{base}/reset/{token}");
            Ok(())
        }
    }
}

/// Reads the password from standard input: the first line, without its line ending.
fn read_password() -> anyhow::Result<String> {
    let mut input = String::new();
    std::io::stdin().take(4096).read_to_string(&mut input).context("reading the password from standard input")?;
    let password = input.lines().next().unwrap_or_default().to_owned();
    if password.is_empty() {
        bail!("give the password on standard input, e.g. `printf '%s\\n' \"$PASSWORD\" | rally user add …`");
    }
    Ok(password)
}

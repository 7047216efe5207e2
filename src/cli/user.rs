//! `suivi-clauses user …`.

use std::io::BufRead;

use anyhow::Context;
use clap::Subcommand;
use secrecy::{ExposeSecret, SecretString};

use crate::app::users::{AccountDraft, RoleDraft};
use crate::app::{self, Caller};
use crate::domain::Labelled;
use crate::storage::Database;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Crée un compte. Sans --password-stdin, un mot de passe est généré et affiché une fois.
    Add {
        /// Adresse électronique, qui sert d'identifiant.
        #[arg(long)]
        email: String,
        /// Nom affiché.
        #[arg(long)]
        name: String,
        /// Rôle : admin, facilitator (facilitateur), buyer_officer (agent acheteur), elected (élu),
        /// company (entreprise).
        #[arg(long)]
        role: String,
        /// SIRET d'un acheteur du périmètre (répétable ; facilitateur, agent acheteur, élu).
        #[arg(long = "buyer", value_name = "SIRET")]
        buyers: Vec<String>,
        /// Donne accès à tous les acheteurs (administrateur, facilitateur, élu).
        #[arg(long)]
        all_buyers: bool,
        /// SIRET de l'établissement d'un compte entreprise.
        #[arg(long, value_name = "SIRET")]
        company: Option<String>,
        /// Lit le mot de passe sur l'entrée standard (une ligne) au lieu d'en générer un.
        #[arg(long)]
        password_stdin: bool,
    },
}

pub fn run(command: UserCommand, database: &Database) -> anyhow::Result<()> {
    let UserCommand::Add {
        email,
        name,
        role,
        buyers,
        all_buyers,
        company,
        password_stdin,
    } = command;
    let password = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("lecture du mot de passe")?;
        Some(SecretString::from(
            line.trim_end_matches(['\r', '\n']).to_owned(),
        ))
    } else {
        None
    };
    let draft = AccountDraft {
        email,
        display_name: name,
        role: RoleDraft {
            role,
            buyers,
            all_buyers,
            company_siret: company,
        },
        password,
    };
    let mut conn = database.connection()?;
    let created = app::users::create(&mut conn, &Caller::command_line(), draft)?;
    println!(
        "Compte créé : {} ({}).",
        created.account.email,
        created.account.role.label()
    );
    if let Some(password) = created.generated_password {
        println!(
            "Mot de passe, affiché cette seule fois : {}",
            password.expose_secret()
        );
    }
    Ok(())
}

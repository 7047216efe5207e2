//! `suivi-clauses user …`.

use std::io::BufRead;

use anyhow::Context;
use clap::Subcommand;
use secrecy::{ExposeSecret, SecretString};

use crate::accounts::{self, NewAccount, password};
use crate::domain::{Email, Labelled, Name, Role, Siret, UserScope};
use crate::storage::Database;
use crate::storage::audit::Actor;

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
    let role = Role::parse_label(&role)?;
    let buyers = buyers
        .iter()
        .map(|s| Siret::parse(s))
        .collect::<Result<_, _>>()?;
    let company = company.as_deref().map(Siret::parse).transpose()?;
    let scope = UserScope::for_role(role, all_buyers, buyers, company)?;
    let (password, generated) = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("lecture du mot de passe")?;
        (
            SecretString::from(line.trim_end_matches(['\r', '\n']).to_owned()),
            false,
        )
    } else {
        (password::generate(), true)
    };
    let account = NewAccount {
        email: Email::parse(&email)?,
        display_name: Name::parse(&name)?,
        role,
        scope,
        password: password.clone(),
    };
    let email = account.email.clone();
    let mut conn = database.connection()?;
    accounts::create(&mut conn, account, &Actor::command_line())?;
    println!("Compte créé : {email} ({}).", role.label());
    if generated {
        println!(
            "Mot de passe, affiché cette seule fois : {}",
            password.expose_secret()
        );
    }
    Ok(())
}

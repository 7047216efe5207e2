//! `suivi-clauses buyer …`.

use clap::Subcommand;

use crate::app::{self, Caller};
use crate::domain::{Name, ObligationRules, Rate, Siret, Territory};
use crate::storage::Database;

#[derive(Debug, Subcommand)]
pub enum BuyerCommand {
    /// Enregistre un acheteur public et son territoire.
    Add {
        /// SIRET de l'acheteur (14 chiffres, espaces admis).
        #[arg(long)]
        siret: String,
        /// Nom de l'acheteur, par exemple « Département de la Haute-Garonne ».
        #[arg(long)]
        name: String,
        /// Départements du territoire, séparés par des virgules (ex. « 31 » ou « 31,09,81 ») :
        /// ils définissent les entreprises locales.
        #[arg(long)]
        territory: String,
        /// Type d'acheteur, qui fixe le seuil européen des fournitures et services :
        /// « Collectivité territoriale » (par défaut), « État » ou « Entité adjudicatrice ».
        #[arg(long = "type", value_name = "TYPE")]
        buyer_type: Option<String>,
    },
    /// Liste les acheteurs enregistrés.
    List,
    /// Dit si les relevés d'heures qu'importent les facilitateurs (et les administrateurs) sur
    /// les lots de l'acheteur sont validés dès l'import (oui, par défaut) ou attendent une
    /// validation comme ceux des entreprises (non).
    FacilitatorImportsValidated {
        /// SIRET de l'acheteur.
        #[arg(long)]
        siret: String,
        /// oui ou non.
        #[arg(value_parser = ["oui", "non"])]
        value: String,
    },
    /// Fixe les cibles du SPASER de l'acheteur : part des marchés avec une considération
    /// sociale (30 % du PNAD si absente) et environnementale (aucune si absente).
    Targets {
        /// SIRET de l'acheteur.
        #[arg(long)]
        siret: String,
        /// Cible sociale, par exemple « 35 % » ; absente : celle du PNAD (30 %).
        #[arg(long, value_name = "POURCENTAGE")]
        social: Option<String>,
        /// Cible environnementale, par exemple « 50 % » ; absente : aucune.
        #[arg(long, value_name = "POURCENTAGE")]
        environmental: Option<String>,
    },
}

pub fn run(
    command: BuyerCommand,
    database: &Database,
    rules: &ObligationRules,
) -> anyhow::Result<()> {
    let mut conn = database.connection()?;
    match command {
        BuyerCommand::Add {
            siret,
            name,
            territory,
            buyer_type,
        } => {
            let siret = Siret::parse(&siret)?;
            let name = Name::parse(&name)?;
            let territory = Territory::parse(&territory)?;
            let new = app::buyers::NewBuyer {
                siret: &siret,
                name: &name,
                territory: &territory,
                buyer_type: buyer_type.as_deref(),
            };
            let kind = app::buyers::add(&mut conn, &Caller::command_line(), rules, &new)?;
            println!(
                "Acheteur enregistré : {name} (SIRET {siret}, {kind}, territoire : {territory})."
            );
        }
        BuyerCommand::FacilitatorImportsValidated { siret, value } => {
            let siret = Siret::parse(&siret)?;
            let validated = value == "oui";
            app::buyers::set_reviewers_imports_validated(
                &mut conn,
                &Caller::command_line(),
                &siret,
                validated,
            )?;
            if validated {
                println!(
                    "Les relevés importés par les facilitateurs sur les lots de {siret} seront validés dès l'import."
                );
            } else {
                println!(
                    "Les relevés importés par les facilitateurs sur les lots de {siret} attendront une validation."
                );
            }
        }
        BuyerCommand::Targets {
            siret,
            social,
            environmental,
        } => {
            let siret = Siret::parse(&siret)?;
            let social = social.as_deref().map(Rate::parse).transpose()?;
            let environmental = environmental.as_deref().map(Rate::parse).transpose()?;
            let caller = Caller::command_line();
            app::spaser::set_targets(&mut conn, &caller, &siret, social, environmental)?;
            println!("Cibles du SPASER de {siret} enregistrées.");
        }
        BuyerCommand::List => {
            let all = app::buyers::visible(&mut conn, &Caller::command_line())?;
            if all.is_empty() {
                println!(
                    "Aucun acheteur enregistré. Ajoutez-en un avec : suivi-clauses buyer add --siret … --name … --territory …"
                );
            }
            for buyer in all {
                println!(
                    "{}  {}  ({}, territoire : {})",
                    buyer.siret,
                    buyer.name,
                    ObligationRules::label_of(&rules.buyer_types, &buyer.buyer_type),
                    buyer.territory
                );
            }
        }
    }
    Ok(())
}

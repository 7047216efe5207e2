//! `suivi-clauses obligations --year Y [--buyer SIRET] [--json]`: each contract's status against
//! the buyer's legal obligations, as `GET /api/obligations` serves it.

use crate::app::obligations::ContractObligations;
use crate::app::{self, Caller, Narrowing};
use crate::domain::{Labelled, ObligationRules};
use crate::storage::Database;
use crate::web::api::wire::obligations::ObligationsJson;

#[derive(Debug, clap::Args)]
pub struct ObligationsArgs {
    /// Année de notification des marchés.
    #[arg(long)]
    year: i32,
    /// SIRET d'un acheteur ; tous les acheteurs sinon.
    #[arg(long, value_name = "SIRET")]
    buyer: Option<String>,
    /// Écrit les états en JSON, tels que les sert GET /api/obligations.
    #[arg(long)]
    json: bool,
}

pub fn run(
    args: ObligationsArgs,
    database: &Database,
    rules: &ObligationRules,
) -> anyhow::Result<()> {
    let narrowing = Narrowing::parse(args.buyer.as_deref(), None)?;
    let mut conn = database.connection()?;
    let caller = Caller::command_line();
    let found = app::obligations::of_year(&mut conn, &caller, rules, args.year, &narrowing)?;
    if args.json {
        let json = ObligationsJson::new(args.year, rules.entry_into_force, found);
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        print_text(args.year, rules, &found);
    }
    Ok(())
}

fn print_text(year: i32, rules: &ObligationRules, found: &[ContractObligations]) {
    println!(
        "Obligations des marchés notifiés en {year} (consultations lancées à partir du {}) :",
        rules.entry_into_force.format("%d/%m/%Y")
    );
    if found.is_empty() {
        println!("  Aucun marché.");
    }
    for c in found {
        let ground = c
            .ground
            .as_ref()
            .map_or_else(String::new, |(_, label)| format!(" ({label})"));
        println!(
            "  {}  {}  condition sociale : {}{ground} ; condition environnementale : {}",
            c.buyer_siret,
            c.reference,
            c.status.social.label(),
            c.status.environmental.label()
        );
    }
    let missing = found.iter().filter(|c| c.lacks_social_condition()).count();
    println!(
        "{}.",
        crate::domain::obligations::missing_social_sentence(missing)
    );
}

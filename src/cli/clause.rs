//! `suivi-clauses clause close …`: closing a lot's clause, as the contract page and the API do.

use clap::Subcommand;

use crate::app::closures::{self, CloseRequest};
use crate::app::{self, Caller};
use crate::storage::Database;

#[derive(Debug, Subcommand)]
pub enum ClauseCommand {
    /// Clôt la clause d'insertion d'un lot : les heures validées sont retenues, le lot est figé
    /// et son attestation de bonne exécution peut être téléchargée.
    Close {
        /// Identifiant du lot.
        #[arg(long)]
        lot: i64,
        /// Motif de clôture anticipée, obligatoire avant la fin d'exécution du lot.
        #[arg(long)]
        reason: Option<String>,
        /// Nom du signataire de l'attestation.
        #[arg(long, default_value = "")]
        signatory_name: String,
        /// Qualité du signataire (par exemple : Directrice de la commande publique).
        #[arg(long, default_value = "")]
        signatory_role: String,
    },
}

pub fn run(command: ClauseCommand, database: &Database) -> anyhow::Result<()> {
    let mut conn = database.connection()?;
    let caller = Caller::command_line();
    let ClauseCommand::Close {
        lot,
        reason,
        signatory_name,
        signatory_role,
    } = command;
    let request = CloseRequest {
        signatory_name,
        signatory_role,
        early_reason: reason,
        penalty_change: None,
        reduced_penalty_per_hour: None,
        penalty_reason: None,
    };
    let detail = closures::close(&mut conn, &caller, lot.into(), &request, app::today())?;
    let c = &detail.closure;
    let penalty = c.penalty.map_or_else(
        || "aucune pénalité prévue".to_owned(),
        |p| format!("pénalité due {p}"),
    );
    println!(
        "Clause close : marché {}, lot {} : {} comptées sur {}, {} manquantes, {penalty}.",
        detail.reference, detail.lot, c.counted, c.target, c.missing
    );
    println!("Attestation : GET /api/lots/{lot}/attestation.pdf");
    Ok(())
}

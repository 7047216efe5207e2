//! `suivi-clauses review …`: the statements awaiting validation, and the decisions on them.

use clap::Subcommand;

use crate::app::reviews::{self, ReviewQuery, ReviewTarget};
use crate::app::{self, Caller};
use crate::domain::Labelled;
use crate::storage::Database;

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Liste les relevés d'heures en attente de validation (ou dans l'état demandé).
    List {
        /// declared (en attente, par défaut), validated ou rejected.
        #[arg(long)]
        state: Option<String>,
        /// Seulement les relevés de cet import.
        #[arg(long)]
        import: Option<i64>,
    },
    /// Valide ou rejette les relevés en attente d'un import, ou d'un lot pour un mois ; rouvre
    /// un mois validé.
    Decide {
        /// validate (valider), reject (rejeter) ou reopen (rouvrir un mois validé).
        decision: String,
        /// Numéro de l'import.
        #[arg(long, conflicts_with_all = ["lot", "month"])]
        import: Option<i64>,
        /// Identifiant du lot (avec --month).
        #[arg(long, requires = "month")]
        lot: Option<i64>,
        /// Mois, AAAA-MM.
        #[arg(long, requires = "lot")]
        month: Option<String>,
        /// Motif, obligatoire pour rejeter ou rouvrir.
        #[arg(long)]
        reason: Option<String>,
    },
}

pub fn run(command: ReviewCommand, database: &Database) -> anyhow::Result<()> {
    let mut conn = database.connection()?;
    let caller = Caller::command_line();
    match command {
        ReviewCommand::List { state, import } => {
            let query = ReviewQuery {
                state: reviews::state_of(state.as_deref())?,
                import: import.map(Into::into),
            };
            let lines = reviews::list(&mut conn, &caller, &query)?;
            if lines.is_empty() {
                println!("Aucun relevé dans cet état.");
            }
            for l in lines {
                let g = &l.group;
                println!(
                    "import {}  marché {}, lot {} (lot n° {})  {} ({})  {}  {}  {}{}",
                    g.import_id
                        .map_or_else(|| "—".to_owned(), |id| id.to_string()),
                    l.reference,
                    l.lot,
                    g.lot_id,
                    l.company_name,
                    l.company_siret,
                    g.month,
                    g.hours,
                    g.state.label(),
                    g.reason
                        .as_deref()
                        .map(|r| format!(" — {r}"))
                        .unwrap_or_default()
                );
            }
        }
        ReviewCommand::Decide {
            decision,
            import,
            lot,
            month,
            reason,
        } => {
            let decision = reviews::decision_of(&decision)?;
            let target = match (import, lot, month) {
                (Some(import), _, _) => ReviewTarget::Import(import.into()),
                (None, Some(lot), Some(month)) => {
                    ReviewTarget::LotMonth(lot.into(), reviews::month_of(&month)?)
                }
                _ => anyhow::bail!(
                    "Désignez un import (--import N) ou un lot et un mois (--lot L --month AAAA-MM)."
                ),
            };
            let done =
                app::reviews::decide(&mut conn, &caller, target, decision, reason.as_deref())?;
            println!(
                "{} relevé(s), {} : {}.",
                done.entries,
                done.hours,
                done.state.label().to_lowercase()
            );
        }
    }
    Ok(())
}

//! `suivi-clauses purge --before DATE`.

use chrono::NaiveDate;

use crate::domain::AuditAction;
use crate::storage::audit::{self, Actor};
use crate::storage::{Database, StorageError, figures_transaction, participants};

pub fn run(before: &str, database: &Database) -> anyhow::Result<()> {
    let cutoff = NaiveDate::parse_from_str(before.trim(), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(before.trim(), "%d/%m/%Y"))
        .map_err(|_| {
            anyhow::anyhow!(
                "« {before} » n'est pas une date : écrivez-la 2024-01-31 ou 31/01/2024."
            )
        })?;
    if cutoff > chrono::Utc::now().date_naive() {
        anyhow::bail!(
            "La date {cutoff} est dans le futur : la purge ne concerne que des données passées."
        );
    }
    let mut conn = database.connection()?;
    let count = figures_transaction(&mut conn, |conn| -> Result<usize, StorageError> {
        let count = participants::anonymise_inactive_before(conn, cutoff)?;
        let summary = format!("inactifs avant le {cutoff} : {count}");
        audit::record(
            conn,
            &Actor::command_line(),
            AuditAction::ParticipantsPurged,
            Some(&summary),
            None,
        )?;
        Ok(count)
    })?;
    println!(
        "{count} participant(s) sans activité depuis le {} anonymisé(s) : pseudonyme, prescripteur et dates effacés. Les heures et les indicateurs sont inchangés.",
        cutoff.format("%d/%m/%Y")
    );
    Ok(())
}

//! `suivi-clauses purge --before DATE`.

use chrono::NaiveDate;

use crate::app::{self, Caller};
use crate::import::Importer;
use crate::storage::Database;

pub fn run(before: &str, database: &Database, importer: &Importer) -> anyhow::Result<()> {
    let cutoff = NaiveDate::parse_from_str(before.trim(), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(before.trim(), "%d/%m/%Y"))
        .map_err(|_| {
            anyhow::anyhow!(
                "« {before} » n'est pas une date : écrivez-la 2024-01-31 ou 31/01/2024."
            )
        })?;
    let mut conn = database.connection()?;
    let count = app::participants::purge(&mut conn, &Caller::command_line(), cutoff, app::today())?;
    println!(
        "{count} participant(s) sans activité depuis le {} anonymisé(s) : pseudonyme, prescripteur et dates effacés. Les heures et les indicateurs sont inchangés.",
        cutoff.format("%d/%m/%Y")
    );
    let workbooks = app::imports::purge_error_workbooks(&mut conn, importer)?;
    println!(
        "{workbooks} fichier(s) d'erreurs de plus de {} jours supprimé(s).",
        importer.limits().error_workbook_days
    );
    Ok(())
}

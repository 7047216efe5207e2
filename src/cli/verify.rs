//! `suivi-clauses verify [--repair]`: the roll-ups of hours recomputed from the hour entries
//! and compared; any difference is printed and exits non-zero, unless repaired.

use crate::app::{self, Caller};
use crate::domain::{Hours, Labelled, Modality, Month, ReviewState};
use crate::storage::Database;
use crate::storage::rollups::{Difference, GroupSums};

/// Differences printed one by one: past that, a count (a faulty write can touch thousands).
const PRINTED: usize = 100;

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Remplace les agrégats par ceux recalculés depuis les lignes d'heures s'ils diffèrent
    /// (sortie 0 une fois réparés).
    #[arg(long)]
    repair: bool,
}

pub fn run(args: VerifyArgs, database: &Database) -> anyhow::Result<()> {
    let mut conn = database.connection()?;
    let checked = app::rollups::verify(&mut conn, &Caller::command_line(), args.repair)?;
    let found = checked.differences.len();
    if found == 0 {
        println!("Agrégats des heures conformes aux lignes d'heures : aucun écart.");
        return Ok(());
    }
    for difference in checked.differences.iter().take(PRINTED) {
        println!("{}", describe(difference));
    }
    if found > PRINTED {
        println!("… et {} autre(s) écart(s).", found - PRINTED);
    }
    if checked.repaired {
        println!("{found} écart(s) : agrégats recalculés depuis les lignes d'heures.");
        return Ok(());
    }
    anyhow::bail!(
        "{found} écart(s) entre les agrégats des heures et les lignes d'heures ; `suivi-clauses verify --repair` les recalcule."
    )
}

/// One group's difference, in French.
fn describe(d: &Difference) -> String {
    let (lot, company, employer, modality, month, review) = &d.key;
    let structure = match employer {
        0 => "aucune".to_owned(),
        id => id.to_string(),
    };
    let month = Month::from_yyyymm(*month).map_or_else(|_| month.to_string(), |m| m.to_string());
    let modality = Modality::from_code(modality).map_or(modality.as_str(), |m| m.label());
    let review = ReviewState::from_code(review).map_or(review.as_str(), |r| r.label());
    format!(
        "Écart — lot {lot}, entreprise {company}, structure {structure}, modalité {modality}, mois {month}, état {review} : d'après les lignes, {} ; agrégat enregistré, {}.",
        sums(d.from_entries),
        sums(d.stored)
    )
}

fn sums(sums: Option<GroupSums>) -> String {
    match sums {
        None => "aucun groupe".to_owned(),
        Some((hundredths, entries)) => {
            let hours = Hours::from_hundredths(hundredths).map_or_else(
                |_| format!("{hundredths} centièmes d'heure"),
                |h| h.to_string(),
            );
            format!("{hours} sur {entries} ligne(s)")
        }
    }
}

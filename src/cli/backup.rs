//! `suivi-clauses backup FILE` and `suivi-clauses restore FILE` (SQLite; PostgreSQL has pg_dump).

use std::path::{Path, PathBuf};

use crate::configuration::Settings;
use crate::storage::DatabaseUrl;
use crate::storage::backup::{self, Claim, CopyInfo};

const USE_PG_DUMP: &str = "La base est sur PostgreSQL : sauvegardez-la avec pg_dump \
    (pg_dump -Fc -f suivi.dump \"$DATABASE_URL\") et restaurez-la avec pg_restore, d'une version \
    majeure égale ou supérieure à celle du serveur (comparez pg_dump --version et SELECT version()).";

/// The SQLite file of the settings, or the advice for PostgreSQL.
fn sqlite_file(settings: &Settings) -> anyhow::Result<PathBuf> {
    match settings.database_url()? {
        DatabaseUrl::Sqlite(path) => Ok(path),
        DatabaseUrl::Postgres(_) => anyhow::bail!(USE_PG_DUMP),
    }
}

/// Marks the SQLite database as in use while the command runs (nothing on PostgreSQL, whose
/// server guards its own files).
pub fn claim(settings: &Settings) -> anyhow::Result<Option<Claim>> {
    match settings.database_url()? {
        DatabaseUrl::Sqlite(path) => Ok(Some(backup::claim_shared(&path)?)),
        DatabaseUrl::Postgres(_) => Ok(None),
    }
}

fn describe(info: &CopyInfo) -> String {
    format!("{} octets, schéma {}", info.bytes, info.schema_version)
}

pub fn back_up(settings: &Settings, file: &Path) -> anyhow::Result<()> {
    let database = sqlite_file(settings)?;
    let info = backup::back_up(&database, file)?;
    println!(
        "Sauvegarde de {} écrite et vérifiée : {} ({}).",
        database.display(),
        file.display(),
        describe(&info)
    );
    Ok(())
}

pub fn restore(settings: &Settings, file: &Path) -> anyhow::Result<()> {
    let database = sqlite_file(settings)?;
    let info = backup::restore(&database, file)?;
    println!(
        "Base {} restaurée depuis {} ({}).",
        database.display(),
        file.display(),
        describe(&info)
    );
    if info.behind {
        println!("Les migrations plus récentes seront appliquées au prochain démarrage.");
    }
    Ok(())
}

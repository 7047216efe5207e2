//! Copies of the SQLite database: taken while the service serves and imports, checked before
//! one replaces the database. PostgreSQL is saved with its own tools (pg_dump, pg_restore).
//!
//! A database is "in use" while a `suivi-clauses` process holds a shared lock on the file
//! `<database>.lock` beside it (`serve` and every command that opens the database do, for as long
//! as they run; the system drops the lock when a process ends, even killed). A restore takes that
//! lock exclusively, so it refuses to run beside them and they refuse to start during it.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::sql_types::Text;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryableByName, RunQueryDsl, sql_query};

use super::migrations::SQLITE_MIGRATIONS;

/// How long a backup waits for a writer that holds SQLite's lock (outside WAL mode only).
const BUSY_TIMEOUT_MS: u32 = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "Le fichier {0} existe déjà : une sauvegarde n'en remplace jamais une autre ; donnez un autre nom."
    )]
    Exists(PathBuf),
    #[error("La base {0} n'existe pas : il n'y a rien à sauvegarder.")]
    NoDatabase(PathBuf),
    #[error("Le fichier {0} n'existe pas.")]
    NoCopy(PathBuf),
    #[error("{0}")]
    Failed(String),
    #[error(
        "{path} n'est pas une base SQLite lisible ({detail}) : ce n'est pas une sauvegarde de suivi-clauses, ou elle est endommagée."
    )]
    NotSqlite { path: PathBuf, detail: String },
    #[error(
        "La sauvegarde {path} est endommagée (contrôle d'intégrité : {detail}) : restaurez-en une autre."
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "{0} n'est pas une sauvegarde de suivi-clauses (aucune version de schéma connue de ce programme)."
    )]
    Foreign(PathBuf),
    #[error(
        "La sauvegarde {path} vient d'une version plus récente de suivi-clauses (migration {version} inconnue de ce programme) : restaurez-la avec cette version ou une plus récente."
    )]
    Newer { path: PathBuf, version: String },
    #[error(
        "La base {0} est en cours d'utilisation (service ou commande suivi-clauses en marche) : arrêtez-les avant de restaurer."
    )]
    InUse(PathBuf),
    #[error("Une restauration de la base {0} est en cours : réessayez quand elle sera finie.")]
    Restoring(PathBuf),
}

/// What a checked copy holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyInfo {
    /// The last migration applied to it.
    pub schema_version: String,
    /// Whether this binary carries migrations it lacks (applied at the next start).
    pub behind: bool,
    pub bytes: u64,
}

/// Held while a process uses the database (shared) or replaces it (exclusive).
#[derive(Debug)]
pub struct Claim {
    _file: File,
}

fn lock_file(database: &Path) -> Result<File, BackupError> {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    if let Some(parent) = database.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| failed(parent, e))?;
    }
    let path = PathBuf::from(name);
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| failed(&path, e))
}

fn failed(path: &Path, error: impl std::fmt::Display) -> BackupError {
    BackupError::Failed(format!("{} : {error}", path.display()))
}

/// Marks the database as in use for as long as the claim lives.
pub fn claim_shared(database: &Path) -> Result<Claim, BackupError> {
    claim(database, false)
}

/// The lock beside `database`: shared (using it) or exclusive (replacing it); refused at once
/// when the other kind is held.
fn claim(database: &Path, exclusive: bool) -> Result<Claim, BackupError> {
    let file = lock_file(database)?;
    let locked = if exclusive {
        file.try_lock()
    } else {
        file.try_lock_shared()
    };
    match locked {
        Ok(()) => Ok(Claim { _file: file }),
        Err(TryLockError::WouldBlock) if exclusive => Err(BackupError::InUse(database.to_owned())),
        Err(TryLockError::WouldBlock) => Err(BackupError::Restoring(database.to_owned())),
        Err(TryLockError::Error(e)) => Err(failed(database, e)),
    }
}

fn open(path: &Path) -> Result<SqliteConnection, BackupError> {
    let text = path
        .to_str()
        .ok_or_else(|| failed(path, "chemin qui n'est pas en UTF-8"))?;
    let mut conn = SqliteConnection::establish(text).map_err(|e| failed(path, e))?;
    conn.batch_execute(&format!("PRAGMA busy_timeout = {BUSY_TIMEOUT_MS};"))
        .map_err(|e| failed(path, e))?;
    Ok(conn)
}

/// A sibling of `path` with `suffix` added to its name.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Writes a consistent copy of `database` to `target`, which must not exist. `VACUUM INTO` reads
/// one snapshot (WAL mode: writers go on meanwhile) and writes a compact file; it is written
/// under a temporary name first, so an interrupted backup never looks like a finished one.
pub fn back_up(database: &Path, target: &Path) -> Result<CopyInfo, BackupError> {
    if target.exists() {
        return Err(BackupError::Exists(target.to_owned()));
    }
    if !database.is_file() {
        return Err(BackupError::NoDatabase(database.to_owned()));
    }
    let partial = beside(target, ".partiel");
    let _ = std::fs::remove_file(&partial);
    let mut conn = open(database)?;
    sql_query("VACUUM INTO ?")
        .bind::<Text, _>(partial.to_string_lossy())
        .execute(&mut conn)
        .map_err(|e| failed(target, e))?;
    let info = inspect(&partial)?;
    if target.exists() {
        let _ = std::fs::remove_file(&partial);
        return Err(BackupError::Exists(target.to_owned()));
    }
    std::fs::rename(&partial, target).map_err(|e| failed(target, e))?;
    Ok(info)
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// Checks that `copy` is an intact database of this program, of a schema it knows.
pub fn inspect(copy: &Path) -> Result<CopyInfo, BackupError> {
    if !copy.is_file() {
        return Err(BackupError::NoCopy(copy.to_owned()));
    }
    let mut conn = open(copy)?;
    let not_sqlite = |e: diesel::result::Error| BackupError::NotSqlite {
        path: copy.to_owned(),
        detail: e.to_string(),
    };
    conn.batch_execute("PRAGMA query_only = ON;")
        .map_err(not_sqlite)?;
    let check: Vec<Line> = sql_query("SELECT integrity_check AS line FROM pragma_integrity_check")
        .load(&mut conn)
        .map_err(not_sqlite)?;
    if check.len() != 1 || check[0].line != "ok" {
        let detail: Vec<String> = check.into_iter().take(3).map(|l| l.line).collect();
        return Err(BackupError::Corrupt {
            path: copy.to_owned(),
            detail: detail.join(" ; "),
        });
    }
    let applied: Vec<Line> =
        sql_query("SELECT version AS line FROM __diesel_schema_migrations ORDER BY version")
            .load(&mut conn)
            .map_err(|_| BackupError::Foreign(copy.to_owned()))?;
    let info = schema_of(copy, applied.into_iter().map(|l| l.line).collect())?;
    Ok(CopyInfo {
        bytes: std::fs::metadata(copy).map_err(|e| failed(copy, e))?.len(),
        ..info
    })
}

/// Where a copy's applied migrations stand against this binary's.
fn schema_of(copy: &Path, applied: Vec<String>) -> Result<CopyInfo, BackupError> {
    use diesel::migration::MigrationSource;
    let known: Vec<String> =
        MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
            .map(|all| all.iter().map(|m| m.name().version().to_string()).collect())
            .map_err(|e| failed(copy, e))?;
    if !applied.iter().any(|v| known.contains(v)) {
        return Err(BackupError::Foreign(copy.to_owned()));
    }
    if let Some(unknown) = applied.iter().find(|v| !known.contains(v)) {
        return Err(BackupError::Newer {
            path: copy.to_owned(),
            version: unknown.clone(),
        });
    }
    Ok(CopyInfo {
        schema_version: applied.last().cloned().unwrap_or_default(),
        behind: applied.len() < known.len(),
        bytes: 0,
    })
}

/// Replaces `database` by `copy` once the copy is checked and no process uses the database.
pub fn restore(database: &Path, copy: &Path) -> Result<CopyInfo, BackupError> {
    let info = inspect(copy)?;
    let _claim = claim(database, true)?;
    let partial = beside(database, ".restauration");
    std::fs::copy(copy, &partial).map_err(|e| failed(&partial, e))?;
    File::open(&partial)
        .and_then(|f| f.sync_all())
        .map_err(|e| failed(&partial, e))?;
    // The replaced database's write-ahead log must not be replayed onto the copy.
    for suffix in ["-wal", "-shm"] {
        let stale = beside(database, suffix);
        match std::fs::remove_file(&stale) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(failed(&stale, e)),
            _ => {}
        }
    }
    std::fs::rename(&partial, database).map_err(|e| failed(database, e))?;
    Ok(info)
}

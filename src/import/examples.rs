//! The example dataset of `imports/examples/`, loaded through the real import path so that a
//! new installation starts on a living system (`suivi-clauses serve --example-data`).

use std::path::Path;

use serde::Deserialize;

use super::{ImportError, Importer, Upload};
use crate::domain::{ImportKind, ImportStatus, Name, Siret, Territory};
use crate::storage::audit::Actor;
use crate::storage::users::BuyerScope;
use crate::storage::{DbConnection, buyers, figures_transaction};

#[derive(Deserialize)]
struct BuyersFile {
    buyers: Vec<BuyerEntry>,
}

#[derive(Deserialize)]
struct BuyerEntry {
    siret: String,
    name: String,
    territory: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ExampleError {
    #[error("Jeu d'exemple illisible ({file}) : {detail}")]
    Unreadable { file: String, detail: String },
    #[error("Le fichier d'exemple {file} a été refusé : {summary}")]
    Refused { file: String, summary: String },
    #[error(transparent)]
    Import(#[from] ImportError),
}

#[derive(Debug, PartialEq, Eq)]
pub enum Loaded {
    /// The database already holds buyers: nothing was loaded.
    Skipped,
    /// Buyers created and files imported, with the rows each wrote.
    Loaded {
        buyers: usize,
        files: Vec<(String, usize)>,
    },
}

/// The kind of an example file, from its numbered name: 1 structures, 2 register, 3 participants,
/// 4 hour statements (the order they must be imported in).
fn kind_of(file_name: &str) -> Option<ImportKind> {
    match file_name.split('-').next()? {
        "1" => Some(ImportKind::Structures),
        "2" => Some(ImportKind::Contracts),
        "3" => Some(ImportKind::Participants),
        "4" => Some(ImportKind::Hours),
        _ => None,
    }
}

pub fn load(
    conn: &mut DbConnection,
    importer: &Importer,
    dir: &Path,
) -> Result<Loaded, ExampleError> {
    let unreadable = |file: &Path, detail: String| ExampleError::Unreadable {
        file: file.display().to_string(),
        detail,
    };
    if !buyers::list(conn).map_err(ImportError::from)?.is_empty() {
        return Ok(Loaded::Skipped);
    }
    let buyers_path = dir.join("buyers.toml");
    let text = std::fs::read_to_string(&buyers_path)
        .map_err(|e| unreadable(&buyers_path, e.to_string()))?;
    let listed: BuyersFile =
        toml::from_str(&text).map_err(|e| unreadable(&buyers_path, e.to_string()))?;
    figures_transaction(conn, |conn| -> Result<(), ExampleError> {
        for b in &listed.buyers {
            let parsed = (
                Siret::parse(&b.siret),
                Name::parse(&b.name),
                Territory::parse(&b.territory),
            );
            let (Ok(siret), Ok(name), Ok(territory)) = parsed else {
                return Err(unreadable(
                    &buyers_path,
                    format!("acheteur « {} » incorrect", b.name),
                ));
            };
            buyers::insert(conn, &siret, &name, &territory)
                .map_err(|e| unreadable(&buyers_path, e.to_string()))?;
        }
        Ok(())
    })?;
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| unreadable(dir, e.to_string()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?.to_owned();
            kind_of(&name).map(|kind| (name, kind, path))
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut loaded = Vec::new();
    for (name, kind, path) in files {
        let bytes = std::fs::read(&path).map_err(|e| unreadable(&path, e.to_string()))?;
        let upload = Upload {
            kind,
            buyer: None,
            file_name: name.clone(),
            bytes,
            replace: false,
            scope: BuyerScope::AllBuyers,
        };
        let report = importer.run(conn, upload, &Actor::system())?;
        if report.status != ImportStatus::Succeeded {
            let first: Vec<String> = report
                .problems
                .iter()
                .take(3)
                .map(|p| format!("ligne {} : {}", p.row, p.message))
                .collect();
            return Err(ExampleError::Refused {
                file: name,
                summary: format!("{} {}", report.summary(), first.join(" ; ")),
            });
        }
        loaded.push((name, report.rows_written));
    }
    Ok(Loaded::Loaded {
        buyers: listed.buyers.len(),
        files: loaded,
    })
}

impl From<diesel::result::Error> for ExampleError {
    fn from(e: diesel::result::Error) -> Self {
        ExampleError::Import(e.into())
    }
}

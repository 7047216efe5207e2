//! The example dataset of `imports/examples/`, built into the binary and loaded through the real
//! import path, so that a new installation starts on a living system
//! (`suivi-clauses serve --example-data`, from any folder). Generated datasets (`gen --load`)
//! load the same way from their folder.

use std::path::{Path, PathBuf};

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
///
/// An hour statement named `4-heures-entreprise-<SIRET>…` is sent by that company itself, as its
/// account would: it waits for a facilitateur's validation. The others are imported as the
/// administrator's, validated at once.
fn kind_of(file_name: &str) -> Option<ImportKind> {
    match file_name.split('-').next()? {
        "1" => Some(ImportKind::Structures),
        "2" => Some(ImportKind::Contracts),
        "3" => Some(ImportKind::Participants),
        "4" => Some(ImportKind::Hours),
        _ => None,
    }
}

/// The company that sends an hour statement itself, from its file's name.
fn sender_of(file_name: &str) -> Option<Siret> {
    let rest = file_name.strip_prefix("4-heures-entreprise-")?;
    Siret::parse(rest.get(..14)?).ok()
}

/// A dataset to load: its buyers (`buyers.toml`) and its numbered files.
pub struct Dataset {
    /// Where it comes from, for messages.
    origin: String,
    buyers: String,
    files: Vec<(String, Source)>,
}

enum Source {
    Embedded(&'static [u8]),
    File(PathBuf),
}

/// The example dataset of `imports/examples/`, compiled into the binary so that
/// `serve --example-data` works with nothing but the binary.
const EMBEDDED_BUYERS: &str = include_str!("../../imports/examples/buyers.toml");
const EMBEDDED_FILES: [(&str, &[u8]); 7] = [
    (
        "1-structures.xlsx",
        include_bytes!("../../imports/examples/1-structures.xlsx"),
    ),
    (
        "2-registre-des-marches.xlsx",
        include_bytes!("../../imports/examples/2-registre-des-marches.xlsx"),
    ),
    (
        "3-participants.csv",
        include_bytes!("../../imports/examples/3-participants.csv"),
    ),
    (
        "4-heures-commune-de-muret.csv",
        include_bytes!("../../imports/examples/4-heures-commune-de-muret.csv"),
    ),
    (
        "4-heures-departement-de-la-haute-garonne.xlsx",
        include_bytes!("../../imports/examples/4-heures-departement-de-la-haute-garonne.xlsx"),
    ),
    (
        "4-heures-entreprise-40000000160004.csv",
        include_bytes!("../../imports/examples/4-heures-entreprise-40000000160004.csv"),
    ),
    (
        "4-heures-toulouse-metropole.csv",
        include_bytes!("../../imports/examples/4-heures-toulouse-metropole.csv"),
    ),
];

impl Dataset {
    /// The example dataset built into the binary.
    pub fn embedded() -> Dataset {
        Dataset {
            origin: "jeu d'exemple intégré".to_owned(),
            buyers: EMBEDDED_BUYERS.to_owned(),
            files: EMBEDDED_FILES
                .iter()
                .map(|(name, bytes)| ((*name).to_owned(), Source::Embedded(bytes)))
                .collect(),
        }
    }

    /// A dataset written in a folder (`gen`): `buyers.toml` and the files whose names start with
    /// their kind's number; each file is read when its turn comes.
    pub fn read_dir(dir: &Path) -> Result<Dataset, ExampleError> {
        let unreadable = |file: &Path, e: std::io::Error| ExampleError::Unreadable {
            file: file.display().to_string(),
            detail: e.to_string(),
        };
        let buyers_path = dir.join("buyers.toml");
        let buyers =
            std::fs::read_to_string(&buyers_path).map_err(|e| unreadable(&buyers_path, e))?;
        let mut files: Vec<(String, Source)> = std::fs::read_dir(dir)
            .map_err(|e| unreadable(dir, e))?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter_map(|path| {
                let name = path.file_name()?.to_str()?.to_owned();
                kind_of(&name).map(|_| (name, Source::File(path)))
            })
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Dataset {
            origin: dir.display().to_string(),
            buyers,
            files,
        })
    }

    /// The names of its files, in the order they are imported.
    pub fn file_names(&self) -> Vec<&str> {
        self.files.iter().map(|(name, _)| name.as_str()).collect()
    }

    fn unreadable(&self, file: &str, detail: String) -> ExampleError {
        ExampleError::Unreadable {
            file: format!("{file}, {}", self.origin),
            detail,
        }
    }

    fn bytes(&self, name: &str, source: &Source) -> Result<Vec<u8>, ExampleError> {
        match source {
            Source::Embedded(bytes) => Ok(bytes.to_vec()),
            Source::File(path) => {
                std::fs::read(path).map_err(|e| self.unreadable(name, e.to_string()))
            }
        }
    }
}

/// Creates the dataset's buyers and imports its files in order, unless the database already
/// holds buyers.
pub fn load(
    conn: &mut DbConnection,
    importer: &Importer,
    dataset: &Dataset,
) -> Result<Loaded, ExampleError> {
    if !buyers::list(conn).map_err(ImportError::from)?.is_empty() {
        return Ok(Loaded::Skipped);
    }
    let buyers = insert_buyers(conn, dataset)?;
    let mut loaded = Vec::new();
    for (name, source) in &dataset.files {
        let Some(kind) = kind_of(name) else {
            continue;
        };
        let (scope, role) = match sender_of(name) {
            Some(siret) => (
                BuyerScope::Company {
                    siret: siret.as_str().to_owned(),
                },
                crate::domain::Role::Company,
            ),
            None => (BuyerScope::AllBuyers, crate::domain::Role::Admin),
        };
        let upload = Upload {
            kind,
            buyer: None,
            file_name: name.clone(),
            bytes: dataset.bytes(name, source)?,
            replace: false,
            scope,
            skip_invalid: false,
            departement: None,
            file: None,
            role,
            spool: None,
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
                file: name.clone(),
                summary: format!("{} {}", report.summary(), first.join(" ; ")),
            });
        }
        loaded.push((name.clone(), report.rows_written));
    }
    Ok(Loaded::Loaded {
        buyers,
        files: loaded,
    })
}

/// The buyers of `buyers.toml`, all or none; how many.
fn insert_buyers(conn: &mut DbConnection, dataset: &Dataset) -> Result<usize, ExampleError> {
    let listed: BuyersFile = toml::from_str(&dataset.buyers)
        .map_err(|e| dataset.unreadable("buyers.toml", e.to_string()))?;
    figures_transaction(conn, |conn, _| -> Result<(), ExampleError> {
        for b in &listed.buyers {
            let parsed = (
                Siret::parse(&b.siret),
                Name::parse(&b.name),
                Territory::parse(&b.territory),
            );
            let (Ok(siret), Ok(name), Ok(territory)) = parsed else {
                return Err(
                    dataset.unreadable("buyers.toml", format!("acheteur « {} » incorrect", b.name))
                );
            };
            buyers::insert(conn, &siret, &name, &territory)
                .map_err(|e| dataset.unreadable("buyers.toml", e.to_string()))?;
        }
        Ok(())
    })?;
    Ok(listed.buyers.len())
}

crate::storage::query_error_through_storage!(ExampleError, via ImportError);

#[cfg(test)]
mod tests {
    use super::Dataset;

    #[test]
    fn every_example_file_is_built_in() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("imports/examples");
        let on_disk = Dataset::read_dir(&dir).unwrap();

        assert_eq!(Dataset::embedded().file_names(), on_disk.file_names());
        assert_eq!(Dataset::embedded().buyers, on_disk.buyers);
    }
}

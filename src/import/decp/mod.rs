//! The reverse door of the DECP export: published contracts (DECP JSON, 2019 or 2022/2024
//! format) read as a contracts register, so that contracts already published need no retyping.
//!
//! The file is read as a stream of records (`stream`). Records of buyers outside the
//! uploader's scope (or the filter given) are only counted; each other record is read on its
//! own, tolerant of how the data is really published (`record`), its modifications applied
//! in order, and becomes rows of the register (`lines`), which go through the register's
//! checks and writing like any spreadsheet. Problems are then told per record, by the JSON
//! path of the field (`outcome`): by default a file with problems imports nothing; with
//! « ignorer les marchés invalides » the valid records are imported and the others listed.

pub mod lines;
pub mod outcome;
pub mod record;
pub mod stream;

use std::collections::HashMap;
use std::io::Read;

use chrono::NaiveDate;
use serde_json::Value;
use serde_json::value::RawValue;

use super::problem::{FileProblem, grouped};
use super::profile::{Profile, ValueType};
use super::reader::{Cell, Row, Sheet};
use crate::domain::Siret;
use crate::storage::BuyerId;
pub use outcome::{Origins, RecordProblem, settle};
use stream::{Glance, RecordKind, Shape};

pub const SHEET: &str = "DECP";

/// Which records of the file are imported: those of the buyers in scope, narrowed by what the
/// upload names.
pub struct Selection<'a> {
    /// Buyers the uploader may import for (SIRET → id).
    pub buyers: &'a HashMap<Siret, BuyerId>,
    /// The one buyer named at upload.
    pub only_buyer: Option<&'a Siret>,
    /// Only contracts carried out in this département (`lieuExecution.code`).
    pub departement: Option<&'a str>,
    /// Companies the service knows (by SIRET): their stored names stay.
    pub known_company: &'a dyn Fn(&str) -> bool,
}

impl Selection<'_> {
    /// Whether the buyer glanced (its id as written) is one of those asked for.
    fn takes_buyer(&self, buyer: Option<&str>) -> bool {
        let Some(siret) = buyer.and_then(|b| Siret::parse(b).ok()) else {
            return false;
        };
        self.buyers.contains_key(&siret) && self.only_buyer.is_none_or(|only| *only == siret)
    }

    /// Whether the record, of a buyer taken, is carried out where asked.
    fn takes_place(&self, record: &Value) -> bool {
        self.departement.is_none_or(|d| carried_out_in(record, d))
    }
}

/// Whether the record's place of execution (postal code, commune or département code) lies
/// in the département `code`.
fn carried_out_in(record: &Value, code: &str) -> bool {
    record
        .pointer("/lieuExecution/code")
        .map(record::shown)
        .is_some_and(|place| place.trim().starts_with(code.trim()))
}

/// The register's profile as a DECP file is read against: its companies may be identified
/// otherwise than by a SIRET (`typeIdentifiant`), which a spreadsheet's may not — companies
/// send their statements with their SIRET.
pub fn profile(register: &Profile) -> Profile {
    let mut profile = register.clone();
    for column in &mut profile.columns {
        if column.key == "holder_siret" {
            column.value_type = ValueType::CompanyIdentifier;
        }
    }
    profile
}

/// The register's rows of a DECP file, with what the report tells of its records.
pub struct Register {
    pub sheet: Sheet,
    pub warnings: Vec<String>,
    pub origins: Origins,
}

/// A record kept for import: the last version of each contract in the file.
struct Kept {
    position: usize,
    published: Option<NaiveDate>,
    versions: usize,
    value: Value,
}

/// What the stream leaves: the records kept, by buyer and id, and the others counted.
#[derive(Default)]
struct Sorted {
    kept: HashMap<(String, String), Kept>,
    other_buyers: usize,
    concessions: usize,
}

impl Sorted {
    /// Only the records of the buyers taken are read whole.
    fn take(&mut self, position: usize, glance: Glance, raw: &RawValue, selection: &Selection) {
        if glance.kind == RecordKind::Concession {
            self.concessions += 1;
            return;
        }
        if !selection.takes_buyer(glance.buyer.as_deref()) {
            self.other_buyers += 1;
            return;
        }
        // Text serde_json has just read whole is JSON.
        let value: Value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
        if !selection.takes_place(&value) {
            self.other_buyers += 1;
            return;
        }
        let key = (
            record::buyer_of(&value).unwrap_or_default(),
            value
                .get("id")
                .map(record::shown)
                .unwrap_or_else(|| format!("#{position}")),
        );
        let published = value
            .get("datePublicationDonnees")
            .and_then(Value::as_str)
            .and_then(record::date_of);
        let versions = self.kept.get(&key).map_or(0, |k| k.versions) + 1;
        let newer = self
            .kept
            .get(&key)
            .is_none_or(|known| published >= known.published);
        if newer {
            self.kept.insert(
                key,
                Kept {
                    position,
                    published,
                    versions,
                    value,
                },
            );
        } else if let Some(known) = self.kept.get_mut(&key) {
            known.versions = versions;
        }
    }
}

/// Reads the records of `reader`; only the records `selection` takes become rows.
pub fn read(
    reader: impl Read,
    profile: &Profile,
    selection: &Selection,
) -> Result<Register, FileProblem> {
    let mut sorted = Sorted::default();
    let shape = stream::each_record(stream::NanAsNull::new(reader), &mut |p, glance, raw| {
        sorted.take(p, glance, &raw, selection);
    })
    .map_err(|e| {
        FileProblem::JsonUnreadable(format!("ligne {} colonne {} : {e}", e.line(), e.column()))
    })?;
    if shape == Shape::Unknown {
        return Err(FileProblem::NotDecp);
    }
    let mut kept: Vec<Kept> = sorted.kept.into_values().collect();
    kept.sort_by_key(|k| k.position);
    let mut rows = vec![header_row(profile)];
    let mut warnings = vec![intro(shape)];
    let mut origins = Origins::new(sorted.other_buyers);
    for k in kept {
        if k.versions > 1 {
            origins.history.push(format!(
                "Le marché « {} » figure {} fois dans le fichier : la version la plus récente (n° {}) est importée.",
                k.value.get("id").map(record::shown).unwrap_or_default(),
                k.versions,
                k.position
            ));
        }
        let read = record::read(&k.value);
        let index = origins.record(k.position, &k.value);
        match read {
            Ok(found) => {
                let state = lines::amended(&found);
                warnings.extend(state.reserved_warning());
                origins.history.extend(state.history.iter().cloned());
                for line in state.lines(selection.known_company) {
                    rows.push(row(rows.len() as u32 + 1, line.cells));
                    origins.line(index, line.paths);
                }
            }
            Err(problems) => origins.refused(index, problems),
        }
    }
    warnings.extend(counted(sorted.other_buyers, sorted.concessions));
    if origins.is_empty() {
        return Err(FileProblem::NoDecpRecord {
            others: grouped(sorted.other_buyers),
        });
    }
    Ok(Register {
        sheet: Sheet {
            name: SHEET.to_owned(),
            rows,
        },
        warnings,
        origins,
    })
}

fn intro(shape: Shape) -> String {
    let format = match shape {
        Shape::Wrapped => "2019 ({\"marches\": […]})",
        Shape::Nested => "2022/2024 ({\"marches\": {\"marche\": […]}})",
        Shape::List | Shape::Unknown => "liste de marchés",
    };
    format!(
        "Fichier DECP au format {format}. La DECP ne donne pas toujours la raison sociale des entreprises : celles que le service ne connaît pas encore doivent d'abord être importées (structures : SIRET et raison sociale)."
    )
}

/// What was left aside without being a problem.
fn counted(other_buyers: usize, concessions: usize) -> Vec<String> {
    let mut said = Vec::new();
    if other_buyers > 0 {
        said.push(format!(
            "{} marché(s) d'autres acheteurs ignoré(s).",
            grouped(other_buyers)
        ));
    }
    if concessions > 0 {
        said.push(format!(
            "{} contrat(s) de concession ignoré(s) : le registre ne suit que les marchés.",
            grouped(concessions)
        ));
    }
    said
}

fn row(number: u32, cells: Vec<Cell>) -> Row {
    Row {
        number,
        cells: cells
            .into_iter()
            .enumerate()
            .filter(|(_, cell)| !matches!(cell, Cell::Text(t) if t.is_empty()))
            .map(|(c, cell)| (c as u32, cell))
            .collect(),
    }
}

/// The first row: the profile's own header of each column a line fills.
fn header_row(profile: &Profile) -> Row {
    let header = |key: &str| {
        profile
            .columns
            .iter()
            .find(|c| c.key == key)
            .map_or_else(|| key.to_owned(), |c| c.header.clone())
    };
    Row {
        number: 1,
        cells: lines::KEYS
            .iter()
            .enumerate()
            .map(|(c, key)| (c as u32, Cell::Text(header(key))))
            .collect(),
    }
}

//! Structures: companies and insertion employers, by SIRET.

use super::super::progress::Progress;
use std::collections::HashMap;

use super::super::cells::Value;
use super::super::problem::RowProblem;
use super::super::profile::{Profile, ValueType};
use super::super::rows::ParsedRow;
use crate::domain::{Name, PostalCode, Siret, SizeClass, StructureKind};
use crate::storage::DbConnection;
use crate::storage::companies::{self, CompanyUpsert};

/// The columns a structures profile must declare.
pub const COLUMNS: &[(&str, ValueType)] = &[
    ("siret", ValueType::Siret),
    ("name", ValueType::Text),
    ("structure_kind", ValueType::StructureKind),
    ("postal_code", ValueType::PostalCode),
    ("size_class", ValueType::SizeClass),
];

#[derive(Debug, Clone, PartialEq)]
pub struct Structure {
    pub siret: Siret,
    pub name: Name,
    pub kind: StructureKind,
    pub postal_code: Option<PostalCode>,
    pub size_class: Option<SizeClass>,
}

/// Turns parsed rows into structures; a SIRET given twice is a problem on its second row.
pub fn validate(
    profile: &Profile,
    sheet: &str,
    rows: impl IntoIterator<Item = ParsedRow>,
    problems: &mut Vec<RowProblem>,
) -> Vec<Structure> {
    let mut first_row_of: HashMap<Siret, u32> = HashMap::new();
    let mut structures = Vec::new();
    for row in rows {
        let (Some(Value::Siret(siret)), Some(Value::Text(name))) =
            (row.get(profile, "siret"), row.get(profile, "name"))
        else {
            continue;
        };
        let name = match Name::parse(name) {
            Ok(name) => name,
            Err(e) => {
                problems.push(RowProblem {
                    sheet: sheet.to_owned(),
                    row: row.number,
                    column: profile.header_of("name"),
                    value: Some(name.clone()),
                    message: e.to_string(),
                });
                continue;
            }
        };
        if let Some(first) = first_row_of.get(siret) {
            problems.push(RowProblem {
                sheet: sheet.to_owned(),
                row: row.number,
                column: profile.header_of("siret"),
                value: Some(siret.to_string()),
                message: format!(
                    "Ce SIRET figure déjà ligne {first} : gardez une seule ligne par structure."
                ),
            });
            continue;
        }
        first_row_of.insert(siret.clone(), row.number);
        structures.push(Structure {
            siret: siret.clone(),
            name,
            kind: match row.get(profile, "structure_kind") {
                Some(Value::StructureKind(kind)) => *kind,
                _ => StructureKind::Company,
            },
            postal_code: match row.get(profile, "postal_code") {
                Some(Value::PostalCode(code)) => Some(code.clone()),
                _ => None,
            },
            size_class: match row.get(profile, "size_class") {
                Some(Value::SizeClass(size)) => Some(*size),
                _ => None,
            },
        });
    }
    structures
}

/// Creates or updates each structure; the caller provides the transaction.
pub fn write(
    conn: &mut DbConnection,
    structures: &[Structure],
    progress: &mut dyn Progress,
) -> diesel::QueryResult<usize> {
    for structure in structures {
        companies::upsert(
            conn,
            &CompanyUpsert {
                siret: &structure.siret,
                name: Some(&structure.name),
                kind: Some(structure.kind),
                postal_code: structure.postal_code.as_ref(),
                size_class: structure.size_class,
            },
        )?;
        progress.row_written();
    }
    Ok(structures.len())
}

//! Structures: companies and insertion employers, by SIRET.

use std::collections::HashMap;

use crate::domain::{
    CompanyIdentifier, Email, Name, PostalCode, Siret, SizeClass, StructureKind, Update,
};
use crate::import::cells::Value;
use crate::import::problem::Problems;
use crate::import::profile::{Profile, ValueType};
use crate::import::progress::Progress;
use crate::import::refusal::Refusal;
use crate::import::reporter::Reporter;
use crate::import::rows::{ParsedRow, RowView};
use crate::storage::DbConnection;
use crate::storage::companies::{self, CompanyUpsert};

/// The columns a structures profile must declare.
pub const COLUMNS: &[(&str, ValueType)] = &[
    ("siret", ValueType::Siret),
    ("name", ValueType::Text),
    ("structure_kind", ValueType::StructureKind),
    ("postal_code", ValueType::PostalCode),
    ("size_class", ValueType::SizeClass),
    ("contact_email", ValueType::Email),
];

/// Where « effacer » clears what is stored.
pub const CLEARABLE: &[&str] = &["postal_code", "size_class", "contact_email"];

#[derive(Debug, Clone, PartialEq)]
pub struct Structure {
    pub row: u32,
    /// Always a SIRET: structures are French establishments.
    pub identifier: CompanyIdentifier,
    pub name: Name,
    /// When empty, a known kind stays (an ordinary company when created).
    pub kind: Option<StructureKind>,
    pub postal_code: Update<PostalCode>,
    pub size_class: Update<SizeClass>,
    /// Where reminders are sent.
    pub contact_email: Update<Email>,
}

impl Structure {
    /// What the row writes of the company.
    pub fn as_upsert(&self) -> CompanyUpsert<'_> {
        CompanyUpsert {
            identifier: &self.identifier,
            name: Some(&self.name),
            kind: self.kind,
            postal_code: self.postal_code.as_ref(),
            size_class: self.size_class,
        }
    }
}

/// A structures row whose required cells hold a value, its cells read once.
struct StructureRow {
    number: u32,
    siret: Siret,
    name: String,
    kind: Option<StructureKind>,
    postal_code: Update<PostalCode>,
    size_class: Update<SizeClass>,
    contact_email: Update<Email>,
}

impl StructureRow {
    fn read(profile: &Profile, row: &ParsedRow) -> Option<StructureRow> {
        let view = RowView { profile, row };
        let (Some(siret), Some(Value::Text(name))) = (view.siret("siret"), view.get("name")) else {
            return None;
        };
        Some(StructureRow {
            number: row.number,
            siret,
            name: name.clone(),
            kind: match view.get("structure_kind") {
                Some(Value::StructureKind(kind)) => Some(*kind),
                _ => None,
            },
            postal_code: view.update("postal_code", |value| match value {
                Value::PostalCode(code) => Some(code.clone()),
                _ => None,
            }),
            size_class: view.update("size_class", |value| match value {
                Value::SizeClass(size) => Some(*size),
                _ => None,
            }),
            contact_email: view.update("contact_email", |value| match value {
                Value::Email(email) => Some(email.clone()),
                _ => None,
            }),
        })
    }
}

fn name_is_valid(row: &StructureRow) -> Result<Name, Refusal> {
    Name::parse(&row.name).map_err(|e| Refusal::new("name", Some(row.name.clone()), e.to_string()))
}

/// One row per structure: `first` is the row that already gave its SIRET.
fn siret_not_repeated(row: &StructureRow, first: Option<u32>) -> Result<(), Refusal> {
    let Some(first) = first else { return Ok(()) };
    Err(Refusal::new(
        "siret",
        Some(row.siret.to_string()),
        format!("Ce SIRET figure déjà ligne {first} : gardez une seule ligne par structure."),
    ))
}

/// Turns parsed rows into structures; a SIRET given twice is a problem on its second row.
pub fn validate(
    profile: &Profile,
    sheet: &str,
    rows: impl IntoIterator<Item = ParsedRow>,
    problems: &mut Problems,
) -> Vec<Structure> {
    let mut report = Reporter::new(sheet, profile, problems);
    let mut first_row_of: HashMap<Siret, u32> = HashMap::new();
    let mut structures = Vec::new();
    for row in rows {
        let Some(row) = StructureRow::read(profile, &row) else {
            continue; // its empty required cells are already reported
        };
        let checked = name_is_valid(&row).and_then(|name| {
            siret_not_repeated(&row, first_row_of.get(&row.siret).copied())?;
            Ok(name)
        });
        match checked {
            Ok(name) => {
                first_row_of.insert(row.siret.clone(), row.number);
                structures.push(Structure {
                    row: row.number,
                    identifier: row.siret.into(),
                    name,
                    kind: row.kind,
                    postal_code: row.postal_code,
                    size_class: row.size_class,
                    contact_email: row.contact_email,
                });
            }
            Err(refusal) => report.refuse(row.number, refusal),
        }
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
        companies::upsert(conn, &structure.as_upsert())?;
        let email = match &structure.contact_email {
            Update::Keep => None,
            Update::Set(email) => Some(Some(email)),
            Update::Clear => Some(None),
        };
        if let Some(email) = email {
            companies::set_contact_email(conn, &structure.identifier, email)?;
        }
        progress.row_written();
    }
    Ok(structures.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str) -> StructureRow {
        StructureRow {
            number: 3,
            siret: Siret::parse("44306184100047").unwrap(),
            name: name.to_owned(),
            kind: None,
            postal_code: Update::Keep,
            size_class: Update::Keep,
            contact_email: Update::Keep,
        }
    }

    #[test]
    fn a_siret_given_twice_is_refused_naming_its_first_row() {
        assert!(siret_not_repeated(&row("Bâtir"), None).is_ok());
        let refusal = siret_not_repeated(&row("Bâtir"), Some(2)).unwrap_err();
        assert_eq!(refusal.key, "siret");
        assert!(
            refusal.message.contains("déjà ligne 2"),
            "{}",
            refusal.message
        );
    }

    #[test]
    fn a_blank_name_is_refused_on_the_name_column() {
        assert!(name_is_valid(&row("Bâtir")).is_ok());
        let refusal = name_is_valid(&row("")).unwrap_err();
        assert_eq!(refusal.key, "name");
        assert_eq!(refusal.value.as_deref(), Some(""));
    }
}

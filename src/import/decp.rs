//! The reverse door of the DECP export: a buyer's published contracts (DECP 2024 JSON) read as
//! a contracts register, so that contracts already published need no retyping.
//!
//! Each record becomes rows of the register under the profile's own headers — one per
//! titulaire, one per declared subcontractor — and then goes through the register's checks
//! and writing like any spreadsheet: a wrong SIRET or a missing date refuses the whole file.

use chrono::NaiveDate;
use serde::Deserialize;

use super::problem::FileProblem;
use super::profile::Profile;
use super::reader::{Cell, Row, Sheet};
use crate::domain::decimal::format_fixed;
use crate::domain::{Labelled, Money, SocialConsideration};

pub const SHEET: &str = "DECP";

#[derive(Debug, Deserialize)]
struct Document {
    marches: Marches,
}

#[derive(Debug, Deserialize)]
struct Marches {
    #[serde(default)]
    marche: Vec<Record>,
}

/// The fields of a record the register holds; the others are not read.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    id: Option<String>,
    acheteur: Option<Identified>,
    objet: Option<String>,
    procedure: Option<String>,
    #[serde(rename = "codeCPV")]
    code_cpv: Option<String>,
    date_notification: Option<String>,
    duree_mois: Option<serde_json::Number>,
    montant: Option<serde_json::Number>,
    #[serde(default)]
    titulaires: Vec<TitulaireItem>,
    #[serde(default)]
    actes_sous_traitance: Vec<ActeItem>,
    considerations_sociales: Option<Considerations>,
}

#[derive(Debug, Deserialize)]
struct Identified {
    id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TitulaireItem {
    titulaire: Identified,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActeItem {
    acte_sous_traitance: Acte,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Acte {
    sous_traitant: Option<Identified>,
    montant: Option<serde_json::Number>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Considerations {
    #[serde(default)]
    consideration_sociale: Vec<String>,
}

/// The register's columns each DECP line fills, in the order of its cells.
const KEYS: [&str; 12] = [
    "reference",
    "object",
    "buyer_siret",
    "procedure",
    "cpv",
    "notification_date",
    "duration_months",
    "amount",
    "holder_siret",
    "role",
    "insertion_clause",
    "social_criterion",
];

/// The register's rows of a DECP document, and what the reader should know about them.
pub fn read(bytes: &[u8], profile: &Profile) -> Result<(Sheet, Vec<String>), FileProblem> {
    let document = parse(bytes)?;
    let mut rows = vec![header_row(profile)];
    let mut warnings = vec![
        "Fichier DECP : chaque titulaire et chaque sous-traitant d'un marché forme une ligne ; la ligne 2 est le premier titulaire du premier marché.".to_owned(),
        "La DECP ne donne pas la raison sociale des entreprises : celles que le service ne connaît pas encore doivent d'abord être importées (structures : SIRET et raison sociale).".to_owned(),
    ];
    for record in &document.marches.marche {
        warnings.extend(record.reserved_warning());
        for cells in record.lines() {
            let number = rows.len() as u32 + 1;
            rows.push(Row {
                number,
                cells: cells
                    .into_iter()
                    .enumerate()
                    .filter(|(_, cell)| !matches!(cell, Cell::Text(t) if t.is_empty()))
                    .map(|(c, cell)| (c as u32, cell))
                    .collect(),
            });
        }
    }
    Ok((
        Sheet {
            name: SHEET.to_owned(),
            rows,
        },
        warnings,
    ))
}

fn parse(bytes: &[u8]) -> Result<Document, FileProblem> {
    let json = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_slice(json).map_err(|e| {
        FileProblem::Damaged(format!(
            "fichier JSON au format DECP illisible, ligne {} colonne {} : {e}",
            e.line(),
            e.column()
        ))
    })
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
        cells: KEYS
            .iter()
            .enumerate()
            .map(|(c, key)| (c as u32, Cell::Text(header(key))))
            .collect(),
    }
}

impl Record {
    /// Whether the record lists this social consideration.
    fn says(&self, value: SocialConsideration) -> bool {
        self.considerations_sociales
            .as_ref()
            .is_some_and(|c| c.consideration_sociale.iter().any(|s| s == value.label()))
    }

    /// A reserved contract does not say to whom in the DECP: the register must.
    fn reserved_warning(&self) -> Option<String> {
        self.says(SocialConsideration::Reserved).then(|| {
            format!(
                "Le marché {} est réservé selon la DECP, qui ne dit pas à qui : indiquez l'article (L2113-12, L2113-13 ou L2113-15) dans la colonne « Marché réservé » du registre.",
                self.id.as_deref().unwrap_or("sans identifiant")
            )
        })
    }

    /// The amount of each titulaire (one at least): several share it equally, the first taking
    /// the odd cents. An amount that does not read is passed on as written, for the register's
    /// check to refuse.
    fn shares(&self) -> Vec<Cell> {
        let total = self.montant.as_ref().map(|m| Money::parse(&m.to_string()));
        let holders = self.titulaires.len().max(1) as i64;
        (0..holders)
            .map(|i| match &total {
                Some(Ok(total)) => {
                    let odd = if i == 0 { total.cents() % holders } else { 0 };
                    Cell::Text(format_fixed(total.cents() / holders + odd, 2))
                }
                _ => text(self.montant.as_ref().map(ToString::to_string).as_deref()),
            })
            .collect()
    }

    /// The cells of one line of the record, under `KEYS`.
    fn line(&self, role: &str, siret: Option<&str>, amount: Cell) -> Vec<Cell> {
        let yes_if = |value, otherwise: &str| {
            Cell::Text(if self.says(value) { "Oui" } else { otherwise }.to_owned())
        };
        vec![
            text(self.id.as_deref()),
            text(self.objet.as_deref()),
            text(self.acheteur.as_ref().and_then(|a| a.id.as_deref())),
            text(self.procedure.as_deref()),
            text(self.code_cpv.as_deref()),
            text(
                self.date_notification
                    .as_deref()
                    .map(french_date)
                    .as_deref(),
            ),
            self.duree_mois
                .as_ref()
                .and_then(serde_json::Number::as_i64)
                .map_or(Cell::Text(String::new()), Cell::Integer),
            amount,
            text(siret),
            Cell::Text(role.to_owned()),
            yes_if(SocialConsideration::Clause, ""),
            yes_if(SocialConsideration::Criterion, "Non"),
        ]
    }

    /// One line per titulaire (one with none if there is none), then one per subcontractor.
    fn lines(&self) -> Vec<Vec<Cell>> {
        let shares = self.shares();
        let mut lines: Vec<Vec<Cell>> = Vec::new();
        if self.titulaires.is_empty() {
            lines.push(self.line("Titulaire", None, shares[0].clone()));
        }
        for (i, item) in self.titulaires.iter().enumerate() {
            let role = if i == 0 { "Titulaire" } else { "Co-traitant" };
            lines.push(self.line(role, item.titulaire.id.as_deref(), shares[i].clone()));
        }
        for acte in &self.actes_sous_traitance {
            let acte = &acte.acte_sous_traitance;
            let amount = acte.montant.as_ref().map(ToString::to_string);
            lines.push(self.line(
                "Sous-traitant",
                acte.sous_traitant.as_ref().and_then(|s| s.id.as_deref()),
                text(amount.as_deref()),
            ));
        }
        lines
    }
}

fn text(value: Option<&str>) -> Cell {
    Cell::Text(value.unwrap_or_default().to_owned())
}

/// DECP dates are AAAA-MM-JJ; the register reads JJ/MM/AAAA. Anything else is left for the
/// register's check to refuse with the value shown.
fn french_date(iso: &str) -> String {
    NaiveDate::parse_from_str(iso.trim(), "%Y-%m-%d")
        .map_or_else(|_| iso.to_owned(), |d| d.format("%d/%m/%Y").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(json: &str) -> Record {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn titulaires_share_the_amount_the_first_taking_the_odd_cents() {
        let shared = record(
            r#"{"montant": 100.01, "titulaires": [{"titulaire": {"id": "1"}}, {"titulaire": {"id": "2"}}, {"titulaire": {"id": "3"}}]}"#,
        );
        let texts = |cells: Vec<Cell>| cells.into_iter().map(|c| c.display()).collect::<Vec<_>>();
        assert_eq!(texts(shared.shares()), ["33,35", "33,33", "33,33"]);
        let unread = record(r#"{"montant": 0.001}"#);
        assert_eq!(texts(unread.shares()), ["0.001"]);
    }

    #[test]
    fn a_record_gives_a_line_per_titulaire_then_per_subcontractor() {
        let r = record(
            r#"{"id": "2025-001", "dateNotification": "2025-03-14",
                "titulaires": [{"titulaire": {"id": "A"}}, {"titulaire": {"id": "B"}}],
                "actesSousTraitance": [{"acteSousTraitance": {"sousTraitant": {"id": "C"}, "montant": 5}}],
                "considerationsSociales": {"considerationSociale": ["Clause sociale"]}}"#,
        );
        let lines = r.lines();
        let column = |key| KEYS.iter().position(|k| *k == key).unwrap();
        let roles: Vec<String> = lines.iter().map(|l| l[column("role")].display()).collect();
        assert_eq!(roles, ["Titulaire", "Co-traitant", "Sous-traitant"]);
        assert_eq!(lines[2][column("holder_siret")].display(), "C");
        assert_eq!(
            lines[0][column("notification_date")].display(),
            "14/03/2025"
        );
        assert_eq!(lines[0][column("social_criterion")].display(), "Non");
        let without = record(r#"{"id": "2025-002"}"#);
        assert_eq!(without.lines().len(), 1);
    }

    #[test]
    fn a_reserved_record_is_named_in_a_warning() {
        let reserved = record(
            r#"{"id": "2025-003", "considerationsSociales": {"considerationSociale": ["Marché réservé"]}}"#,
        );
        let warning = reserved.reserved_warning();
        assert!(warning.is_some_and(|w| w.starts_with("Le marché 2025-003 est réservé")));
        assert_eq!(record("{}").reserved_warning(), None);
    }

    #[test]
    fn iso_dates_are_turned_french_and_others_left_as_written() {
        assert_eq!(french_date(" 2025-03-14 "), "14/03/2025");
        assert_eq!(french_date("14 mars"), "14 mars");
    }
}

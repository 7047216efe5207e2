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

/// The register's rows of a DECP document, and what the reader should know about them.
pub fn read(bytes: &[u8], profile: &Profile) -> Result<(Sheet, Vec<String>), FileProblem> {
    let json = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let document: Document = serde_json::from_slice(json).map_err(|e| {
        FileProblem::Damaged(format!(
            "fichier JSON au format DECP illisible, ligne {} colonne {} : {e}",
            e.line(),
            e.column()
        ))
    })?;
    let header = |key: &str| {
        profile
            .columns
            .iter()
            .find(|c| c.key == key)
            .map_or_else(|| key.to_owned(), |c| c.header.clone())
    };
    let keys = [
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
    let mut rows = vec![Row {
        number: 1,
        cells: keys
            .iter()
            .enumerate()
            .map(|(c, key)| (c as u32, Cell::Text(header(key))))
            .collect(),
    }];
    let mut warnings = vec![
        "Fichier DECP : chaque titulaire et chaque sous-traitant d'un marché forme une ligne ; la ligne 2 est le premier titulaire du premier marché.".to_owned(),
        "La DECP ne donne pas la raison sociale des entreprises : celles que le service ne connaît pas encore doivent d'abord être importées (structures : SIRET et raison sociale).".to_owned(),
    ];
    for record in &document.marches.marche {
        let said = |value: SocialConsideration| {
            record
                .considerations_sociales
                .as_ref()
                .is_some_and(|c| c.consideration_sociale.iter().any(|s| s == value.label()))
        };
        if said(SocialConsideration::Reserved) {
            warnings.push(format!(
                "Le marché {} est réservé selon la DECP, qui ne dit pas à qui : indiquez l'article (L2113-12, L2113-13 ou L2113-15) dans la colonne « Marché réservé » du registre.",
                record.id.as_deref().unwrap_or("sans identifiant")
            ));
        }
        // Several titulaires share the amount equally, the first taking the odd cents.
        let total = record
            .montant
            .as_ref()
            .map(|m| Money::parse(&m.to_string()));
        let holders = record.titulaires.len().max(1) as i64;
        let shares: Vec<Cell> = (0..holders)
            .map(|i| match &total {
                Some(Ok(total)) => {
                    let odd = if i == 0 { total.cents() % holders } else { 0 };
                    Cell::Text(format_fixed(total.cents() / holders + odd, 2))
                }
                _ => text(record.montant.as_ref().map(ToString::to_string).as_deref()),
            })
            .collect();
        let common = |role: &str, siret: Option<&str>, amount: Cell| -> Vec<Cell> {
            vec![
                text(record.id.as_deref()),
                text(record.objet.as_deref()),
                text(record.acheteur.as_ref().and_then(|a| a.id.as_deref())),
                text(record.procedure.as_deref()),
                text(record.code_cpv.as_deref()),
                text(
                    record
                        .date_notification
                        .as_deref()
                        .map(french_date)
                        .as_deref(),
                ),
                record
                    .duree_mois
                    .as_ref()
                    .and_then(serde_json::Number::as_i64)
                    .map_or(Cell::Text(String::new()), Cell::Integer),
                amount,
                text(siret),
                Cell::Text(role.to_owned()),
                Cell::Text(
                    if said(SocialConsideration::Clause) {
                        "Oui"
                    } else {
                        ""
                    }
                    .to_owned(),
                ),
                Cell::Text(
                    if said(SocialConsideration::Criterion) {
                        "Oui"
                    } else {
                        "Non"
                    }
                    .to_owned(),
                ),
            ]
        };
        let mut lines: Vec<Vec<Cell>> = Vec::new();
        if record.titulaires.is_empty() {
            lines.push(common("Titulaire", None, shares[0].clone()));
        }
        for (i, item) in record.titulaires.iter().enumerate() {
            let role = if i == 0 { "Titulaire" } else { "Co-traitant" };
            lines.push(common(
                role,
                item.titulaire.id.as_deref(),
                shares[i].clone(),
            ));
        }
        for acte in &record.actes_sous_traitance {
            let acte = &acte.acte_sous_traitance;
            let amount = acte.montant.as_ref().map(ToString::to_string);
            lines.push(common(
                "Sous-traitant",
                acte.sous_traitant.as_ref().and_then(|s| s.id.as_deref()),
                text(amount.as_deref()),
            ));
        }
        for cells in lines {
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

fn text(value: Option<&str>) -> Cell {
    Cell::Text(value.unwrap_or_default().to_owned())
}

/// DECP dates are AAAA-MM-JJ; the register reads JJ/MM/AAAA. Anything else is left for the
/// register's check to refuse with the value shown.
fn french_date(iso: &str) -> String {
    NaiveDate::parse_from_str(iso.trim(), "%Y-%m-%d")
        .map_or_else(|_| iso.to_owned(), |d| d.format("%d/%m/%Y").to_string())
}

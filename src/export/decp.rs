//! A buyer's contracts in the DECP 2024 open-data format (données essentielles de la commande
//! publique, schema v2.0.3 of github.com/139bercy/format-commande-publique): one record per
//! lot, with its social considerations from the clause, the criterion and the reservation.
//!
//! The register does not hold every field the format requires. What the buyer must have typed
//! (CPV code, procedure, duration, a holder) is checked and a contract lacking it is reported
//! with what to add; what the register has no column for takes the value listed in
//! `DEFAULTS`, stated in the README, for the buyer to check before publishing.

use chrono::{Datelike, NaiveDate};
use serde_json::{Number, Value, json};

use crate::domain::{
    AwardRole, Ccag, CompanyIdentifier, ContractNature, CpvCode, EnvironmentalConsideration,
    Labelled, Procedure, Reservation, SocialConsideration,
};
use crate::indicators::Period;
use crate::storage::DbConnection;
use crate::storage::buyers::Buyer;
use crate::storage::contracts::{self, ContractFilter, ContractView, LotView};

/// A titulaire as the DECP names it: its kind of identifier and the identifier.
fn titulaire(key: &str) -> Value {
    match CompanyIdentifier::parse(key) {
        Ok(company) => json!({ "typeIdentifiant": company.kind().code(), "id": company.id() }),
        Err(_) => json!({ "typeIdentifiant": "SIRET", "id": key }),
    }
}

/// DECP caps an identifier at 16 characters.
const MAX_ID_CHARS: usize = 16;

/// The fields the register does not hold, and the value written for them.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("techniques", "Sans objet"),
    ("modalitesExecution", "Sans objet"),
    ("marcheInnovant", "false"),
    ("offresRecues", "1 (nombre d'offres inconnu)"),
    ("attributionAvance", "false"),
    ("typesPrix", "Définitif ferme"),
    ("formePrix", "Forfaitaire"),
    (
        "typeGroupementOperateurs",
        "Pas de groupement (un titulaire) ou Conjoint (plusieurs)",
    ),
    (
        "lieuExecution",
        "premier département du territoire de l'acheteur",
    ),
    (
        "ccag",
        "Travaux pour un code CPV de travaux, sinon Fournitures courantes et services, si le registre ne le dit pas",
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum DecpError {
    #[error(
        "Ces marchés ne peuvent pas être publiés au format DECP ; complétez le registre des marchés puis recommencez : {}",
        .0.join(" ; ")
    )]
    Incomplete(Vec<String>),
}

/// The buyer whose contracts are exported.
pub struct Publisher<'a> {
    pub siret: &'a str,
    /// Where the contracts are carried out, when the register does not say: a département code.
    pub departement: Option<&'a str>,
    pub published_on: NaiveDate,
}

/// The DECP document of a buyer's contracts notified in the period (all when `None`).
pub fn of_buyer(
    conn: &mut DbConnection,
    buyer: &Buyer,
    period: Option<Period>,
    published_on: NaiveDate,
) -> Result<Value, DecpFailure> {
    let filter = ContractFilter {
        buyer_ids: Some(vec![buyer.id]),
        company_id: None,
        from: period.map(|p| p.from),
        to: period.map(|p| p.to),
        ..ContractFilter::default()
    };
    let contracts = contracts::all(conn, &filter)?;
    let departement = buyer
        .territory
        .departements()
        .first()
        .map(|d| d.as_str().to_owned());
    let publisher = Publisher {
        siret: buyer.siret.as_str(),
        departement: departement.as_deref(),
        published_on,
    };
    Ok(document(&publisher, &contracts)?)
}

#[derive(Debug, thiserror::Error)]
pub enum DecpFailure {
    #[error(transparent)]
    Decp(#[from] DecpError),
    #[error(transparent)]
    Storage(#[from] diesel::result::Error),
}

/// The DECP document of these contracts, or every contract that lacks what the format requires.
pub fn document(publisher: &Publisher<'_>, contracts: &[ContractView]) -> Result<Value, DecpError> {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for contract in contracts {
        for lot in &contract.lots {
            match record(publisher, contract, lot) {
                Ok(record) => records.push(record),
                Err(missing) => problems.push(format!(
                    "marché {}{} : {}",
                    contract.reference,
                    if lot.number == 0 {
                        String::new()
                    } else {
                        format!(", lot {}", lot.number)
                    },
                    missing.join(", ")
                )),
            }
        }
    }
    if problems.is_empty() {
        Ok(json!({ "marches": { "marche": records } }))
    } else {
        Err(DecpError::Incomplete(problems))
    }
}

/// The record's identifier: the reference, with the lot number for a contract with lots.
fn identifier(contract: &ContractView, lot: &LotView) -> String {
    if lot.number == 0 {
        contract.reference.clone()
    } else {
        format!("{}-L{}", contract.reference, lot.number)
    }
}

fn euros(cents: i64) -> Value {
    Number::from_f64(cents as f64 / 100.0).map_or(Value::Null, Value::Number)
}

/// Whole months from notification to the end date, counting a started month.
fn months_between(from: NaiveDate, to: NaiveDate) -> Option<i64> {
    let months =
        i64::from(to.year() - from.year()) * 12 + i64::from(to.month()) - i64::from(from.month());
    let months = if to.day() >= from.day() {
        months + 1
    } else {
        months
    };
    (months >= 1).then_some(months)
}

/// What the DECP format requires of a lot, checked: each missing fact is said.
struct Required {
    id: String,
    cpv: CpvCode,
    procedure: Procedure,
    duration: i64,
    holders: Vec<Value>,
}

fn required(contract: &ContractView, lot: &LotView) -> Result<Required, Vec<String>> {
    let mut missing = Vec::new();
    let id = identifier(contract, lot);
    if id.chars().count() > MAX_ID_CHARS {
        missing.push(format!(
            "l'identifiant « {id} » dépasse {MAX_ID_CHARS} caractères (raccourcissez la référence)"
        ));
    }
    let cpv = contract
        .cpv_code
        .as_deref()
        .and_then(|c| CpvCode::parse(c).ok());
    if cpv.is_none() {
        missing.push("code CPV manquant (colonne « Code CPV »)".to_owned());
    }
    let procedure = contract.procedure.as_deref().and_then(Procedure::from_code);
    if procedure.is_none() {
        missing.push("procédure manquante (colonne « Procédure »)".to_owned());
    }
    let duration = contract
        .duration_months
        .map(i64::from)
        .filter(|m| *m >= 1)
        .or_else(|| {
            contract
                .end_date
                .and_then(|end| months_between(contract.notification_date, end))
        });
    if duration.is_none() {
        missing.push("durée inconnue (colonne « Durée (mois) » ou « Date de fin »)".to_owned());
    }
    let holders: Vec<Value> = lot
        .awards
        .iter()
        .filter(|a| AwardRole::from_code(&a.role) != Some(AwardRole::Subcontractor))
        .map(|a| json!({ "titulaire": titulaire(&a.identifier) }))
        .collect();
    if holders.is_empty() {
        missing.push("aucun titulaire".to_owned());
    }
    if lot.amount < 100 {
        missing.push("montant HT inférieur à 1 €".to_owned());
    }
    match (cpv, procedure, duration, missing.is_empty()) {
        (Some(cpv), Some(procedure), Some(duration), true) => Ok(Required {
            id,
            cpv,
            procedure,
            duration,
            holders,
        }),
        _ => Err(missing),
    }
}

fn record(
    publisher: &Publisher<'_>,
    contract: &ContractView,
    lot: &LotView,
) -> Result<Value, Vec<String>> {
    let Required {
        id,
        cpv,
        procedure,
        duration,
        holders,
    } = required(contract, lot)?;
    let reservation = Reservation::from_code(&lot.reservation).unwrap_or(Reservation::None);
    // Another social condition of execution is a « clause sociale » as much as an insertion
    // clause.
    let social: Vec<&str> = SocialConsideration::of(
        lot.target_hours.is_some() || contract.register.social_condition,
        contract.social_criterion,
        reservation,
    )
    .into_iter()
    .map(Labelled::label)
    .collect();
    let environmental: Vec<&str> = EnvironmentalConsideration::of(
        contract.register.environmental_condition,
        contract.register.environmental_criterion,
    )
    .into_iter()
    .map(Labelled::label)
    .collect();
    let nature = ContractNature::from_code(&contract.nature).unwrap_or(ContractNature::Contract);
    let ccag = contract
        .ccag
        .as_deref()
        .and_then(Ccag::from_code)
        .unwrap_or(if cpv.division() == 45 {
            Ccag::Works
        } else {
            Ccag::SuppliesAndServices
        });
    let object = match &lot.title {
        Some(title) if lot.number != 0 => {
            format!("{} — lot {} : {title}", contract.object, lot.number)
        }
        _ => contract.object.clone(),
    };
    let subcontracting = lot
        .awards
        .iter()
        .any(|a| AwardRole::from_code(&a.role) == Some(AwardRole::Subcontractor));
    let grouping = if holders.len() > 1 {
        "Conjoint"
    } else {
        "Pas de groupement"
    };
    let place = publisher.departement.map_or_else(
        || json!({ "code": "FR", "typeCode": "Code pays" }),
        |d| json!({ "code": d, "typeCode": "Code département" }),
    );
    Ok(json!({
        "id": id,
        "acheteur": { "id": publisher.siret },
        "nature": nature.label(),
        "objet": object.chars().take(1000).collect::<String>(),
        "codeCPV": cpv.as_str(),
        "techniques": { "technique": ["Sans objet"] },
        "modalitesExecution": { "modaliteExecution": ["Sans objet"] },
        "marcheInnovant": false,
        "ccag": ccag.label(),
        "offresRecues": 1,
        "attributionAvance": false,
        "typeGroupementOperateurs": grouping,
        "sousTraitanceDeclaree": subcontracting,
        "procedure": procedure.label(),
        "lieuExecution": place,
        "dureeMois": duration,
        "dateNotification": contract.notification_date.format("%Y-%m-%d").to_string(),
        "datePublicationDonnees": publisher.published_on.format("%Y-%m-%d").to_string(),
        "montant": euros(lot.amount),
        "typesPrix": { "typePrix": ["Définitif ferme"] },
        "formePrix": "Forfaitaire",
        "titulaires": holders,
        "considerationsSociales": { "considerationSociale": social },
        "considerationsEnvironnementales": { "considerationEnvironnementale": environmental },
    }))
}

//! The lot a row names by its contract reference and lot number, among the lots the uploader
//! may name: shared by the kinds whose rows point at a lot.

use std::collections::HashMap;

use crate::import::refusal::Refusal;
use crate::storage::contracts::LotPeriod;

/// What a row says of its lot: the contract's reference, and the lot's number (0 when empty: a
/// contract without lots).
pub struct LotCell<'a> {
    pub reference: &'a str,
    pub lot: i64,
}

/// The lots of the context by contract reference: indexed once rather than searched row after
/// row.
pub struct LotsByReference<'a>(HashMap<&'a str, Vec<&'a LotPeriod>>);

impl<'a> LotsByReference<'a> {
    pub fn new(lots: &'a [LotPeriod]) -> Self {
        let mut index: HashMap<&str, Vec<&LotPeriod>> = HashMap::new();
        for lot in lots {
            index.entry(lot.reference.as_str()).or_default().push(lot);
        }
        LotsByReference(index)
    }

    /// The lots of the contracts with this reference (of one or more buyers).
    pub fn get(&self, reference: &str) -> &[&'a LotPeriod] {
        self.0.get(reference).map_or(&[], Vec::as_slice)
    }
}

/// The row's lot among `candidates`, the lots with its reference: the reference is known, of
/// one buyer only, and has the row's lot.
pub fn lot_of_row<'a>(
    row: &LotCell<'_>,
    candidates: &[&'a LotPeriod],
) -> Result<&'a LotPeriod, Refusal> {
    reference_in_scope(row, candidates)?;
    reference_of_one_buyer(row, candidates)?;
    lot_of_contract(row, candidates)
}

fn reference_in_scope(row: &LotCell<'_>, candidates: &[&LotPeriod]) -> Result<(), Refusal> {
    if !candidates.is_empty() {
        return Ok(());
    }
    Err(Refusal::new(
        "reference",
        Some(row.reference.to_owned()),
        "Aucun marché de votre périmètre n'a cette référence : vérifiez-la, ou importez d'abord le registre des marchés.",
    ))
}

fn reference_of_one_buyer(row: &LotCell<'_>, candidates: &[&LotPeriod]) -> Result<(), Refusal> {
    let first = candidates.first().map(|l| l.buyer_id);
    if candidates.iter().all(|l| Some(l.buyer_id) == first) {
        return Ok(());
    }
    Err(Refusal::new(
        "reference",
        Some(row.reference.to_owned()),
        "Plusieurs acheteurs ont un marché avec cette référence : précisez l'acheteur en envoyant le fichier.",
    ))
}

fn lot_of_contract<'a>(
    row: &LotCell<'_>,
    candidates: &[&'a LotPeriod],
) -> Result<&'a LotPeriod, Refusal> {
    if let Some(lot) = candidates
        .iter()
        .find(|l| i64::from(l.lot_number) == row.lot)
    {
        return Ok(lot);
    }
    let numbers: Vec<String> = candidates
        .iter()
        .map(|l| l.lot_number.to_string())
        .collect();
    let message = if row.lot == 0 {
        format!(
            "Ce marché est divisé en lots ({}) : indiquez le numéro du lot.",
            numbers.join(", ")
        )
    } else {
        format!(
            "Lot {} inconnu pour vos marchés : les lots de ce marché que vous pouvez déclarer sont {} ; corrigez le numéro du lot.",
            row.lot,
            numbers.join(", ")
        )
    };
    Err(Refusal::new("lot", Some(row.lot.to_string()), message))
}

//! One DECP record read on its own, tolerant of how the published data is really written:
//! 2019 and 2024 field shapes alike, "NC", `NaN`, "" or `null` for an unknown optional number,
//! dates with a time or a zone, amounts written as text. What cannot be read is a problem
//! naming the field by its JSON path (`titulaires[1].titulaire.id`).

use chrono::NaiveDate;
use serde_json::Value;

use crate::domain::{IdentifierKind, Money};

/// A problem of one field of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub path: String,
    pub value: Option<String>,
    pub message: String,
}

/// A company as a record names it: a titulaire or a subcontractor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    /// Path of its identifier in the record.
    pub path: String,
    /// Its identifier's key: the SIRET as written, or `TVA:FR64443061841` for another kind.
    pub id: String,
    /// 2019 records give the company's name; 2024 records do not.
    pub name: Option<String>,
}

/// A declared subcontractor and its amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subcontractor {
    pub company: Company,
    pub amount: Option<Located>,
}

/// A value read from the record and where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub path: String,
    pub text: String,
}

/// The fields of a record the register holds, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub id: String,
    pub buyer: String,
    pub object: String,
    pub procedure: Option<String>,
    pub cpv: Option<String>,
    pub notified: NaiveDate,
    pub published: Option<NaiveDate>,
    /// Months, unknown when "NC", `NaN`, "" or `null`.
    pub duration: Option<Located>,
    pub amount: Located,
    pub holders: Vec<Company>,
    pub subcontractors: Vec<Subcontractor>,
    pub social: Vec<String>,
    /// `considerationsEnvironnementales`, as published.
    pub environmental: Vec<String>,
    pub modifications: Vec<Modification>,
}

/// A modification (avenant) as published: what it changes, when it was notified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modification {
    pub path: String,
    pub order: (Option<NaiveDate>, i64, usize),
    pub notified: Option<NaiveDate>,
    pub duration: Option<Located>,
    pub amount: Option<Located>,
    pub holders: Option<Vec<Company>>,
}

/// Collects a record's problems as its fields are read.
#[derive(Default)]
pub struct Reading {
    pub problems: Vec<FieldProblem>,
}

impl Reading {
    fn refuse(&mut self, path: &str, value: Option<&Value>, message: impl Into<String>) {
        self.problems.push(FieldProblem {
            path: path.to_owned(),
            value: value.map(shown),
            message: message.into(),
        });
    }
}

/// A JSON value as the report shows it: a string without its quotes.
pub fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether a value says "unknown": `null`, "", "NC", "NaN" and their like.
fn unknown(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => matches!(
            s.trim().to_uppercase().as_str(),
            "" | "NC" | "NAN" | "N/A" | "ND" | "NULL" | "NONE" | "INCONNU"
        ),
        Value::Number(n) => n.as_f64().is_some_and(|f| !f.is_finite()),
        _ => false,
    }
}

/// `value`'s text when it is a string or a number, `None` when unknown.
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        v if unknown(v) => None,
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A date as DECP files write it: `AAAA-MM-JJ`, with or without a time or a zone after it;
/// `JJ/MM/AAAA` is read too.
pub fn date_of(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let day = text.get(..10)?;
    let rest = &text[10..];
    let rest_is_time_or_zone =
        rest.is_empty() || rest.starts_with(['T', 't', ' ', '+', '-', 'Z', 'z']);
    if !rest_is_time_or_zone {
        return None;
    }
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(day, "%d/%m/%Y"))
        .ok()
}

impl Reading {
    fn required_text(&mut self, record: &Value, key: &str, what: &str) -> Option<String> {
        let value = record.get(key);
        let found = text(value).filter(|t| !t.is_empty());
        if found.is_none() {
            self.refuse(
                key,
                value.filter(|v| !v.is_null()),
                format!("{what} manque : le registre en a besoin, complétez la donnée publiée."),
            );
        }
        found
    }

    fn date(&mut self, value: Option<&Value>, path: &str, required: bool) -> Option<NaiveDate> {
        match value {
            Some(v) if !unknown(v) => {
                let date = v.as_str().and_then(date_of);
                if date.is_none() {
                    self.refuse(
                        path,
                        Some(v),
                        format!(
                            "« {} » n'est pas une date : écrivez-la AAAA-MM-JJ, par exemple 2025-03-14.",
                            shown(v)
                        ),
                    );
                }
                date
            }
            v => {
                if required {
                    self.refuse(
                        path,
                        v.filter(|v| !v.is_null()),
                        "La date de notification manque : le registre en a besoin, complétez la donnée publiée.",
                    );
                }
                None
            }
        }
    }

    /// A number of months; unknown is no problem, a text that is not a whole number is.
    fn months(&mut self, value: Option<&Value>, path: &str) -> Option<Located> {
        let v = value.filter(|v| !unknown(v))?;
        let whole = match v {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        match whole {
            Some(months) => Some(Located {
                path: path.to_owned(),
                text: months.to_string(),
            }),
            None => {
                self.refuse(
                    path,
                    Some(v),
                    format!(
                        "La durée « {} » n'est pas un nombre entier de mois : écrivez par exemple 12, ou « NC » si elle est inconnue.",
                        shown(v)
                    ),
                );
                None
            }
        }
    }

    /// An amount in euros, as a number or a text ("123 456,78"); unknown is `None`.
    fn amount(&mut self, value: Option<&Value>, path: &str) -> Option<Located> {
        let v = value.filter(|v| !unknown(v))?;
        let written = text(Some(v)).unwrap_or_else(|| shown(v));
        if Money::parse(&written).is_err() {
            self.refuse(
                path,
                Some(v),
                format!(
                    "Le montant « {} » n'est pas un montant en euros : écrivez par exemple 125000.50.",
                    shown(v)
                ),
            );
            return None;
        }
        Some(Located {
            path: path.to_owned(),
            text: written,
        })
    }
}

/// Reads a record; `None` with the problems found when it cannot be imported.
pub fn read(record: &Value) -> Result<Record, Vec<FieldProblem>> {
    let mut reading = Reading::default();
    if !record.is_object() {
        reading.refuse(
            "",
            Some(record),
            "Cet élément de la liste n'est pas un marché (objet JSON attendu).",
        );
        return Err(reading.problems);
    }
    let id = reading.required_text(record, "id", "L'identifiant du marché (id)");
    let buyer = buyer_of(record);
    if buyer.is_none() {
        reading.refuse(
            "acheteur.id",
            None,
            "Le SIRET de l'acheteur manque : complétez la donnée publiée.",
        );
    }
    let object = reading.required_text(record, "objet", "L'objet du marché");
    let notified = reading.date(record.get("dateNotification"), "dateNotification", true);
    let published = record
        .get("datePublicationDonnees")
        .and_then(Value::as_str)
        .and_then(date_of);
    let duration = reading.months(record.get("dureeMois"), "dureeMois");
    let amount = reading.amount(record.get("montant"), "montant");
    if amount.is_none() && !reading.problems.iter().any(|p| p.path == "montant") {
        reading.refuse(
            "montant",
            record.get("montant").filter(|v| !v.is_null()),
            "Le montant du marché est inconnu : le registre en a besoin, complétez la donnée publiée.",
        );
    }
    let holders = companies(&mut reading, record.get("titulaires"), "titulaires");
    // A titulaire already refused is told once, not again as a missing one.
    let told = reading
        .problems
        .iter()
        .any(|p| p.path.starts_with("titulaires"));
    if holders.as_ref().is_none_or(Vec::is_empty) && !told {
        reading.refuse(
            "titulaires",
            None,
            "Le marché n'a aucun titulaire : ajoutez-le à la donnée publiée.",
        );
    }
    let subcontractors = subcontractors(&mut reading, record.get("actesSousTraitance"));
    let modifications = modifications(&mut reading, record.get("modifications"));
    let social = record
        .pointer("/considerationsSociales/considerationSociale")
        .map(strings)
        .unwrap_or_default();
    let environmental = record
        .pointer("/considerationsEnvironnementales/considerationEnvironnementale")
        .map(strings)
        .unwrap_or_default();
    match (id, buyer, object, notified, amount, holders) {
        (Some(id), Some(buyer), Some(object), Some(notified), Some(amount), Some(holders))
            if reading.problems.is_empty() =>
        {
            Ok(Record {
                id,
                buyer,
                object,
                procedure: text(record.get("procedure")),
                cpv: text(record.get("codeCPV")),
                notified,
                published,
                duration,
                amount,
                holders,
                subcontractors,
                social,
                environmental,
                modifications,
            })
        }
        _ => Err(reading.problems),
    }
}

/// The buyer's SIRET as written, spaces left out: `acheteur.id` (or a 2019 concession's
/// `autoriteConcedante.id`), a string or a number.
pub fn buyer_of(record: &Value) -> Option<String> {
    let id = record
        .pointer("/acheteur/id")
        .or_else(|| record.pointer("/autoriteConcedante/id"))?;
    id_text(id)
}

/// A buyer's id as written (a string or a number), spaces left out; `None` when unknown.
pub fn id_text(id: &Value) -> Option<String> {
    let id = text(Some(id))?;
    Some(id.chars().filter(|c| !c.is_whitespace()).collect()).filter(|s: &String| !s.is_empty())
}

/// A list of strings, or one string, as a list.
fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(|v| text(Some(v))).collect(),
        other => text(Some(other)).into_iter().collect(),
    }
}

/// The items of a list written as a list, or as one object where the list had one item.
fn items(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => vec![value],
        _ => Vec::new(),
    }
}

/// An item that wraps its content in a key (2024: `{"titulaire": {...}}`), unwrapped as many
/// times as it is wrapped; the path says where the content is.
fn unwrapped<'v>(mut item: &'v Value, key: &str, mut path: String) -> (&'v Value, String) {
    while let Some(inner) = item.get(key).filter(|v| v.is_object()) {
        item = inner;
        path = format!("{path}.{key}");
    }
    (item, path)
}

/// The companies of a `titulaires` list; `None` when the list is not one.
fn companies(reading: &mut Reading, value: Option<&Value>, path: &str) -> Option<Vec<Company>> {
    let value = value.filter(|v| !unknown(v))?;
    if !value.is_array() && !value.is_object() {
        reading.refuse(
            path,
            Some(value),
            "La liste des titulaires est illisible (liste d'objets attendue).",
        );
        return None;
    }
    let mut found = Vec::new();
    for (i, item) in items(value).into_iter().enumerate() {
        let at = if value.is_array() {
            format!("{path}[{i}]")
        } else {
            path.to_owned()
        };
        let (company, at) = unwrapped(item, "titulaire", at);
        found.extend(company_of(reading, company, &at));
    }
    Some(found)
}

/// A company's identifier as the register reads it: a SIRET alone (2019 records often leave
/// its kind out), another kind as its key, `TVA:FR64443061841`, checked with the register's
/// other cells. An unknown kind is a problem here, where its path is known.
fn company_of(reading: &mut Reading, company: &Value, path: &str) -> Option<Company> {
    let id_path = format!("{path}.id");
    let Some(id) = text(company.get("id")).filter(|t| !t.is_empty()) else {
        reading.refuse(
            &id_path,
            company.get("id").filter(|v| !v.is_null()),
            "L'identifiant de l'entreprise manque : complétez la donnée publiée.",
        );
        return None;
    };
    let id: String = id.chars().filter(|c| !c.is_whitespace()).collect();
    let written = text(company.get("typeIdentifiant")).unwrap_or_default();
    let kind = match IdentifierKind::from_code(&written) {
        _ if written.is_empty() => IdentifierKind::Siret,
        Some(kind) => kind,
        None => {
            reading.refuse(
                &format!("{path}.typeIdentifiant"),
                company.get("typeIdentifiant"),
                format!(
                    "Le type d'identifiant « {written} » est inconnu : la DECP attend SIRET, TVA, TAHITI, RIDET, FRWF, IREP ou HORS-UE."
                ),
            );
            return None;
        }
    };
    let key = match kind {
        IdentifierKind::Siret => id,
        other => format!("{}:{id}", other.code()),
    };
    Some(Company {
        path: id_path,
        id: key,
        name: text(company.get("denominationSociale")).filter(|n| !n.is_empty()),
    })
}

fn subcontractors(reading: &mut Reading, value: Option<&Value>) -> Vec<Subcontractor> {
    let Some(value) = value.filter(|v| !unknown(v)) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (i, item) in items(value).into_iter().enumerate() {
        let (acte, at) = unwrapped(
            item,
            "acteSousTraitance",
            format!("actesSousTraitance[{i}]"),
        );
        let Some(who) = acte.get("sousTraitant") else {
            reading.refuse(
                &format!("{at}.sousTraitant"),
                None,
                "Le sous-traitant n'est pas identifié : complétez la donnée publiée.",
            );
            continue;
        };
        let company = company_of(reading, who, &format!("{at}.sousTraitant"));
        let amount = reading.amount(acte.get("montant"), &format!("{at}.montant"));
        found.extend(company.map(|company| Subcontractor { company, amount }));
    }
    found
}

/// The modifications, in the order they were notified (then by their number, then as
/// listed).
fn modifications(reading: &mut Reading, value: Option<&Value>) -> Vec<Modification> {
    let Some(value) = value.filter(|v| !unknown(v)) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (i, item) in items(value).into_iter().enumerate() {
        let (change, at) = unwrapped(item, "modification", format!("modifications[{i}]"));
        let notified = change
            .get("dateNotificationModification")
            .and_then(Value::as_str)
            .and_then(date_of);
        let number = change.get("id").and_then(Value::as_i64).unwrap_or(0);
        let holders = companies(
            reading,
            change.get("titulaires"),
            &format!("{at}.titulaires"),
        )
        .filter(|h| !h.is_empty());
        found.push(Modification {
            order: (notified, number, i),
            notified,
            duration: reading.months(change.get("dureeMois"), &format!("{at}.dureeMois")),
            amount: reading.amount(change.get("montant"), &format!("{at}.montant")),
            holders,
            path: at,
        });
    }
    found.sort_by_key(|m| m.order);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(problems: &[FieldProblem]) -> Vec<&str> {
        problems.iter().map(|p| p.path.as_str()).collect()
    }

    #[test]
    fn unknown_numbers_are_unknown_and_text_amounts_and_dates_read() {
        for unknown in [json!("NC"), json!(""), Value::Null, json!("NaN")] {
            let r = read(&json!({
                "id": "A", "acheteur": {"id": "1"}, "objet": "o",
                "dateNotification": "2024-05-01T00:00:00+02:00", "dureeMois": unknown,
                "montant": "125 000,50", "titulaires": [{"titulaire": {"id": "2"}}]
            }))
            .unwrap();
            assert_eq!(r.duration, None);
            assert_eq!(r.amount.text, "125 000,50");
            assert_eq!(r.notified, NaiveDate::from_ymd_opt(2024, 5, 1).unwrap());
        }
        for (written, day) in [
            ("2024-05-01+02:00", 1),
            ("2024-05-02Z", 2),
            ("03/05/2024", 3),
        ] {
            assert_eq!(
                date_of(written).map(|d| chrono::Datelike::day(&d)),
                Some(day)
            );
        }
        assert_eq!(date_of("2024-05-01garbage"), None);
    }

    #[test]
    fn problems_name_the_field_by_its_path() {
        let problems = read(&json!({
            "id": "A", "acheteur": {"id": "1"}, "objet": "o", "dateNotification": "hier",
            "dureeMois": "douze", "montant": "beaucoup",
            "titulaires": [{"titulaire": {"id": "2", "typeIdentifiant": "SIRET"}},
                           {"titulaire": {"id": "FR123", "typeIdentifiant": "TVA"}}]
        }))
        .unwrap_err();
        assert_eq!(
            paths(&problems),
            ["dateNotification", "dureeMois", "montant"]
        );
        let unknown_kind = read(&json!({
            "id": "A", "acheteur": {"id": "1"}, "objet": "o", "dateNotification": "2024-01-01",
            "montant": 10, "titulaires": [{"titulaire": {"id": "2", "typeIdentifiant": "DUNS"}}]
        }))
        .unwrap_err();
        assert_eq!(
            paths(&unknown_kind),
            ["titulaires[0].titulaire.typeIdentifiant"]
        );
        assert!(unknown_kind[0].message.contains("« DUNS » est inconnu"));
        let flat = read(&json!({"id": "A", "titulaires": [{"id": null}]})).unwrap_err();
        assert!(paths(&flat).contains(&"titulaires[0].id"));
    }

    #[test]
    fn companies_identified_otherwise_are_read_by_their_key() {
        let r = read(&json!({
            "id": "A", "acheteur": {"id": "1"}, "objet": "o", "dateNotification": "2024-01-01",
            "montant": 10,
            "titulaires": [{"titulaire": {"id": "FR 64 443061841", "typeIdentifiant": "TVA"}},
                           {"id": "GB123", "typeIdentifiant": "HORS_UE"},
                           {"id": "443 061 841 00047"}]
        }))
        .unwrap();
        let keys: Vec<&str> = r.holders.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(
            keys,
            ["TVA:FR64443061841", "HORS-UE:GB123", "44306184100047"]
        );
    }

    #[test]
    fn modifications_come_in_the_order_notified_garbled_holders_told() {
        let r = read(&json!({
            "id": "A", "acheteur": {"id": "1"}, "objet": "o", "dateNotification": "2024-01-01",
            "montant": 10, "titulaires": [{"id": "2", "typeIdentifiant": "SIRET", "denominationSociale": "Bâtir"}],
            "modifications": [
                {"modification": {"id": 2, "montant": 30, "dateNotificationModification": "2024-06-01"}},
                {"modification": {"id": 1, "dureeMois": "NC", "montant": 20,
                    "titulaires": [{"titulaire": {"titulaire": {"id": "3"}}}],
                    "dateNotificationModification": "2024-03-01"}}
            ]
        }))
        .unwrap();
        assert_eq!(r.holders[0].name.as_deref(), Some("Bâtir"));
        let amounts: Vec<_> = r
            .modifications
            .iter()
            .map(|m| m.amount.clone().unwrap().text)
            .collect();
        assert_eq!(amounts, ["20", "30"]);
        let holders = r.modifications[0].holders.clone().unwrap();
        assert_eq!(
            holders[0].path,
            "modifications[1].modification.titulaires[0].titulaire.titulaire.id"
        );
        let garbled = read(&json!({
            "id": "A", "acheteur": {"id": "1"}, "objet": "o", "dateNotification": "2024-01-01",
            "montant": 10, "titulaires": [{"id": "2"}],
            "modifications": [{"modification": {"titulaires": "2"}}]
        }))
        .unwrap_err();
        assert_eq!(
            paths(&garbled),
            ["modifications[0].modification.titulaires"]
        );
    }
}

//! A record as rows of the register: one per titulaire, one per declared subcontractor, each
//! cell remembering the JSON path it came from, so that the register's checks, written for
//! spreadsheets, name the record's field.

use std::collections::HashMap;

use super::record::{Company, Located, Record};
use crate::domain::decimal::format_fixed;
use crate::domain::{EnvironmentalConsideration, Labelled, Money, SocialConsideration};
use crate::import::reader::Cell;

/// The register's columns a line fills, in the order of its cells.
pub const KEYS: [&str; 15] = [
    "reference",
    "object",
    "buyer_siret",
    "procedure",
    "cpv",
    "notification_date",
    "duration_months",
    "amount",
    "holder_siret",
    "holder_name",
    "role",
    "insertion_clause",
    "social_criterion",
    "environmental_condition",
    "environmental_criterion",
];

/// One line: its cells under [`KEYS`], and the path of each column's value in the record.
pub struct Line {
    pub cells: Vec<Cell>,
    pub paths: HashMap<&'static str, String>,
}

/// The record as it stands after its modifications, applied in order, and what each changed.
pub struct Amended<'r> {
    pub record: &'r Record,
    pub amount: Located,
    pub duration: Option<Located>,
    pub holders: Vec<Company>,
    pub history: Vec<String>,
}

/// Applies the record's modifications in the order notified: the last amount, duration and
/// titulaires given stand; each modification is told in one line.
pub fn amended(record: &Record) -> Amended<'_> {
    let mut state = Amended {
        record,
        amount: record.amount.clone(),
        duration: record.duration.clone(),
        holders: record.holders.clone(),
        history: Vec::new(),
    };
    for change in &record.modifications {
        let mut said = Vec::new();
        if let Some(amount) = &change.amount {
            said.push(format!("montant {} → {}", state.amount.text, amount.text));
            state.amount = amount.clone();
        }
        if let Some(months) = &change.duration {
            let before = state
                .duration
                .as_ref()
                .map_or("inconnue", |d| d.text.as_str());
            said.push(format!("durée {before} → {} mois", months.text));
            state.duration = Some(months.clone());
        }
        if let Some(holders) = &change.holders {
            let ids: Vec<&str> = holders.iter().map(|h| h.id.as_str()).collect();
            said.push(format!("titulaires → {}", ids.join(", ")));
            state.holders = holders.clone();
        }
        let when = change
            .notified
            .map(|d| format!(" du {}", d.format("%d/%m/%Y")))
            .unwrap_or_default();
        let what = if said.is_empty() {
            "rien que le registre suive".to_owned()
        } else {
            said.join(" ; ")
        };
        state.history.push(format!(
            "Marché « {} » : modification{when} appliquée ({}) : {what}.",
            record.id, change.path
        ));
    }
    state
}

impl Amended<'_> {
    /// A reserved contract does not say to whom in the DECP: the register must.
    pub fn reserved_warning(&self) -> Option<String> {
        self.says(SocialConsideration::Reserved).then(|| {
            format!(
                "Le marché {} est réservé selon la DECP, qui ne dit pas à qui : indiquez l'article (L2113-12, L2113-13 ou L2113-15) dans la colonne « Marché réservé » du registre.",
                self.record.id
            )
        })
    }

    fn says(&self, value: SocialConsideration) -> bool {
        self.record.social.iter().any(|s| s == value.label())
    }

    fn says_environmental(&self, value: EnvironmentalConsideration) -> bool {
        self.record.environmental.iter().any(|s| s == value.label())
    }

    /// The amount of each titulaire: several share it equally, the first taking the odd
    /// cents. An amount that does not split is passed on as written.
    fn shares(&self) -> Vec<String> {
        let holders = self.holders.len().max(1) as i64;
        let total = Money::parse(&self.amount.text);
        (0..holders)
            .map(|i| match &total {
                Ok(total) => {
                    let odd = if i == 0 { total.cents() % holders } else { 0 };
                    format_fixed(total.cents() / holders + odd, 2)
                }
                Err(_) => self.amount.text.clone(),
            })
            .collect()
    }

    /// One line per titulaire, then one per subcontractor. `known` tells a company the
    /// service already knows, whose stored name the record's does not replace.
    pub fn lines(&self, known: &dyn Fn(&str) -> bool) -> Vec<Line> {
        let shares = self.shares();
        let mut lines = Vec::new();
        for (i, holder) in self.holders.iter().enumerate() {
            let role = if i == 0 { "Titulaire" } else { "Co-traitant" };
            let amount = Located {
                path: self.amount.path.clone(),
                text: shares[i].clone(),
            };
            lines.push(self.line(role, holder, Some(&amount), known));
        }
        for sub in &self.record.subcontractors {
            lines.push(self.line("Sous-traitant", &sub.company, sub.amount.as_ref(), known));
        }
        lines
    }

    fn green_if(&self, value: EnvironmentalConsideration) -> Cell {
        let said = self.says_environmental(value);
        Cell::Text(if said { "Oui" } else { "Non" }.to_owned())
    }

    /// The cells of one line, under [`KEYS`].
    fn line(
        &self,
        role: &str,
        company: &Company,
        amount: Option<&Located>,
        known: &dyn Fn(&str) -> bool,
    ) -> Line {
        let r = self.record;
        let yes_if = |value, otherwise: &str| {
            Cell::Text(if self.says(value) { "Oui" } else { otherwise }.to_owned())
        };
        let name = company.name.as_deref().filter(|_| !known(&company.id));
        let cells = vec![
            text(Some(&r.id)),
            text(Some(&r.object)),
            text(Some(&r.buyer)),
            text(r.procedure.as_deref()),
            text(r.cpv.as_deref()),
            Cell::Text(r.notified.format("%d/%m/%Y").to_string()),
            self.duration
                .as_ref()
                .and_then(|d| d.text.parse().ok())
                .map_or(Cell::Text(String::new()), Cell::Integer),
            text(amount.map(|a| a.text.as_str())),
            text(Some(&company.id)),
            text(name),
            Cell::Text(role.to_owned()),
            yes_if(SocialConsideration::Clause, ""),
            yes_if(SocialConsideration::Criterion, "Non"),
            self.green_if(EnvironmentalConsideration::Clause),
            self.green_if(EnvironmentalConsideration::Criterion),
        ];
        let mut paths = HashMap::from([
            ("reference", "id".to_owned()),
            ("object", "objet".to_owned()),
            ("buyer_siret", "acheteur.id".to_owned()),
            ("procedure", "procedure".to_owned()),
            ("cpv", "codeCPV".to_owned()),
            ("notification_date", "dateNotification".to_owned()),
            ("holder_siret", company.path.clone()),
            ("holder_name", company.path.clone()),
            ("role", company.path.clone()),
            ("insertion_clause", "considerationsSociales".to_owned()),
            ("social_criterion", "considerationsSociales".to_owned()),
            (
                "environmental_condition",
                "considerationsEnvironnementales".to_owned(),
            ),
            (
                "environmental_criterion",
                "considerationsEnvironnementales".to_owned(),
            ),
        ]);
        let amount_path = amount.map_or_else(
            || company.path.replace(".sousTraitant.id", ".montant"),
            |a| a.path.clone(),
        );
        paths.insert("amount", amount_path);
        paths.insert(
            "duration_months",
            self.duration
                .as_ref()
                .map_or_else(|| "dureeMois".to_owned(), |d| d.path.clone()),
        );
        Line { cells, paths }
    }
}

fn text(value: Option<&str>) -> Cell {
    Cell::Text(value.unwrap_or_default().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::decp::record::read;
    use serde_json::json;

    fn record(extra: serde_json::Value) -> Record {
        let mut base = json!({
            "id": "2025-001", "acheteur": {"id": "1"}, "objet": "o",
            "dateNotification": "2025-03-14", "montant": 100.01,
            "titulaires": [{"titulaire": {"id": "A"}}, {"titulaire": {"id": "B"}}, {"titulaire": {"id": "C"}}]
        });
        base.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        read(&base).unwrap()
    }

    #[test]
    fn titulaires_share_the_amount_the_first_taking_the_odd_cents() {
        let r = record(json!({}));
        assert_eq!(amended(&r).shares(), ["33,35", "33,33", "33,33"]);
    }

    #[test]
    fn a_record_gives_a_line_per_titulaire_then_per_subcontractor_with_paths() {
        let r = record(json!({
            "actesSousTraitance": [{"acteSousTraitance": {"sousTraitant": {"id": "D"}, "montant": 5}}],
            "considerationsSociales": {"considerationSociale": ["Clause sociale"]}
        }));
        let lines = amended(&r).lines(&|_| false);
        let column = |key| KEYS.iter().position(|k| *k == key).unwrap();
        let roles: Vec<String> = lines
            .iter()
            .map(|l| l.cells[column("role")].display())
            .collect();
        assert_eq!(
            roles,
            ["Titulaire", "Co-traitant", "Co-traitant", "Sous-traitant"]
        );
        assert_eq!(lines[1].paths["holder_siret"], "titulaires[1].titulaire.id");
        assert_eq!(
            lines[3].paths["amount"],
            "actesSousTraitance[0].acteSousTraitance.montant"
        );
        assert_eq!(
            lines[0].cells[column("notification_date")].display(),
            "14/03/2025"
        );
        assert_eq!(lines[0].cells[column("insertion_clause")].display(), "Oui");
        assert_eq!(lines[0].cells[column("social_criterion")].display(), "Non");
    }

    #[test]
    fn modifications_leave_the_last_values_and_are_told() {
        let r = record(json!({
            "dureeMois": 12,
            "modifications": [
                {"modification": {"id": 2, "montant": 300, "titulaires": [{"titulaire": {"id": "E"}}],
                    "dateNotificationModification": "2025-09-01"}},
                {"modification": {"id": 1, "montant": 200, "dureeMois": 24,
                    "dateNotificationModification": "2025-06-01"}}
            ]
        }));
        let state = amended(&r);
        assert_eq!(state.amount.text, "300");
        assert_eq!(state.amount.path, "modifications[0].modification.montant");
        assert_eq!(state.duration.as_ref().unwrap().text, "24");
        assert_eq!(state.holders.len(), 1);
        assert_eq!(
            state.history[0],
            "Marché « 2025-001 » : modification du 01/06/2025 appliquée (modifications[1].modification) : montant 100.01 → 200 ; durée 12 → 24 mois."
        );
        assert!(state.history[1].ends_with("montant 200 → 300 ; titulaires → E."));
    }

    #[test]
    fn a_reserved_record_is_named_in_a_warning() {
        let r =
            record(json!({"considerationsSociales": {"considerationSociale": ["Marché réservé"]}}));
        let warning = amended(&r).reserved_warning();
        assert!(warning.is_some_and(|w| w.starts_with("Le marché 2025-001 est réservé")));
        assert_eq!(amended(&record(json!({}))).reserved_warning(), None);
    }
}

//! The data rows under the header, each cell through its column's parser.

use super::cells::{Value, convert};
use super::header::Header;
use super::problem::{Problems, RowProblem, shorten};
use super::profile::Profile;
use super::reader::{Cell, Row};
use crate::domain::labels::normalize;
use crate::domain::update::asks_to_clear;
use crate::domain::{CompanyIdentifier, Siret, Update};
use chrono::NaiveDate;

/// One data row: its number, and one value per profile column (`None` when empty or refused).
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedRow {
    pub number: u32,
    pub values: Vec<Option<Value>>,
}

impl ParsedRow {
    pub fn get(&self, profile: &Profile, key: &str) -> Option<&Value> {
        let index = profile.columns.iter().position(|c| c.key == key)?;
        self.values[index].as_ref()
    }
}

/// Reads one row's values by key.
pub struct RowView<'a> {
    pub profile: &'a Profile,
    pub row: &'a ParsedRow,
}

impl RowView<'_> {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.row.get(self.profile, key)
    }
    pub fn text(&self, key: &str) -> Option<String> {
        match self.get(key) {
            Some(Value::Text(t)) => Some(t.trim().to_owned()).filter(|t| !t.is_empty()),
            _ => None,
        }
    }
    pub fn date(&self, key: &str) -> Option<NaiveDate> {
        match self.get(key) {
            Some(Value::Date(d)) => Some(*d),
            _ => None,
        }
    }
    pub fn boolean(&self, key: &str) -> Option<bool> {
        match self.get(key) {
            Some(Value::Boolean(b)) => Some(*b),
            _ => None,
        }
    }
    pub fn integer(&self, key: &str) -> Option<i64> {
        match self.get(key) {
            Some(Value::Integer(i)) => Some(*i),
            _ => None,
        }
    }
    /// What the row says of an optional fact: `pick` reads a value, « effacer » clears, an
    /// empty cell keeps.
    pub fn update<T>(&self, key: &str, pick: impl FnOnce(&Value) -> Option<T>) -> Update<T> {
        match self.get(key) {
            Some(Value::Clear) => Update::Clear,
            Some(value) => Update::set_or_keep(pick(value)),
            None => Update::Keep,
        }
    }
    pub fn siret(&self, key: &str) -> Option<Siret> {
        match self.get(key) {
            Some(Value::Siret(s)) => Some(s.clone()),
            _ => None,
        }
    }
    /// A company's identifier: a SIRET column's, or an identifier column's (DECP).
    pub fn company(&self, key: &str) -> Option<CompanyIdentifier> {
        match self.get(key) {
            Some(Value::Siret(s)) => Some(s.clone().into()),
            Some(Value::Company(c)) => Some(c.clone()),
            _ => None,
        }
    }
}

/// "Total", "TOTAL général", "Sous-total" closing a table: not data.
fn is_total_row(cells: &[(u32, Cell)]) -> bool {
    cells.first().is_some_and(|(_, cell)| {
        let text = normalize(&cell.display());
        text.starts_with("total") || text.starts_with("soustotal")
    })
}

/// The rows under the header, parsed one at a time as the kind's checks ask for them: a large
/// statement is never held twice, as cells and as values. Problems name the sheet, row and
/// column as the user sees them; rows with problems are still returned, so later checks report
/// on them too. A row with nothing under the table's headers (a note, a stray value far to the
/// right) is not data.
pub struct RowParser<'a> {
    rows: &'a mut dyn Iterator<Item = Row>,
    sheet: &'a str,
    header: &'a Header,
    profile: &'a Profile,
    /// The keys of the columns where « effacer » clears a stored fact.
    clearable: &'a [&'a str],
    /// Data rows returned so far.
    pub rows_read: usize,
    pub problems: Problems,
    pub warnings: Vec<String>,
    /// Rows left out for holding nothing under the headers, past those warned about.
    pub unwarned: usize,
}

/// Rows left out that are each named in a warning; the others are counted.
const WARNED_ROWS: usize = 100;

impl<'a> RowParser<'a> {
    /// Parses `rows`, read from the sheet named `sheet`; « effacer » clears the columns
    /// `clearable`.
    pub fn new(
        rows: &'a mut dyn Iterator<Item = Row>,
        sheet: &'a str,
        header: &'a Header,
        profile: &'a Profile,
        clearable: &'a [&'a str],
    ) -> Self {
        RowParser {
            rows,
            sheet,
            header,
            profile,
            clearable,
            rows_read: 0,
            problems: Problems::default(),
            warnings: Vec::new(),
            unwarned: 0,
        }
    }

    fn in_table(&self, column: u32) -> bool {
        self.header.columns.iter().any(|(c, _, _)| *c == column)
    }

    /// « effacer » clears only an optional fact of a shared record.
    fn clear(&self, key: &str, required: bool, header: &str) -> Result<(), String> {
        if !required && self.clearable.contains(&key) {
            return Ok(());
        }
        Err(format!(
            "« effacer » ne s'applique pas à la colonne « {header} » : saisissez une valeur{}.",
            if required {
                ""
            } else {
                " ou laissez la cellule vide"
            }
        ))
    }

    fn parse(&mut self, row: &Row) -> Option<ParsedRow> {
        if row.number <= self.header.row || is_total_row(&row.cells) {
            return None;
        }
        if !row.cells.iter().any(|(column, _)| self.in_table(*column)) {
            self.warn_outside(row);
            return None;
        }
        let mut values = vec![None; self.profile.columns.len()];
        for (column, spec_index, written) in &self.header.columns {
            let spec = &self.profile.columns[*spec_index];
            let problem = |value: Option<&str>, message: &str| {
                RowProblem::new(self.sheet, row.number, Some(written), value, message)
            };
            match row.cell(*column) {
                Some(cell) if asks_to_clear(&cell.display()) => {
                    match self.clear(&spec.key, spec.required, &spec.header) {
                        Ok(()) => values[*spec_index] = Some(Value::Clear),
                        Err(message) => {
                            self.problems.push(problem(Some(&cell.display()), &message))
                        }
                    }
                }
                Some(cell) => match convert(cell, spec.value_type) {
                    Ok(value) => values[*spec_index] = Some(value),
                    Err(message) => self.problems.push(problem(Some(&cell.display()), &message)),
                },
                None if spec.required => self.problems.push(problem(
                    None,
                    &format!(
                        "La colonne « {} » est obligatoire : remplissez-la.",
                        spec.header
                    ),
                )),
                None => {}
            }
        }
        self.rows_read += 1;
        Some(ParsedRow {
            number: row.number,
            values,
        })
    }
}

impl RowParser<'_> {
    /// Warns of a row left out for holding nothing under the headers, the first ones by name.
    fn warn_outside(&mut self, row: &Row) {
        if self.warnings.len() >= WARNED_ROWS {
            self.unwarned += 1;
            return;
        }
        let value = row
            .cells
            .first()
            .map(|(_, c)| c.display())
            .unwrap_or_default();
        self.warnings.push(format!(
            "Ligne {} : rien sous les en-têtes du tableau, ligne ignorée (valeur hors tableau : « {} »).",
            row.number,
            shorten(&value)
        ));
    }

    /// The warnings, with the count of rows left out unnamed.
    pub fn take_warnings(&mut self) -> Vec<String> {
        let mut warnings = std::mem::take(&mut self.warnings);
        if self.unwarned > 0 {
            warnings.push(format!(
                "… et {} autre(s) ligne(s) ignorée(s) pour la même raison.",
                self.unwarned
            ));
        }
        warnings
    }
}

impl Iterator for RowParser<'_> {
    type Item = ParsedRow;

    fn next(&mut self) -> Option<ParsedRow> {
        while let Some(row) = self.rows.next() {
            if let Some(parsed) = self.parse(&row) {
                return Some(parsed);
            }
        }
        None
    }
}

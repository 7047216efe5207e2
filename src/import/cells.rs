//! From a cell to a typed value, through the domain's parsers, with a French message when the
//! cell does not hold what its column expects.

use super::profile::ValueType;
use super::reader::Cell;
use crate::domain::{Labelled, PostalCode, Siret, SizeClass, StructureKind};

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Siret(Siret),
    PostalCode(PostalCode),
    StructureKind(StructureKind),
    SizeClass(SizeClass),
}

/// The text a number cell stands for: spreadsheets store SIRETs and postal codes as numbers.
fn as_text(cell: &Cell) -> String {
    cell.display()
}

pub fn convert(cell: &Cell, value_type: ValueType) -> Result<Value, String> {
    if let Cell::Error(code) = cell {
        return Err(format!(
            "La cellule contient une erreur de formule ({code}) : corrigez la formule ou saisissez la valeur."
        ));
    }
    let text = as_text(cell);
    match value_type {
        ValueType::Text => Ok(Value::Text(text)),
        ValueType::Siret => Siret::parse(&text)
            .map(Value::Siret)
            .map_err(|e| e.to_string()),
        ValueType::PostalCode => PostalCode::parse(&text)
            .map(Value::PostalCode)
            .map_err(|e| e.to_string()),
        ValueType::StructureKind => StructureKind::parse_label(&text)
            .map(Value::StructureKind)
            .map_err(|e| e.to_string()),
        ValueType::SizeClass => SizeClass::parse_label(&text)
            .map(Value::SizeClass)
            .map_err(|e| e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_stand_for_the_identifiers_they_hold() {
        assert_eq!(
            convert(&Cell::Number(44306184100047.0), ValueType::Siret),
            Ok(Value::Siret(Siret::parse("44306184100047").unwrap()))
        );
        assert_eq!(
            convert(&Cell::Integer(1000), ValueType::PostalCode),
            Ok(Value::PostalCode(PostalCode::parse("01000").unwrap()))
        );
    }

    #[test]
    fn enumerations_by_their_french_labels() {
        assert_eq!(
            convert(
                &Cell::Text("entreprise adaptée".into()),
                ValueType::StructureKind
            ),
            Ok(Value::StructureKind(StructureKind::Ea))
        );
        assert_eq!(
            convert(&Cell::Text(" tpe ".into()), ValueType::SizeClass),
            Ok(Value::SizeClass(SizeClass::Micro))
        );
        assert!(
            convert(&Cell::Text("Coopérative".into()), ValueType::StructureKind)
                .unwrap_err()
                .contains("Valeurs acceptées")
        );
    }

    #[test]
    fn formula_errors_are_explained() {
        let message = convert(&Cell::Error("#Div0".into()), ValueType::Text).unwrap_err();
        assert!(message.contains("erreur de formule"), "{message}");
    }
}

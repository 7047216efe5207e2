//! A lot's number as registers and statements write it: "2", "Lot 2", "lot n°2", "L2".

/// A lot number that is none of the ways people write one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "« {0} » n'est pas un numéro de lot : écrivez le numéro en chiffres, par exemple 2 ou « Lot 2 », ou laissez la cellule vide pour un marché sans lots."
)]
pub struct LotNumberError(pub String);

/// Words that may stand between "Lot" and its number, longest first.
const NUMBER_MARKS: [&str; 8] = ["numéro", "numero", "num", "n°", "nº", "no", "n", "#"];

/// The number inside "2", "02", "Lot 2", "LOT N° 2", "lot n°2", "Lot no. 2" or "L2".
pub fn parse_lot_number(input: &str) -> Result<i64, LotNumberError> {
    let refused = || LotNumberError(input.trim().to_owned());
    let lowered = input.trim().to_lowercase();
    let rest = lowered
        .strip_prefix("lot")
        .or_else(|| lowered.strip_prefix('l'))
        .unwrap_or(&lowered)
        .trim_start();
    let rest = NUMBER_MARKS
        .iter()
        .find_map(|mark| rest.strip_prefix(mark))
        .unwrap_or(rest)
        .trim_start_matches([' ', '\u{a0}', '.', ':', '°', 'º']);
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refused());
    }
    rest.parse().map_err(|_| refused())
}

/// How a lot is named to people: "Lot 2 — Gros œuvre". A contract without lots is stored as
/// one lot numbered 0, which is no "Lot 0"; a title that only repeats the number ("Lot 1") is
/// not said twice.
pub fn lot_heading(number: i32, title: Option<&str>) -> String {
    let name = if number == 0 {
        "Marché sans lots".to_owned()
    } else {
        format!("Lot {number}")
    };
    match title.map(str::trim).filter(|t| !t.is_empty()) {
        Some(title) if parse_lot_number(title) != Ok(i64::from(number)) => {
            format!("{name} — {title}")
        }
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lot_is_named_once_and_a_contract_without_lots_is_no_lot_0() {
        assert_eq!(lot_heading(2, Some("Gros œuvre")), "Lot 2 — Gros œuvre");
        assert_eq!(lot_heading(1, Some("Lot 1")), "Lot 1");
        assert_eq!(lot_heading(1, Some(" lot n°1 ")), "Lot 1");
        assert_eq!(lot_heading(1, Some("Lot 2")), "Lot 1 — Lot 2");
        assert_eq!(lot_heading(3, None), "Lot 3");
        assert_eq!(lot_heading(0, Some("")), "Marché sans lots");
        assert_eq!(
            lot_heading(0, Some("Entretien")),
            "Marché sans lots — Entretien"
        );
    }

    #[test]
    fn reads_the_number_inside_the_usual_labels() {
        for (written, number) in [
            ("2", 2),
            ("02", 2),
            ("Lot 2", 2),
            ("LOT 12", 12),
            ("lot n°2", 2),
            ("Lot N° 3", 3),
            ("Lot nº 4", 4),
            ("lot no. 5", 5),
            ("Lot numéro 6", 6),
            ("L2", 2),
            ("l 7", 7),
            ("Lot2", 2),
            ("Lot #8", 8),
        ] {
            assert_eq!(parse_lot_number(written), Ok(number), "{written}");
        }
    }

    #[test]
    fn refuses_what_holds_no_number_alone() {
        for written in [
            "",
            "Lot",
            "Lot A",
            "lot unique",
            "2,5",
            "Lot 2 bis",
            "-1",
            "n°",
        ] {
            assert!(parse_lot_number(written).is_err(), "{written}");
        }
        let message = parse_lot_number("Lot A").unwrap_err().to_string();
        assert!(
            message.contains("« Lot A »") && message.contains("Lot 2"),
            "{message}"
        );
    }
}

//! Import templates, generated from the profiles: what a person downloads, fills and sends back.
//! The headers are the profile's canonical ones, so a filled template always imports.

use rust_xlsxwriter::{
    Color, DataValidation, DocProperties, Format, FormatAlign, FormatBorder, Formula, Workbook,
    XlsxError,
};

use super::kinds;
use super::profile::{ColumnSpec, Profile, ValueType};
use crate::domain::update::CLEAR_WORD;
use crate::domain::{
    AwardRole, ContractType, EligibilityCriterion, EmploymentContract, ExitOutcome, Labelled,
    Modality, Procedure, Reservation, Sex, SixMonthSituation, SizeClass, StructureKind,
};

/// Rows of the data sheet that carry drop-down lists and input messages.
const PREPARED_ROWS: u32 = 5_000;
const DATA_SHEET: &str = "Données";
const LISTS_SHEET: &str = "Listes";

fn labels_of<T: Labelled>() -> Vec<&'static str> {
    T::ALL.iter().map(|v| v.label()).collect()
}

/// The values a column offers in its drop-down list, if it is an enumeration; `grounds` are
/// the obligation rules' grounds' labels.
fn choices<'a>(value_type: ValueType, grounds: &[&'a str]) -> Option<Vec<&'a str>> {
    Some(match value_type {
        ValueType::StructureKind => labels_of::<StructureKind>(),
        ValueType::SizeClass => labels_of::<SizeClass>(),
        ValueType::Procedure => labels_of::<Procedure>(),
        ValueType::AwardRole => labels_of::<AwardRole>(),
        ValueType::Reservation => labels_of::<Reservation>(),
        ValueType::ContractType => labels_of::<ContractType>(),
        ValueType::Ground => grounds.to_vec(),
        ValueType::Criterion => EligibilityCriterion::ALL.iter().map(|c| c.code()).collect(),
        ValueType::Sex => labels_of::<Sex>(),
        ValueType::ExitOutcome => labels_of::<ExitOutcome>(),
        ValueType::SixMonthSituation => labels_of::<SixMonthSituation>(),
        ValueType::Modality => labels_of::<Modality>(),
        ValueType::EmploymentContract => labels_of::<EmploymentContract>(),
        ValueType::Boolean => vec!["Oui", "Non"],
        _ => return None,
    })
}

fn header_text(column: &ColumnSpec) -> String {
    if column.required {
        format!("{} *", column.header)
    } else {
        column.header.clone()
    }
}

fn width(column: &ColumnSpec) -> f64 {
    let by_type: f64 = match column.value_type {
        ValueType::Text => 32.0,
        ValueType::Siret => 20.0,
        ValueType::Criterion
        | ValueType::Modality
        | ValueType::Procedure
        | ValueType::ExitOutcome
        | ValueType::SixMonthSituation => 28.0,
        _ => 16.0,
    };
    by_type.max(column.header.chars().count() as f64 + 4.0)
}

/// Excel's column letters: 0 → A, 26 → AA.
fn column_letters(mut index: u16) -> String {
    let mut letters = String::new();
    loop {
        letters.insert(0, char::from(b'A' + (index % 26) as u8));
        if index < 26 {
            return letters;
        }
        index = index / 26 - 1;
    }
}

/// The template of a profile as .xlsx bytes, with `prefilled` rows (column key → value) written
/// under the header: the lots a company holds, for its hour statements. `grounds`: the labels
/// the ground column offers.
pub fn workbook(
    profile: &Profile,
    prefilled: &[Vec<(&str, String)>],
    grounds: &[&str],
) -> Result<Vec<u8>, XlsxError> {
    let title = format!("Modèle d'import — {}", profile.kind.label());
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title(&title)
            .set_author("suivi-clauses")
            .set_comment("Remplissez la feuille « Données » à partir de la ligne 2, puis importez le fichier."),
    );
    let lists = data_sheet(&mut book, profile, prefilled, grounds)?;
    help_sheet(&mut book, profile, &title, grounds)?;
    lists_sheet(&mut book, profile, &lists)?;
    book.save_to_buffer()
}

/// The sheet to fill: headers, a drop-down list or input message on each column, and the
/// prefilled rows. Returns the lists its columns draw from (column index, values).
fn data_sheet<'a>(
    book: &mut Workbook,
    profile: &Profile,
    prefilled: &[Vec<(&str, String)>],
    grounds: &[&'a str],
) -> Result<Vec<(usize, Vec<&'a str>)>, XlsxError> {
    let header = Format::new()
        .set_bold()
        .set_font_color(Color::White)
        .set_background_color(Color::RGB(0x1F_3A_68))
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    let mut lists: Vec<(usize, Vec<&'a str>)> = Vec::new();
    let data = book.add_worksheet().set_name(DATA_SHEET)?;
    data.set_row_height(0, 32)?;
    let clearable = kinds::clearable_columns(profile.kind);
    for (index, column) in profile.columns.iter().enumerate() {
        let col = index as u16;
        data.write_string_with_format(0, col, header_text(column), &header)?;
        data.set_column_width(col, width(column))?;
        let clears = clearable.contains(&column.key.as_str());
        let offered = choices(column.value_type, grounds);
        let validation = validation(column, index, clears, offered, &mut lists)?;
        data.add_data_validation(1, col, PREPARED_ROWS, col, &validation)?;
    }
    for (r, row) in prefilled.iter().enumerate() {
        for (key, value) in row {
            if let Some(col) = profile.columns.iter().position(|c| c.key == *key) {
                data.write_string(1 + r as u32, col as u16, value)?;
            }
        }
    }
    data.set_freeze_panes(1, 0)?;
    data.autofilter(
        0,
        0,
        PREPARED_ROWS,
        profile.columns.len().saturating_sub(1) as u16,
    )?;
    Ok(lists)
}

/// The column's input message, and its drop-down list for an enumeration (added to `lists`),
/// offering « effacer » where it `clears` a stored value.
fn validation<'a>(
    column: &ColumnSpec,
    index: usize,
    clears: bool,
    offered: Option<Vec<&'a str>>,
    lists: &mut Vec<(usize, Vec<&'a str>)>,
) -> Result<DataValidation, XlsxError> {
    let (description, example) = column.value_type.describe();
    let mut message = description.to_owned();
    if !example.is_empty() {
        message.push_str(&format!(" Exemple : {example}."));
    }
    if column.required {
        message.push_str(" Obligatoire.");
    }
    if clears {
        message.push_str(" Vide : inchangé ; « effacer » : efface.");
    }
    let validation = match offered {
        Some(mut values) => {
            if clears {
                values.push(CLEAR_WORD);
            }
            let letter = column_letters(lists.len() as u16);
            let formula = format!("={LISTS_SHEET}!${letter}$2:${letter}${}", values.len() + 1);
            lists.push((index, values));
            DataValidation::new()
                .allow_list_formula(Formula::new(formula))
                .set_error_message("Choisissez une valeur de la liste.")?
        }
        None => DataValidation::new().ignore_blank(true),
    };
    let input_title: String = column.header.chars().take(32).collect();
    validation
        .set_input_title(input_title)?
        .set_input_message(message)
}

/// What the template is for, and each column: required or not, what it holds, the values and
/// other headers it accepts.
fn help_sheet(
    book: &mut Workbook,
    profile: &Profile,
    title: &str,
    grounds: &[&str],
) -> Result<(), XlsxError> {
    let help = book.add_worksheet().set_name("Aide")?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    help.write_string_with_format(0, 0, title, &Format::new().set_bold().set_font_size(14))?;
    let mut lines = vec![
        "Remplissez la feuille « Données », une ligne par enregistrement, à partir de la ligne 2.",
        "Les colonnes marquées * sont obligatoires. Vous pouvez ajouter des colonnes : elles seront ignorées.",
        "Un fichier qui contient une seule ligne incorrecte n'est pas importé : le rapport indique chaque ligne à corriger.",
    ];
    if !kinds::clearable_columns(profile.kind).is_empty() {
        lines.push(
            "Une cellule vide garde la valeur déjà enregistrée ; écrivez « effacer » pour l'effacer (colonnes facultatives de l'entreprise ou du participant).",
        );
    }
    for (i, line) in lines.iter().enumerate() {
        help.write_string(2 + i as u32, 0, *line)?;
    }
    let top = 6;
    for (c, h) in [
        "Colonne",
        "Obligatoire",
        "Contenu attendu",
        "Valeurs acceptées",
        "Autres en-têtes reconnus",
    ]
    .iter()
    .enumerate()
    {
        help.write_string_with_format(top, c as u16, *h, &bold)?;
    }
    for (i, column) in profile.columns.iter().enumerate() {
        let row = top + 1 + i as u32;
        help.write_string(row, 0, &column.header)?;
        help.write_string(row, 1, if column.required { "Oui" } else { "Non" })?;
        help.write_string_with_format(row, 2, column.value_type.describe().0, &wrap)?;
        let accepted = choices(column.value_type, grounds)
            .map(|v| v.join(" ; "))
            .unwrap_or_default();
        help.write_string_with_format(row, 3, accepted, &wrap)?;
        help.write_string_with_format(row, 4, column.synonyms.join(" ; "), &wrap)?;
    }
    for (column, width) in [30, 12, 45, 60, 60].into_iter().enumerate() {
        help.set_column_width(column as u16, width)?;
    }
    Ok(())
}

/// The hidden sheet the drop-down lists draw from, one column per list.
fn lists_sheet(
    book: &mut Workbook,
    profile: &Profile,
    lists: &[(usize, Vec<&str>)],
) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet().set_name(LISTS_SHEET)?;
    for (i, (column, values)) in lists.iter().enumerate() {
        let col = i as u16;
        sheet.write_string(0, col, &profile.columns[*column].header)?;
        for (r, value) in values.iter().enumerate() {
            sheet.write_string(1 + r as u32, col, *value)?;
        }
    }
    sheet.set_hidden(true);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }
}

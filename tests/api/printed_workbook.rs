//! The compliance workbook printed: every row of wrapped text is at least as high as its text's
//! lines (read from the sheets' XML, as Excel and LibreOffice read it), and LibreOffice's PDF of
//! it, read by poppler's `pdftotext -bbox-layout`, has no line of text drawn over another.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use crate::exports::{download, pdf_text};
use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, spawn_app};
use crate::phone::example_data;

/// Points of one line of Calibri 11, Excel's default row height.
const LINE_HEIGHT: f64 = 15.0;
/// How far two lines of text may overlap, in points: the boxes of the lines of one wrapped
/// cell overlap by about 1 pt (the font's ascent and descent exceed its line spacing); a line
/// drawn over another overlaps it by most of its height.
const TOUCH: f64 = 3.0;

#[tokio::test]
#[ignore = "needs LibreOffice"]
async fn the_printed_compliance_workbook_has_no_text_over_other_text() {
    let app = spawn_app().await;
    example_data(&app).await;
    let token = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let bytes = download(&app, "/api/exports/compliance.xlsx?year=2025", &token).await;

    let short = rows_shorter_than_their_text(&bytes);
    assert!(
        short.is_empty(),
        "rows too short for their text:\n{}",
        short.join("\n")
    );

    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("classeur.xlsx");
    std::fs::write(&xlsx, &bytes).unwrap();
    let layout = pdf_text(&xlsx, &["-bbox-layout"]).await;
    let pages = text_lines(&layout);
    assert!(pages.len() > 1, "{layout}");
    let methods = pages
        .iter()
        .flatten()
        .filter(|l| l.text.contains("Méthode"));
    assert!(
        methods.count() > 0,
        "the PDF lacks the method sheet:\n{layout}"
    );
    let overlaps: Vec<String> = pages
        .iter()
        .enumerate()
        .flat_map(|(page, lines)| {
            overlapping(lines).map(move |o| format!("page {}: {o}", page + 1))
        })
        .collect();
    assert!(
        overlaps.is_empty(),
        "lines drawn over each other:\n{}",
        overlaps.join("\n")
    );
}

/// One line of text on a PDF page and its box, in points.
struct TextLine {
    text: String,
    x: (f64, f64),
    y: (f64, f64),
}

fn overlapping(lines: &[TextLine]) -> impl Iterator<Item = String> + '_ {
    let crosses = |a: (f64, f64), b: (f64, f64)| a.0.max(b.0) + TOUCH < a.1.min(b.1);
    lines.iter().enumerate().flat_map(move |(i, a)| {
        lines[i + 1..]
            .iter()
            .filter(move |b| crosses(a.x, b.x) && crosses(a.y, b.y))
            .map(move |b| {
                let by = a.y.1.min(b.y.1) - a.y.0.max(b.y.0);
                format!("« {} » and « {} » ({by:.1} pt)", a.text, b.text)
            })
    })
}

/// The lines of each page of `pdftotext -bbox-layout`'s XHTML.
fn text_lines(layout: &str) -> Vec<Vec<TextLine>> {
    let mut pages: Vec<Vec<TextLine>> = Vec::new();
    for tag in layout.split('<').skip(1) {
        if tag.starts_with("page ") {
            pages.push(Vec::new());
        } else if tag.starts_with("line ") {
            let at = |name| number(attribute(tag, name).unwrap());
            pages.last_mut().unwrap().push(TextLine {
                text: String::new(),
                x: (at("xMin"), at("xMax")),
                y: (at("yMin"), at("yMax")),
            });
        } else if tag.starts_with("word ") {
            let line = pages.last_mut().unwrap().last_mut().unwrap();
            let word = tag.split_once('>').unwrap().1;
            line.text = format!("{} {}", line.text, unescape(word))
                .trim()
                .to_owned();
        }
    }
    pages
}

/// For each wrapped cell, its row's height against the fewest lines its text can take in its
/// column (or merged columns): as many as the text has characters per column width, at least.
fn rows_shorter_than_their_text(xlsx: &[u8]) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut part = |name: &str| {
        let mut text = String::new();
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    let strings = shared_strings(&part("xl/sharedStrings.xml"));
    let wrapped = wrapped_styles(&part("xl/styles.xml"));
    let names: Vec<String> = part("xl/workbook.xml")
        .split("<sheet ")
        .skip(1)
        .map(|tag| unescape(attribute(tag, "name").unwrap()))
        .collect();
    let mut short = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let sheet = part(&format!("xl/worksheets/sheet{}.xml", i + 1));
        let widths = column_widths(&sheet);
        let merged = merged_widths(&sheet, &widths);
        let heights = row_heights(&sheet);
        for (cell, style, index) in string_cells(&sheet) {
            if !wrapped.contains(&style) {
                continue;
            }
            let text = &strings[index];
            let (column, row) = cell_position(&cell);
            let width = merged
                .get(&cell)
                .copied()
                .unwrap_or_else(|| widths.get(&column).copied().unwrap_or(8.43));
            let lines: f64 = text
                .split('\n')
                .map(|p| (p.chars().count() as f64 / width.floor()).ceil().max(1.0))
                .sum();
            let height = heights.get(&row).copied().unwrap_or(LINE_HEIGHT);
            if height < lines * LINE_HEIGHT {
                short.push(format!(
                    "{name}!{cell}: {height} pt for {lines} lines of « {text} »"
                ));
            }
        }
    }
    short
}

/// An attribute's value in a tag's text (from just after the tag's name).
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let pattern = format!("{name}=\"");
    let at = tag
        .match_indices(&pattern)
        .map(|(i, _)| i)
        .find(|&i| i == 0 || tag[..i].ends_with(char::is_whitespace))?;
    let start = at + pattern.len();
    let end = start + tag[start..].find('"')?;
    Some(&tag[start..end])
}

fn number(text: &str) -> f64 {
    text.parse().unwrap()
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn shared_strings(xml: &str) -> Vec<String> {
    xml.split("<si>")
        .skip(1)
        .map(|item| {
            item.split("<t")
                .skip(1)
                .filter_map(|t| t.split_once('>'))
                .map(|(_, rest)| unescape(rest.split("</t>").next().unwrap()))
                .collect()
        })
        .collect()
}

/// The indexes of the cell formats that wrap text.
fn wrapped_styles(xml: &str) -> Vec<usize> {
    let formats = xml.split("<cellXfs").nth(1).unwrap();
    let formats = formats.split("</cellXfs>").next().unwrap();
    formats
        .split("<xf ")
        .skip(1)
        .enumerate()
        .filter(|(_, xf)| xf.contains("wrapText=\"1\""))
        .map(|(i, _)| i)
        .collect()
}

/// Column letters ("A") to widths in characters.
fn column_widths(sheet: &str) -> HashMap<String, f64> {
    let mut widths = HashMap::new();
    for tag in sheet.split("<col ").skip(1) {
        let (min, max) = (attribute(tag, "min"), attribute(tag, "max"));
        let width = number(attribute(tag, "width").unwrap());
        for index in number(min.unwrap()) as u32..=number(max.unwrap()) as u32 {
            widths.insert(column_letters(index), width);
        }
    }
    widths
}

fn column_letters(mut index: u32) -> String {
    let mut letters = Vec::new();
    while index > 0 {
        letters.push(char::from(b'A' + ((index - 1) % 26) as u8));
        index = (index - 1) / 26;
    }
    letters.iter().rev().collect()
}

fn column_index(letters: &str) -> u32 {
    letters
        .bytes()
        .fold(0, |index, b| index * 26 + u32::from(b - b'A') + 1)
}

fn cell_position(cell: &str) -> (String, u32) {
    let digits = cell.find(|c: char| c.is_ascii_digit()).unwrap();
    (cell[..digits].to_owned(), cell[digits..].parse().unwrap())
}

/// The first cell of each merged range, to the width of the range.
fn merged_widths(sheet: &str, widths: &HashMap<String, f64>) -> HashMap<String, f64> {
    sheet
        .split("<mergeCell ")
        .skip(1)
        .map(|tag| {
            let (first, last) = attribute(tag, "ref").unwrap().split_once(':').unwrap();
            let (from, to) = (cell_position(first).0, cell_position(last).0);
            let width = (column_index(&from)..=column_index(&to))
                .map(|i| widths.get(&column_letters(i)).copied().unwrap_or(8.43))
                .sum();
            (first.to_owned(), width)
        })
        .collect()
}

/// Rows given a height, by number.
fn row_heights(sheet: &str) -> HashMap<u32, f64> {
    sheet
        .split("<row ")
        .skip(1)
        .filter_map(|tag| {
            let tag = tag.split_once('>').unwrap().0;
            let height = attribute(tag, "ht")?;
            Some((number(attribute(tag, "r")?) as u32, number(height)))
        })
        .collect()
}

/// Cells holding a shared string: reference, format index, string index.
fn string_cells(sheet: &str) -> Vec<(String, usize, usize)> {
    sheet
        .split("<c ")
        .skip(1)
        .filter(|cell| cell.split_once('>').unwrap().0.contains(" t=\"s\""))
        .map(|cell| {
            let tag = cell.split_once('>').unwrap().0;
            let style = attribute(tag, "s").map_or(0, |s| number(s) as usize);
            let value = cell
                .split("<v>")
                .nth(1)
                .unwrap()
                .split("</v>")
                .next()
                .unwrap();
            (
                attribute(tag, "r").unwrap().to_owned(),
                style,
                value.parse().unwrap(),
            )
        })
        .collect()
}

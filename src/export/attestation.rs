//! The attestation de bonne exécution de la clause sociale: one A4 page, in French, with the
//! figures a clause was closed on. The text is set in Liberation Sans (SIL Open Font License,
//! `assets/fonts`), embedded and subset, so that accents show and copy as typed.

use chrono::NaiveDate;
use krilla::Document;
use krilla::geom::Point;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

use crate::domain::lot::lot_heading;
use crate::domain::{CompanyIdentifier, Hours, Labelled, Modality, PenaltyChange};
use crate::storage::closures::Closure;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Bold.ttf");

/// What the attestation says, as the closure and the register give it.
#[derive(Debug, Clone, Copy)]
pub struct Attestation<'a> {
    pub buyer_name: &'a str,
    pub buyer_siret: &'a str,
    pub reference: &'a str,
    pub object: &'a str,
    pub lot: i32,
    pub lot_title: Option<&'a str>,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// SIRET, name and role of each company holding the lot.
    pub companies: &'a [(String, String, &'static str)],
    pub by_modality: &'a [(Modality, Hours)],
    /// SIRET, name and hours of each insertion structure.
    pub structures: &'a [(String, String, Hours)],
    pub closure: &'a Closure,
}

#[derive(Debug, thiserror::Error)]
pub enum AttestationError {
    #[error("la police embarquée ne se lit pas")]
    Font,
    #[error("le PDF n'a pas pu être produit : {0:?}")]
    Pdf(krilla::error::KrillaError),
}

/// A4, in points.
const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
const BODY: f32 = 10.0;
/// Characters per line of body text: Liberation Sans averages about half an em a character,
/// so 85 characters of 10 points stay within the margins.
const LINE_CHARS: usize = 85;
/// At most this many structures are named one by one; the others are counted.
const MAX_STRUCTURES: usize = 8;

/// The page being written, from the top down; lines past the bottom margin are dropped
/// rather than start a second page.
struct Writer<'s, 'p> {
    surface: &'s mut Surface<'p>,
    regular: Font,
    bold: Font,
    y: f32,
}

impl Writer<'_, '_> {
    fn line(&mut self, text: &str, bold: bool, size: f32) {
        if self.y > HEIGHT - MARGIN {
            return;
        }
        let font = if bold { &self.bold } else { &self.regular };
        self.surface.draw_text(
            Point::from_xy(MARGIN, self.y),
            font.clone(),
            size,
            text,
            false,
            TextDirection::Auto,
        );
        self.y += size * 1.45;
    }

    fn text(&mut self, text: &str) {
        for line in wrap(text, LINE_CHARS) {
            self.line(&line, false, BODY);
        }
    }

    fn heading(&mut self, text: &str) {
        self.y += BODY * 0.8;
        self.line(text, true, 12.0);
    }

    fn gap(&mut self) {
        self.y += BODY * 0.6;
    }
}

/// Words gathered into lines of at most `width` characters (a longer word stands alone).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let needed = current.chars().count() + word.chars().count() + 1;
        if !current.is_empty() && needed > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The attestation as a one-page PDF.
pub fn pdf(attestation: &Attestation<'_>) -> Result<Vec<u8>, AttestationError> {
    let regular = Font::new(REGULAR.into(), 0).ok_or(AttestationError::Font)?;
    let bold = Font::new(BOLD.into(), 0).ok_or(AttestationError::Font)?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!(
                "Attestation de bonne exécution de la clause sociale — marché {}",
                attestation.reference
            ))
            .language("fr".to_owned())
            .creator("suivi-clauses".to_owned()),
    );
    let settings = PageSettings::from_wh(WIDTH, HEIGHT).ok_or(AttestationError::Font)?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    let mut writer = Writer {
        surface: &mut surface,
        regular,
        bold,
        y: MARGIN + 16.0,
    };
    write(&mut writer, attestation);
    surface.finish();
    page.finish();
    document.finish().map_err(AttestationError::Pdf)
}

fn write(w: &mut Writer<'_, '_>, a: &Attestation<'_>) {
    w.line("Attestation de bonne exécution", true, 18.0);
    w.line("de la clause sociale d'insertion", true, 18.0);
    w.gap();
    w.text(&format!(
        "Acheteur : {} (SIRET {})",
        a.buyer_name, a.buyer_siret
    ));
    w.text(&format!("Marché : {} — {}", a.reference, a.object));
    w.text(&format!("Lot : {}", lot_heading(a.lot, a.lot_title)));
    let period = match a.end {
        Some(end) => format!("du {} au {}", date(a.start), date(end)),
        None => format!("à partir du {}", date(a.start)),
    };
    w.text(&format!("Période d'exécution : {period}"));
    w.heading("Entreprise");
    for (key, name, role) in a.companies {
        // A company the DECP names otherwise than by a SIRET is named by its identifier.
        let identifier = match CompanyIdentifier::parse(key) {
            Ok(other) if other.siret().is_none() => other.to_string(),
            _ => format!("SIRET {key}"),
        };
        w.text(&format!("{name} — {identifier} — {role}"));
    }
    hours(w, a);
    result(w, a.closure);
    signature(w, a.closure);
}

fn hours(w: &mut Writer<'_, '_>, a: &Attestation<'_>) {
    w.heading("Heures d'insertion réalisées (validées), par modalité");
    for (modality, hours) in a.by_modality {
        w.text(&format!("{} : {hours}", modality.label()));
    }
    let total: Hours = a.by_modality.iter().map(|(_, h)| *h).sum();
    w.text(&format!("Total : {total}"));
    w.heading("Structures d'insertion mobilisées");
    if a.structures.is_empty() {
        w.text("Aucune : les heures ont été réalisées sans structure d'insertion.");
    }
    for (siret, name, hours) in a.structures.iter().take(MAX_STRUCTURES) {
        w.text(&format!("{name} (SIRET {siret}) : {hours}"));
    }
    if a.structures.len() > MAX_STRUCTURES {
        w.text(&format!(
            "et {} autres structures.",
            a.structures.len() - MAX_STRUCTURES
        ));
    }
}

fn result(w: &mut Writer<'_, '_>, c: &Closure) {
    w.heading("Résultat");
    w.text(&format!("Objectif de la clause : {}", c.target));
    w.text(&format!("Heures retenues pour la clause : {}", c.counted));
    if c.reached {
        w.text("Objectif atteint.");
    } else {
        w.text(&format!("Objectif non atteint : {} manquantes.", c.missing));
    }
    w.text(&penalty_text(c));
    if let Some(reason) = &c.early_reason {
        w.text(&format!(
            "Clause clôturée avant la fin d'exécution du lot : {reason}"
        ));
    }
}

/// What the penalty came to, and why it differs from the clause's when it does.
fn penalty_text(c: &Closure) -> String {
    let (Some(rate), Some(due)) = (c.clause_penalty_per_hour, c.penalty) else {
        return "La clause ne prévoit pas de pénalité.".to_owned();
    };
    let reason = c.penalty_reason.as_deref().unwrap_or_default();
    match (c.penalty_change, c.penalty_per_hour) {
        (Some(PenaltyChange::Waived), _) => format!(
            "Pénalité prévue par la clause ({rate} par heure manquante) levée : {reason}. Pénalité due : {due}."
        ),
        (Some(PenaltyChange::Reduced), Some(applied)) => format!(
            "Pénalité réduite de {rate} à {applied} par heure manquante : {reason}. Pénalité due : {due}."
        ),
        _ => format!("Pénalité due : {due} ({rate} par heure manquante)."),
    }
}

fn signature(w: &mut Writer<'_, '_>, c: &Closure) {
    w.gap();
    w.gap();
    w.text(&format!("Fait le {}.", date(c.closed_at.date())));
    w.line(&c.signatory_name, true, BODY);
    w.text(&c.signatory_role);
    w.gap();
    w.text(&format!(
        "Clôture enregistrée dans suivi-clauses par {}.",
        c.closed_by_label
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_wrap_within_the_width_and_a_long_word_stands_alone() {
        assert_eq!(wrap("un deux trois", 7), vec!["un deux", "trois"]);
        assert_eq!(wrap("anticonstitutionnellement x", 10).len(), 2);
        assert_eq!(wrap("", 10), vec![String::new()]);
    }
}

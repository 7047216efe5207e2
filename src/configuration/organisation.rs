//! The organisation running the service: its name and logo, shown in every page's header and
//! on the printed dashboard. Its own identity, never the State's (the Marianne block is
//! reserved to State services).

use std::path::Path;

use super::SettingsError;

/// The name shown when none is configured: the product's own, neutral.
pub const DEFAULT_NAME: &str = "suivi-clauses";

/// A logo larger than this is refused: it is shown small on every page.
pub const MAX_LOGO_BYTES: usize = 256 * 1024;

/// The fixed address the logo is served at.
pub const LOGO_PATH: &str = "/static/logo";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub name: String,
    pub logo: Option<Logo>,
}

impl Default for Organisation {
    fn default() -> Organisation {
        Organisation {
            name: DEFAULT_NAME.to_owned(),
            logo: None,
        }
    }
}

impl Organisation {
    /// The name and logo as configured; the logo file read and checked now, so that a wrong one
    /// stops the start rather than showing a broken image.
    pub fn load(name: &str, logo: Option<&Path>) -> Result<Organisation, SettingsError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(SettingsError::Invalid(
                "organisation.name doit être le nom de l'organisation, de 1 à 120 caractères."
                    .into(),
            ));
        }
        Ok(Organisation {
            name: name.to_owned(),
            logo: logo.map(read_logo).transpose()?,
        })
    }
}

fn read_logo(path: &Path) -> Result<Logo, SettingsError> {
    let refused = |why: String| {
        SettingsError::Invalid(format!(
            "organisation.logo ({}) : {why} ; le logo doit être une image PNG ou un dessin SVG de {} Ko au plus.",
            path.display(),
            MAX_LOGO_BYTES / 1024
        ))
    };
    let bytes = std::fs::read(path).map_err(|e| refused(format!("fichier illisible : {e}")))?;
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(refused(format!(
            "le fichier pèse {} Ko, {} Ko au plus",
            bytes.len().div_ceil(1024),
            MAX_LOGO_BYTES / 1024
        )));
    }
    let content_type = sniff(&bytes).map_err(|why| refused(why.to_owned()))?;
    Ok(Logo {
        bytes,
        content_type,
    })
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// The type by the content, whatever the file's name says.
fn sniff(bytes: &[u8]) -> Result<&'static str, &'static str> {
    if bytes.starts_with(PNG_SIGNATURE) {
        return Ok("image/png");
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err("ce n'est ni une image PNG ni un dessin SVG");
    };
    let lower = text.to_lowercase();
    if !lower.contains("<svg") {
        return Err("ce n'est ni une image PNG ni un dessin SVG");
    }
    // Opened on its own, an SVG is a document of this site: no script in it.
    if lower.contains("<script")
        || lower.contains("javascript:")
        || lower.contains("<foreignobject")
    {
        return Err("le dessin SVG contient un script ; enregistrez-le sans script");
    }
    Ok("image/svg+xml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_is_read_from_the_content() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Ok("image/png"));
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Ok("image/svg+xml")
        );
        assert!(sniff(b"GIF89a").is_err());
        assert!(sniff(b"\xff\xd8\xff\xe0 jpeg").is_err());
        assert!(sniff(b"<svg><script>alert(1)</script></svg>").is_err());
    }

    #[test]
    fn a_blank_name_is_refused() {
        assert!(Organisation::load("  ", None).is_err());
        assert_eq!(
            Organisation::load(" Département de l'Exemple ", None)
                .unwrap()
                .name,
            "Département de l'Exemple"
        );
    }
}

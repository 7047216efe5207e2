//! The key that signs session tokens: from configuration, or generated on the first start and
//! kept in the data directory, readable by the service's user only.

use std::io::Write;
use std::path::Path;

use secrecy::SecretString;

use super::tokens::random_token;

pub const KEY_FILE: &str = "jwt-signing-key";
/// Shorter keys are refused: HS256 wants at least 256 bits.
const MIN_KEY_CHARS: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum SigningKeyError {
    #[error(
        "La clé de signature configurée est trop courte : {MIN_KEY_CHARS} caractères au moins."
    )]
    TooShort,
    #[error("Impossible de lire ou d'écrire la clé de signature {path} : {error}")]
    File { path: String, error: std::io::Error },
}

pub fn load_or_create(
    data_dir: &Path,
    configured: Option<&SecretString>,
) -> Result<SecretString, SigningKeyError> {
    use secrecy::ExposeSecret;
    if let Some(key) = configured {
        if key.expose_secret().chars().count() < MIN_KEY_CHARS {
            return Err(SigningKeyError::TooShort);
        }
        return Ok(key.clone());
    }
    let path = data_dir.join(KEY_FILE);
    let file_error = |error| SigningKeyError::File {
        path: path.display().to_string(),
        error,
    };
    match std::fs::read_to_string(&path) {
        Ok(existing) if existing.trim().len() >= MIN_KEY_CHARS => {
            Ok(SecretString::from(existing.trim().to_owned()))
        }
        Ok(_) => Err(SigningKeyError::TooShort),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = random_token();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file = options.open(&path).map_err(file_error)?;
            file.write_all(key.as_bytes()).map_err(file_error)?;
            Ok(SecretString::from(key))
        }
        Err(e) => Err(file_error(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn a_generated_key_is_kept_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create(dir.path(), None).unwrap();
        let second = load_or_create(dir.path(), None).unwrap();
        assert_eq!(first.expose_secret(), second.expose_secret());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_configured_key_wins_and_must_be_long_enough() {
        let dir = tempfile::tempdir().unwrap();
        let configured = SecretString::from("k".repeat(40));
        assert_eq!(
            load_or_create(dir.path(), Some(&configured))
                .unwrap()
                .expose_secret(),
            &"k".repeat(40)
        );
        assert!(matches!(
            load_or_create(dir.path(), Some(&SecretString::from("court".to_owned()))),
            Err(SigningKeyError::TooShort)
        ));
        assert!(!dir.path().join(KEY_FILE).exists());
    }
}

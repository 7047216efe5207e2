//! Why an import could not be carried out at all (as opposed to a refused file, which is a
//! report).

use crate::domain::Siret;
use crate::storage::ImportId;
use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "L'import « {0} » n'est pas encore disponible : seules les structures s'importent pour l'instant."
    )]
    NotYetAvailable(&'static str),
    #[error("Aucun acheteur n'a le SIRET {0} : créez-le d'abord (suivi-clauses buyer add).")]
    UnknownBuyer(Siret),
    #[error(
        "Ce fichier a déjà été importé le {at} (import n° {id}) : rien n'a été changé. Pour l'importer à nouveau, demandez son remplacement."
    )]
    Duplicate { id: ImportId, at: String },
    /// A clause closed while the file was being checked: the rows on it were not refused then.
    #[error(
        "La clause d'un lot de ce fichier a été close pendant son import : rien n'a été écrit. Renvoyez le fichier : ses lignes sur la clause close seront signalées."
    )]
    ClauseClosed,
    #[error("Le modèle n'a pas pu être produit : {0}")]
    Template(String),
    /// A file read from disk (the command line's) that could not be read.
    #[error("Le fichier n'a pas pu être lu : {0}")]
    Unreadable(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::storage::query_error_through_storage!(ImportError);

//! What an import reports: whole-file problems and row problems, each worded in French for the
//! person who will fix the file.

use serde::{Deserialize, Serialize};

/// A problem that makes the whole file unreadable or unusable, in one sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileProblem {
    #[error(
        "Ce fichier n'est pas un tableur{hint} : envoyez un fichier .xlsx, .xls, .ods ou .csv."
    )]
    NotASpreadsheet { hint: String },
    #[error(
        "Le fichier est endommagé et ne peut pas être lu ({0}) : ouvrez-le dans votre tableur, enregistrez-le à nouveau puis renvoyez-le."
    )]
    Damaged(String),
    #[error(
        "Le fichier pèse {size_mb} Mo, au-delà de la limite de {max_mb} Mo : découpez-le en plusieurs fichiers."
    )]
    TooLarge { size_mb: u64, max_mb: u64 },
    #[error(
        "Le fichier annonce un contenu décompressé anormalement volumineux et a été refusé par sécurité : enregistrez-le à nouveau depuis votre tableur."
    )]
    CompressionBomb,
    #[error("Le fichier compte plus de {max} lignes remplies : découpez-le en plusieurs fichiers.")]
    TooManyRows { max: usize },
    #[error("Le fichier ne contient aucune donnée : vérifiez que vous envoyez le bon fichier.")]
    Empty,
    #[error(
        "Colonnes obligatoires absentes : {missing}. En-têtes trouvés ({location}) : {found}. Ajoutez ces colonnes ou renommez les en-têtes, comme dans le modèle."
    )]
    MissingColumns {
        missing: String,
        location: String,
        found: String,
    },
    #[error(
        "L'en-tête n'est suivi d'aucune ligne de données : remplissez le fichier sous les en-têtes."
    )]
    NoDataRows,
    #[error(
        "Ce fichier JSON au format DECP décrit des marchés : importez-le comme registre des marchés."
    )]
    NotARegister,
}

/// A problem on one cell or row, located as the user sees it in their spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RowProblem {
    pub sheet: String,
    /// The row number shown by the spreadsheet (1 for the first row).
    pub row: u32,
    /// The column's header as written in the file.
    pub column: Option<String>,
    pub value: Option<String>,
    pub message: String,
}

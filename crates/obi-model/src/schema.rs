//! JSON Schema validation of Open Badges 3.0 credentials against the pinned 1EdTech
//! schema (`ob_v3p0_achievementcredential_schema.json`, draft 2019-09, compiled into the
//! binary and compiled as a validator once per process). Formats (`date-time`, `date`,
//! `uri`...) are checked.
//!
//! ```
//! let credential: serde_json::Value =
//!     serde_json::from_str(include_str!("../../../examples/ob3-minimal.json")).unwrap();
//! assert!(obi_model::schema::validate_ob3(&credential).unwrap().is_empty());
//! ```

use std::sync::OnceLock;

use serde_json::Value;

/// The pinned OB 3.0 AchievementCredential JSON Schema
/// (`https://purl.imsglobal.org/spec/ob/v3p0/schema/json-ld/ob_v3p0_achievementcredential_schema.json`).
pub const OB3_ACHIEVEMENT_CREDENTIAL_SCHEMA: &str =
    include_str!("../schemas/ob_v3p0_achievementcredential_schema.json");

/// The `$id` of [`OB3_ACHIEVEMENT_CREDENTIAL_SCHEMA`].
pub const OB3_ACHIEVEMENT_CREDENTIAL_SCHEMA_ID: &str = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json-ld/ob_v3p0_achievementcredential_schema.json";

/// Most errors reported for one document (the rest are counted, not listed).
pub const MAX_SCHEMA_ERRORS: usize = 100;

/// One way a document fails the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// JSON Pointer of the failing value in the document (`""` is the root).
    pub instance_path: String,
    /// The schema keyword that failed (`required`, `type`, `format`...).
    pub keyword: String,
    /// JSON Pointer of the keyword in the schema.
    pub schema_path: String,
    /// The validator's message.
    pub message: String,
}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = if self.instance_path.is_empty() {
            "/"
        } else {
            &self.instance_path
        };
        write!(f, "{path}: {} ({})", self.message, self.keyword)
    }
}

/// The schema itself could not be compiled (a build defect, never the input's fault).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error("the pinned OB 3.0 JSON Schema failed to compile: {0}")]
pub struct SchemaCompileError(String);

fn validator() -> Result<&'static jsonschema::Validator, SchemaCompileError> {
    static VALIDATOR: OnceLock<Result<jsonschema::Validator, SchemaCompileError>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| {
            let schema: Value = serde_json::from_str(OB3_ACHIEVEMENT_CREDENTIAL_SCHEMA)
                .map_err(|e| SchemaCompileError(e.to_string()))?;
            jsonschema::draft201909::options()
                .should_validate_formats(true)
                .build(&schema)
                .map_err(|e| SchemaCompileError(e.to_string()))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Validates an OB 3.0 credential; returns every failure (at most
/// [`MAX_SCHEMA_ERRORS`]), sorted by path. Empty means valid.
///
/// # Errors
/// Only if the pinned schema does not compile.
pub fn validate_ob3(document: &Value) -> Result<Vec<SchemaError>, SchemaCompileError> {
    let validator = validator()?;
    // Most credentials pass: `is_valid` stops at nothing and builds no error (and so no
    // paths or messages); only a failing document is walked again for its errors.
    if validator.is_valid(document) {
        return Ok(Vec::new());
    }
    let mut out: Vec<SchemaError> = validator
        .iter_errors(document)
        .take(MAX_SCHEMA_ERRORS)
        .map(|e| SchemaError {
            instance_path: e.instance_path().to_string(),
            keyword: e.kind().keyword().to_owned(),
            schema_path: e.schema_path().to_string(),
            message: e.to_string(),
        })
        .collect();
    out.sort_by(|a, b| a.instance_path.cmp(&b.instance_path));
    Ok(out)
}

/// True when the credential passes the schema (faster than [`validate_ob3`]).
///
/// # Errors
/// Only if the pinned schema does not compile.
pub fn is_valid_ob3(document: &Value) -> Result<bool, SchemaCompileError> {
    Ok(validator()?.is_valid(document))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn missing_required_and_paths() {
        let errors = validate_ob3(&json!({"type": ["VerifiableCredential"]})).unwrap();
        assert!(!errors.is_empty());
        assert!(
            errors
                .iter()
                .any(|e| e.keyword == "required" && e.message.contains("issuer"))
        );
        assert!(!is_valid_ob3(&json!({})).unwrap());
    }
}

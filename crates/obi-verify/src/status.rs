//! Credential status lists.

//! Open Badges 3.0 verification (Verifiable Credentials).

use serde_json::Value;

use crate::context::VerifyContext;

/// Verifies an OB 3.0 credential given as JSON.
pub(crate) fn verify_credential(_value: &Value, ctx: &mut VerifyContext<'_>) {
    ctx.error("OB3_UNAVAILABLE", "OB 3.0 verification not available yet");
}

/// Verifies an OB 3.0 credential given as a VC-JWT.
pub(crate) fn verify_vc_jwt(_jws: &str, ctx: &mut VerifyContext<'_>) {
    ctx.error("OB3_UNAVAILABLE", "OB 3.0 verification not available yet");
}

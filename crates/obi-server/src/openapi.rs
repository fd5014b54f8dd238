//! The OpenAPI 3.1 document served at `/api/openapi.json`.

use serde_json::{Value, json};

fn error_response(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn id_param() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } })
}

/// The document; every entry of [`crate::ROUTES`] is a path and method here (tested).
#[must_use]
pub fn document() -> Value {
    let auth = json!([{ "bearer": [] }]);
    let ok_json = |d: &str| json!({ "description": d, "content": { "application/json": {} } });
    let hosted = |d: &str| {
        json!({
            "description": d,
            "content": { "application/ld+json": {}, "text/html": {} }
        })
    };
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "obi serve",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Hosted Open Badges issuer service and public verifier. Errors (4xx, including 404 for an unknown route and 405 for a method a route does not take) are JSON: {\"error\": {\"status\", \"code\", \"message\"}}. Write endpoints need `Authorization: Bearer TOKEN` (admin, or scoped to one issuer)."
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": { "error": { "type": "object", "required": ["status", "code", "message"], "properties": {
                        "status": { "type": "integer" }, "code": { "type": "string" }, "message": { "type": "string" } } } }
                },
                "IssuerInput": {
                    "type": "object", "required": ["name"], "additionalProperties": false,
                    "properties": { "name": { "type": "string" }, "url": { "type": "string", "format": "uri" }, "email": { "type": "string" } }
                },
                "IssuerPatch": {
                    "type": "object", "additionalProperties": false,
                    "properties": { "name": { "type": "string" }, "url": { "type": "string", "format": "uri" }, "email": { "type": "string" } }
                },
                "AchievementInput": {
                    "type": "object", "required": ["name", "description", "criteria"], "additionalProperties": false,
                    "properties": { "name": { "type": "string" }, "description": { "type": "string" }, "criteria": { "type": "string" }, "image": { "type": "string", "format": "uri" } }
                }
            }
        },
        "paths": {
            "/api/openapi.json": { "get": { "summary": "This document", "responses": { "200": ok_json("OpenAPI 3.1") } } },
            "/api/issuers": {
                "get": { "summary": "List issuers the token may see", "security": auth, "responses": { "200": ok_json("{items: [...]}"), "401": error_response("no valid token") } },
                "post": { "summary": "Create an issuer with a fresh Ed25519 key (admin)", "security": auth,
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/IssuerInput" } } } },
                    "responses": { "201": ok_json("the issuer"), "400": error_response("bad input"), "401": error_response("no valid token"), "403": error_response("not an admin token"), "413": error_response("body too large") } }
            },
            "/api/issuers/{id}": {
                "parameters": [id_param()],
                "get": { "summary": "One issuer", "security": auth, "responses": { "200": ok_json("the issuer"), "403": error_response("token of another issuer"), "404": error_response("unknown id") } },
                "patch": { "summary": "Update name, url or email", "security": auth,
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/IssuerPatch" } } } },
                    "responses": { "200": ok_json("the issuer"), "400": error_response("bad input"), "403": error_response("token of another issuer"), "404": error_response("unknown id") } }
            },
            "/api/issuers/{id}/tokens": {
                "parameters": [id_param()],
                "post": { "summary": "Create an API token scoped to this issuer (admin); the token is shown once", "security": auth,
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["label"], "properties": { "label": { "type": "string" } } } } } },
                    "responses": { "201": ok_json("{token, issuerId, label}"), "403": error_response("not an admin token"), "404": error_response("unknown id") } }
            },
            "/api/issuers/{id}/achievements": {
                "parameters": [id_param()],
                "get": { "summary": "The issuer's achievements", "security": auth, "responses": { "200": ok_json("{items: [...]}"), "403": error_response("token of another issuer"), "404": error_response("unknown id") } },
                "post": { "summary": "Create an achievement", "security": auth,
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AchievementInput" } } } },
                    "responses": { "201": ok_json("the OB 3.0 Achievement, plus uuid"), "400": error_response("bad input"), "403": error_response("token of another issuer"), "404": error_response("unknown id") } }
            },
            "/api/issuers/{id}/awards": {
                "parameters": [id_param()],
                "get": { "summary": "The issuer's awards, oldest first, paged (offset, limit 1..=1000, default 100); each with its hosted URL and, for bulk awards, jobId and rowKey", "security": auth,
                    "parameters": [
                        { "name": "offset", "in": "query", "schema": { "type": "integer", "minimum": 0 } },
                        { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 1000 } }
                    ],
                    "responses": { "200": ok_json("{items: [...], total, offset, limit}"), "400": error_response("bad paging"), "403": error_response("token of another issuer"), "404": error_response("unknown id") } },
                "post": { "summary": "Award one achievement: an OB 3.0 credential signed eddsa-rdfc-2022 with the issuer's did:web key, hosted at /credentials/{uuid}", "security": auth,
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["achievementId", "recipientEmail"], "additionalProperties": false,
                        "properties": { "achievementId": { "type": "string", "format": "uuid" }, "recipientEmail": { "type": "string" }, "recipientName": { "type": "string" }, "narrative": { "type": "string" }, "evidence": { "type": "array", "items": { "type": "string", "format": "uri" } }, "format": { "type": "string", "enum": ["ob3", "ob2-hosted", "ob2-signed"], "description": "ob3 (default): signed OB 3.0 credential with a status list entry; ob2-hosted: OB 2.0 hosted assertion at /assertions/{uuid}; ob2-signed: OB 2.0 assertion signed RS256 (compact JWS) with the issuer's OB 2.0 key, revocable through its RevocationList" } } } } } },
                    "responses": { "201": ok_json("{id, url, credential}"), "400": error_response("bad input"), "403": error_response("token of another issuer"), "404": error_response("unknown issuer or achievement") } }
            },
            "/api/issuers/{id}/awards/bulk": {
                "parameters": [id_param(),
                    { "name": "achievementId", "in": "query", "schema": { "type": "string", "format": "uuid" }, "description": "the achievement of rows without an achievement column" },
                    { "name": "format", "in": "query", "schema": { "type": "string", "enum": ["ob3", "ob2-hosted", "ob2-signed"] } }],
                "post": { "summary": "Award in bulk: a CSV (RFC 4180; header recipient, name, optional evidence, narrative, achievement) or a JSON array of {recipient, name?, evidence?, narrative?, achievement?}. Rows are checked now (bad rows are reported per line), stored, and issued by a background job in batches; each batch commits with the job's progress, so every award the job reports is stored exactly once, also across a crash", "security": auth,
                    "requestBody": { "required": true, "content": { "text/csv": {}, "application/json": { "schema": { "type": "array", "items": { "type": "object", "required": ["recipient"] } } } } },
                    "responses": { "202": ok_json("{id, state, total, queued, failed, location}; Location: the job"), "400": error_response("bad CSV header, no rows, too many rows"), "403": error_response("token of another issuer"), "404": error_response("unknown issuer or achievement"), "413": error_response("body too large"), "415": error_response("not text/csv or application/json") } }
            },
            "/api/issuers/{id}/jobs/{job}": {
                "parameters": [id_param(), { "name": "job", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }],
                "get": { "summary": "A bulk job's progress: state (queued, running, finished), total, queued, done, failed, pending, errors [{line, message}], lease {instance, until} (which instance works on it)", "security": auth,
                    "responses": { "200": ok_json("the job"), "403": error_response("token of another issuer"), "404": error_response("unknown issuer or job") } }
            },
            "/api/issuers/{id}/awards/{award}/revoke": {
                "parameters": [id_param(), { "name": "award", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }],
                "post": { "summary": "Revoke an award (hosted page and OB 2.0 hosted assertions show it)", "security": auth,
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["reason"], "properties": { "reason": { "type": "string" } } } } } },
                    "responses": { "200": ok_json("{id, revoked: true}"), "403": error_response("token of another issuer"), "404": error_response("unknown issuer or award") } }
            },
            "/api/verify": {
                "post": { "summary": "Verify a badge: JSON (or {\"url\": ...}), a compact JWS as text/plain, a baked PNG/SVG, or multipart/form-data with a file part (or badge/url fields)",
                    "requestBody": { "required": true, "content": { "application/json": {}, "text/plain": {}, "image/png": {}, "image/svg+xml": {}, "multipart/form-data": { "schema": { "type": "object", "properties": { "file": { "type": "string", "format": "binary" }, "badge": { "type": "string" }, "url": { "type": "string", "format": "uri" } } } } } },
                    "responses": { "200": ok_json("the verification report (valid or not)"), "400": error_response("malformed body"), "413": error_response("body too large"), "415": error_response("unsupported content type"), "422": error_response("not a badge") } }
            },
            "/issuers/{id}": { "parameters": [id_param()], "get": { "summary": "Hosted issuer profile (content negotiation)", "responses": { "200": hosted("Profile"), "404": error_response("unknown id") } } },
            "/issuers/{id}/did.json": { "parameters": [id_param()], "get": { "summary": "did:web document of the issuer", "responses": { "200": { "description": "DID document", "content": { "application/did+json": {} } }, "404": error_response("unknown id") } } },
            "/issuers/{id}/status/{n}": { "parameters": [id_param(), { "name": "n", "in": "path", "required": true, "schema": { "type": "integer", "minimum": 0 } }],
                "get": { "summary": "The issuer's revocation status list n: a BitstringStatusListCredential (131,072 entries) signed eddsa-rdfc-2022, re-signed after a revocation", "responses": { "200": { "description": "signed status list", "content": { "application/vc+ld+json": {}, "text/html": {} } }, "404": error_response("unknown issuer or list") } } },
            "/issuers/{id}/ob2": { "parameters": [id_param()], "get": { "summary": "(content negotiation) OB 2.0 Issuer Profile (publicKey, revocationList)", "responses": { "200": { "description": "Issuer", "content": { "application/ld+json": {}, "text/html": {} } }, "404": error_response("unknown id") } } },
            "/issuers/{id}/ob2/key": { "parameters": [id_param()], "get": { "summary": "(content negotiation) OB 2.0 CryptographicKey of the issuer (PEM): the RS256 key of its signed assertions once it has one, else its Ed25519 key", "responses": { "200": { "description": "CryptographicKey", "content": { "application/ld+json": {}, "text/html": {} } }, "404": error_response("unknown id") } } },
            "/issuers/{id}/ob2/revocations": { "parameters": [id_param()], "get": { "summary": "(content negotiation) OB 2.0 RevocationList: the issuer's revoked assertions with reasons", "responses": { "200": { "description": "RevocationList", "content": { "application/ld+json": {}, "text/html": {} } }, "404": error_response("unknown id") } } },
            "/assertions/{id}": { "parameters": [id_param()], "get": { "summary": "Hosted OB 2.0 assertion (content negotiation): ob2-hosted as issued, a revoked one with revoked: true and its revocationReason; ob2-signed as the JWS payload (the JWS itself with Accept: application/jwt or text/plain)", "responses": { "200": hosted("Assertion"), "404": error_response("unknown id") } } },
            "/badgeclasses/{id}": { "parameters": [id_param()], "get": { "summary": "(content negotiation) OB 2.0 BadgeClass of an achievement", "responses": { "200": { "description": "BadgeClass", "content": { "application/ld+json": {}, "text/html": {} } }, "404": error_response("unknown id") } } },
            "/.well-known/did.json": { "get": { "summary": "did:web document of the host (the first issuer)", "responses": { "200": { "description": "DID document", "content": { "application/did+json": {} } }, "404": error_response("no issuer yet") } } },
            "/achievements/{id}": { "parameters": [id_param()], "get": { "summary": "Hosted achievement (content negotiation)", "responses": { "200": hosted("Achievement"), "404": error_response("unknown id") } } },
            "/credentials/{id}": { "parameters": [id_param()], "get": { "summary": "Hosted credential or assertion (content negotiation; the page shows the verification result)", "responses": { "200": hosted("credential"), "404": error_response("unknown id") } } },
            "/credentials/{id}/baked.png": { "parameters": [id_param()], "get": { "summary": "The badge image (PNG) with the credential baked in", "responses": { "200": { "description": "baked PNG", "content": { "image/png": {} } }, "404": error_response("unknown id") } } },
            "/credentials/{id}/baked.svg": { "parameters": [id_param()], "get": { "summary": "The badge image (SVG) with the credential baked in", "responses": { "200": { "description": "baked SVG", "content": { "image/svg+xml": {} } }, "404": error_response("unknown id") } } },
            "/verify": {
                "get": { "summary": "The verifier page (a plain form, no scripts; a file can be chosen or dropped)", "responses": { "200": { "description": "HTML", "content": { "text/html": {} } } } },
                "post": { "summary": "Form submission (url, badge or file; urlencoded or multipart)", "requestBody": { "content": { "application/x-www-form-urlencoded": {}, "multipart/form-data": {} } }, "responses": { "200": { "description": "HTML result", "content": { "text/html": {} } }, "400": { "description": "empty form", "content": { "text/html": {} } } } }
            }
        }
    });
    // The baked 2.0 assertions, added apart (one `json!` this size reaches the macro's
    // recursion limit).
    let baked = |kind: &str, media: &str| {
        json!({ "parameters": [id_param()], "get": {
            "summary": format!("An OB 2.0 assertion baked into its badge image ({kind}): the JWS of a signed assertion, the JSON of a hosted one"),
            "responses": { "200": { "description": format!("baked {kind}"), "content": { media: {} } }, "404": error_response("unknown id or not an OB 2.0 award") } } })
    };
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        paths.insert(
            "/assertions/{id}/baked.png".into(),
            baked("PNG", "image/png"),
        );
        paths.insert(
            "/assertions/{id}/baked.svg".into(),
            baked("SVG", "image/svg+xml"),
        );
    }
    doc
}

//! Human pages (maud, auto-escaped). No scripts, no external resources: the verifier's file
//! input is styled as a drop zone (browsers accept a dropped file on it natively).

use maud::{DOCTYPE, Markup, html};
use serde_json::Value;

use crate::records::{AchievementRecord, IssuerRecord};

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}\
h1{font-size:1.6rem}textarea{width:100%;min-height:10rem;font-family:monospace}\
input[type=url]{width:100%}.ok{color:#05640f}.bad{color:#a10000}.warn{color:#7a5200}\
li{margin:.2rem 0}code{word-break:break-all}pre{overflow-x:auto;background:#f4f4f4;padding:.5rem}\
input[type=file]{width:100%;box-sizing:border-box;padding:2rem 1rem;border:2px dashed #888;background:#fafafa}";

fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · obi" }
                style { (STYLE) }
            }
            body {
                (body)
                footer { p { small { a href="/verify" { "Verify a badge" } } } }
            }
        }
    }
}

/// A page for a hosted document with no richer page of its own (a public key, a revocation
/// list, a status list): what it is, and the document itself.
#[must_use]
pub fn document(title: &str, what: &str, doc: &Value) -> Markup {
    let pretty = serde_json::to_string_pretty(doc).unwrap_or_default();
    page(
        title,
        html! {
            h1 { (title) }
            p { (what) }
            p { small { "Machines: ask for this URL with " code { "Accept: application/ld+json" } "." } }
            pre { code { (pretty) } }
        },
    )
}

/// An issuer profile page.
#[must_use]
pub fn issuer(issuer: &IssuerRecord, did: &str) -> Markup {
    page(
        &issuer.name,
        html! {
            h1 { (issuer.name) }
            p { "Open Badges issuer" }
            dl {
                @if let Some(url) = &issuer.url { dt { "Web site" } dd { a href=(url) rel="nofollow" { (url) } } }
                @if let Some(email) = &issuer.email { dt { "Contact" } dd { (email) } }
                dt { "Decentralised identifier" } dd { code { (did) } }
                dt { "Public key" } dd { code { (issuer.public_key) } }
            }
        },
    )
}

/// An achievement (badge class) page.
#[must_use]
pub fn achievement(a: &AchievementRecord, issuer: Option<&IssuerRecord>) -> Markup {
    page(
        &a.name,
        html! {
            @if let Some(image) = &a.image { img src=(image) alt="" width="128" height="128"; }
            h1 { (a.name) }
            @if let Some(i) = issuer { p { "Issued by " a href={"/issuers/" (i.id)} { (i.name) } } }
            p { (a.description) }
            h2 { "Criteria" }
            p { (a.criteria) }
        },
    )
}

fn report_section(report: &obi_verify::Report) -> Markup {
    let summary = Summary::of_report(report);
    html! {
        div #verdict data-valid=(report.valid) data-incomplete=(report.incomplete) {
            @if report.valid {
                p.ok { strong { "This badge is valid." } " Its signature or hosted copy checks out and no problem was found." }
            } @else if report.incomplete {
                p.warn { strong { "This badge could not be fully checked." } " Some check could not run; see below why." }
            } @else {
                p.bad { strong { "This badge is not valid." } " " (report.error_count) " problem(s) found; see below why." }
            }
        }
        (summary.markup())
        @if let Some(v) = &report.open_badges_version { p { "Open Badges " (v) } }
        @if !report.messages.is_empty() {
            h3 { "Details" }
            ul {
                @for m in &report.messages {
                    @let class = match m.level { obi_verify::Level::Error => "bad", obi_verify::Level::Warning => "warn", _ => "" };
                    li class=(class) { (m.level) ": " (m.result) }
                }
            }
        }
    }
}

/// What a person wants to know about a badge: what, who, whom, when.
#[derive(Debug, Default)]
struct Summary<'a> {
    achievement: Option<&'a str>,
    issuer: Option<&'a str>,
    recipient: Option<&'a str>,
    issued: Option<&'a str>,
    expires: Option<&'a str>,
}

impl<'a> Summary<'a> {
    fn of_report(report: &'a obi_verify::Report) -> Self {
        let mut s = Self::default();
        for doc in &report.graph {
            s.fill(doc);
        }
        // An OB 2.0 badge class or issuer may be a separate node of the graph.
        for doc in &report.graph {
            let types = type_names(doc);
            if s.achievement.is_none()
                && types
                    .iter()
                    .any(|t| *t == "BadgeClass" || *t == "Achievement")
            {
                s.achievement = text_at(doc, &["name"]);
            }
            if s.issuer.is_none() && types.iter().any(|t| *t == "Issuer" || *t == "Profile") {
                s.issuer = text_at(doc, &["name"]);
            }
        }
        s
    }

    fn fill(&mut self, doc: &'a Value) {
        self.achievement = self.achievement.or_else(|| badge_name(doc));
        self.issuer = self.issuer.or_else(|| issuer_name(doc));
        self.recipient = self
            .recipient
            .or_else(|| text_at(doc, &["credentialSubject", "name"]));
        self.issued = self.issued.or_else(|| {
            text_at(doc, &["validFrom"])
                .or_else(|| text_at(doc, &["issuanceDate"]))
                .or_else(|| text_at(doc, &["issuedOn"]))
        });
        self.expires = self.expires.or_else(|| {
            text_at(doc, &["validUntil"])
                .or_else(|| text_at(doc, &["expirationDate"]))
                .or_else(|| text_at(doc, &["expires"]))
        });
    }

    fn markup(&self) -> Markup {
        html! {
            dl #summary {
                @if let Some(a) = self.achievement { dt { "Achievement" } dd #achievement-name { (a) } }
                @if let Some(i) = self.issuer { dt { "Issued by" } dd #issuer-name { (i) } }
                @if let Some(r) = self.recipient { dt { "Awarded to" } dd { (r) } }
                @if let Some(d) = self.issued { dt { "Issued on" } dd { (date(d)) } }
                @if let Some(d) = self.expires { dt { "Expires" } dd { (date(d)) } }
            }
        }
    }
}

/// An RFC 3339 date as a person reads it (`2026-11-23 16:40 UTC`), else as given.
fn date(s: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(s).map_or_else(
        |_| s.to_owned(),
        |d| {
            d.with_timezone(&chrono::Utc)
                .format("%Y-%m-%d %H:%M UTC")
                .to_string()
        },
    )
}

fn type_names(doc: &Value) -> Vec<&str> {
    match doc.get("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The badge's (achievement's) name in a credential or assertion.
#[must_use]
pub fn badge_name(doc: &Value) -> Option<&str> {
    text_at(doc, &["credentialSubject", "achievement", "name"])
        .or_else(|| text_at(doc, &["badge", "name"]))
        .or_else(|| text_at(doc, &["name"]))
}

fn issuer_name(doc: &Value) -> Option<&str> {
    text_at(doc, &["issuer", "name"]).or_else(|| text_at(doc, &["badge", "issuer", "name"]))
}

fn text_at<'a>(doc: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut v = doc;
    for p in path {
        v = v.get(p)?;
    }
    v.as_str()
}

/// A hosted credential page: badge image, name, issuer, criteria, the verification result,
/// links to the baked images; the JSON itself (also served to `Accept: application/ld+json`).
/// Links are relative to the page (`/credentials/{id}`), so they work behind any public URL.
#[must_use]
pub fn credential(doc: &Value, revoked: bool, report: &obi_verify::Report) -> Markup {
    let name = badge_name(doc).unwrap_or("Badge");
    let issuer = issuer_name(doc).or_else(|| text_at(doc, &["issuer"]));
    let description = text_at(doc, &["credentialSubject", "achievement", "description"])
        .or_else(|| text_at(doc, &["badge", "description"]));
    let criteria = text_at(
        doc,
        &["credentialSubject", "achievement", "criteria", "narrative"],
    )
    .or_else(|| text_at(doc, &["badge", "criteria", "narrative"]));
    // The last segment of the hosted id: relative links from /credentials/{id}.
    let segment = text_at(doc, &["id"])
        .and_then(|id| id.rsplit('/').next())
        .filter(|s| uuid_like(s));
    let json = serde_json::to_string_pretty(doc).unwrap_or_default();
    page(
        name,
        html! {
            @if let Some(seg) = segment {
                img #badge-image src={(seg) "/baked.png"} alt={"Badge image: " (name)} width="128" height="128";
            }
            h1 { (name) }
            @if let Some(i) = issuer { p { "Issued by " strong { (i) } } }
            @if let Some(d) = description { p { (d) } }
            @if let Some(c) = criteria { h2 { "Criteria" } p { (c) } }
            @if revoked { p.bad #revoked { strong { "The issuer has revoked this badge." } } }
            h2 { "Verification" }
            (report_section(report))
            h2 { "Download" }
            ul {
                @if let Some(seg) = segment {
                    li { a href={(seg) "/baked.png"} download { "Baked PNG image" } " (the badge with this credential inside)" }
                    li { a href={(seg) "/baked.svg"} download { "Baked SVG image" } }
                }
                li { "JSON: this address with " code { "Accept: application/ld+json" } }
            }
            details { summary { "The credential (JSON)" } pre { code { (json) } } }
        },
    )
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

/// The public verifier form, with a result or a problem when there is one. The form posts
/// `multipart/form-data` (URL, pasted badge, or a file: baked PNG/SVG, JSON, JWS).
#[must_use]
pub fn verify_form(
    result: Option<Result<&obi_verify::Report, &str>>,
    url: &str,
    badge: &str,
) -> Markup {
    page(
        "Verify a badge",
        html! {
            h1 { "Verify an Open Badge" }
            p { "Give the badge's URL, paste the badge itself (JSON or a compact JWS), or choose a badge file (a baked PNG or SVG image, or a JSON file). Open Badges 2.0 and 3.0 are checked." }
            form method="post" action="/verify" enctype="multipart/form-data" id="verify-form" {
                p { label for="url" { "Badge URL" } br; input type="url" id="url" name="url" value=(url) placeholder="https://…"; }
                p { label for="badge" { "…or the badge itself" } br; textarea id="badge" name="badge" { (badge) } }
                p { label for="file" { "…or a badge file: choose it, or drop it on the box below" } br; input type="file" id="file" name="file" accept="image/png,image/svg+xml,application/json,.json,.jws,.jwt,.txt"; }
                p { button type="submit" { "Verify" } }
            }
            @match result {
                Some(Ok(report)) => { h2 #result { "Result" } (report_section(report)) }
                Some(Err(problem)) => { p.bad #problem { (problem) } }
                None => {}
            }
        },
    )
}

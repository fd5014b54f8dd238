//! Human pages (maud, auto-escaped). No scripts, no external resources.

use maud::{DOCTYPE, Markup, html};
use serde_json::Value;

use crate::records::{AchievementRecord, IssuerRecord};

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}\
h1{font-size:1.6rem}textarea{width:100%;min-height:10rem;font-family:monospace}\
input[type=url]{width:100%}.ok{color:#05640f}.bad{color:#a10000}.warn{color:#7a5200}\
li{margin:.2rem 0}code{word-break:break-all}";

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
    html! {
        @if report.valid {
            p.ok { strong { "This badge is valid." } }
        } @else if report.incomplete {
            p.warn { strong { "This badge could not be fully checked." } }
        } @else {
            p.bad { strong { "This badge is not valid." } }
        }
        @if let Some(v) = &report.open_badges_version { p { "Open Badges " (v) } }
        @if !report.messages.is_empty() {
            ul {
                @for m in &report.messages {
                    @let class = match m.level { obi_verify::Level::Error => "bad", obi_verify::Level::Warning => "warn", _ => "" };
                    li class=(class) { (m.level) ": " (m.result) }
                }
            }
        }
    }
}

fn text_at<'a>(doc: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut v = doc;
    for p in path {
        v = v.get(p)?;
    }
    v.as_str()
}

/// A hosted credential page: image, name, issuer, criteria, the verification result.
#[must_use]
pub fn credential(doc: &Value, revoked: bool, report: &obi_verify::Report) -> Markup {
    let name = text_at(doc, &["credentialSubject", "achievement", "name"])
        .or_else(|| text_at(doc, &["badge", "name"]))
        .or_else(|| text_at(doc, &["name"]))
        .unwrap_or("Badge");
    let issuer = text_at(doc, &["issuer", "name"])
        .or_else(|| text_at(doc, &["badge", "issuer", "name"]))
        .or_else(|| text_at(doc, &["issuer"]));
    let criteria = text_at(
        doc,
        &["credentialSubject", "achievement", "criteria", "narrative"],
    );
    let image = text_at(doc, &["credentialSubject", "achievement", "image", "id"])
        .or_else(|| text_at(doc, &["image"]));
    page(
        name,
        html! {
            @if let Some(src) = image { img src=(src) alt="" width="128" height="128"; }
            h1 { (name) }
            @if let Some(i) = issuer { p { "Issued by " (i) } }
            @if let Some(c) = criteria { h2 { "Criteria" } p { (c) } }
            @if revoked { p.bad { strong { "The issuer has revoked this badge." } } }
            h2 { "Verification" }
            (report_section(report))
        },
    )
}

/// The public verifier form, with a result or a problem when there is one.
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
            p { "Give the badge's URL, or paste the badge itself (JSON or a compact JWS). Open Badges 2.0 and 3.0 are checked." }
            form method="post" action="/verify" {
                p { label for="url" { "Badge URL" } br; input type="url" id="url" name="url" value=(url) placeholder="https://…"; }
                p { label for="badge" { "…or the badge itself" } br; textarea id="badge" name="badge" { (badge) } }
                p { button type="submit" { "Verify" } }
            }
            @match result {
                Some(Ok(report)) => { h2 { "Result" } (report_section(report)) }
                Some(Err(problem)) => { p.bad { (problem) } }
                None => {}
            }
        },
    )
}

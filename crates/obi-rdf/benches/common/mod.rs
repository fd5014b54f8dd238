//! Benchmark inputs shared by `canon.rs` and `canon_profile.rs`.

/// `count` quads of credential-shaped data: each credential is 10 quads with an IRI id, three
/// blank nodes (issuer, subject, achievement), IRIs and distinct literals.
pub fn credentials(count: usize) -> String {
    const RDF_TYPE: &str = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>";
    const NAME: &str = "<https://schema.org/name>";
    const CRED: &str = "https://www.w3.org/2018/credentials#";
    const OB: &str = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#";
    let mut lines = Vec::new();
    let mut i = 0;
    while lines.len() < count {
        let c = format!("<urn:uuid:credential-{i}>");
        lines.push(format!("{c} {RDF_TYPE} <{CRED}VerifiableCredential> ."));
        lines.push(format!("{c} {RDF_TYPE} <{OB}OpenBadgeCredential> ."));
        lines.push(format!("{c} {NAME} \"Badge number {i}\" ."));
        lines.push(format!("{c} <{CRED}issuer> _:issuer{i} ."));
        lines.push(format!("_:issuer{i} {NAME} \"Issuer {i}\" ."));
        lines.push(format!("{c} <{CRED}credentialSubject> _:subject{i} ."));
        lines.push(format!("_:subject{i} <{OB}achievement> _:achievement{i} ."));
        lines.push(format!("_:achievement{i} {NAME} \"Achievement {i}\" ."));
        lines.push(format!(
            "_:achievement{i} <{OB}criteria> \"Complete task {i}\" ."
        ));
        lines.push(format!(
            "{c} <{CRED}validFrom> \"2024-01-01T00:00:{:02}Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> .",
            i % 60
        ));
        i += 1;
    }
    lines.truncate(count);
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

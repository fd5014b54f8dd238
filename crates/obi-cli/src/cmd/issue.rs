//! `obi issue`: issuing from files: profiles, achievements, awards, bulk, revocation.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use obi_issue::{Award, BulkOptions, Format, InitOptions, Issuer, Recipient, write_atomic};
use serde_json::{Value, json};

/// Subcommands of `obi issue`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create an issuer directory: issuer.json, its private key (0600) and an example achievement.json.
    Init(InitArgs),
    /// Award one badge to one recipient (OB 3.0 eddsa-rdfc-2022 or VC-JWT, OB 2.0 signed or
    /// hosted), optionally baked.
    Award(AwardArgs),
    /// Award badges to every row of a CSV file, in parallel, resumable, with a manifest.
    Bulk(BulkArgs),
    /// Endorse an achievement, issuer or credential: a signed OB 3.0 EndorsementCredential.
    Endorse(EndorseArgs),
    /// Revoke an issued credential in the issuer's status list.
    Revoke(RevokeArgs),
    /// Write the current signed BitstringStatusListCredential (or 1EdTech revocation list).
    StatusList(StatusListArgs),
    /// Print the did:web document to publish at /.well-known/did.json.
    DidWeb(IssuerArg),
}

/// Arguments of `obi issue init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The issuer directory to create.
    pub dir: PathBuf,
    /// The issuer's name.
    #[arg(long)]
    pub name: String,
    /// The issuer's web site (http or https).
    #[arg(long)]
    pub url: String,
    /// Contact email.
    #[arg(long)]
    pub email: Option<String>,
    /// Image URL.
    #[arg(long)]
    pub image: Option<String>,
    /// Use did:web:DOMAIN as the issuer id (default: the key's did:key).
    #[arg(long = "did-web")]
    pub did_web: Option<String>,
    /// The URL the status list credential will be published at (default URL/status/revocation).
    #[arg(long = "status-url")]
    pub status_url: Option<String>,
    /// How credentials can be revoked: bitstring (W3C Bitstring Status List, default) or
    /// 1edtech (the 1EdTech Revocation List).
    #[arg(long, default_value = "bitstring")]
    pub status: String,
    /// The issuer's key type: ed25519 (default: ob3-eddsa and ob3-jwt, 2.0 signed assertions
    /// with a second key), p256 or rsa (ob3-jwt as ES256/RS256 and 2.0 signed assertions with
    /// the one key; not ob3-eddsa).
    #[arg(long = "key-type", default_value = "ed25519")]
    pub key_type: String,
    /// Replace an existing issuer (a new key and an empty state).
    #[arg(long)]
    pub force: bool,
}

/// `--issuer FILE`.
#[derive(Debug, clap::Args)]
pub struct IssuerArg {
    /// The issuer profile (DIR/issuer.json; the key and state are beside it).
    #[arg(long)]
    pub issuer: PathBuf,
}

/// Arguments of `obi issue award`.
#[derive(Debug, clap::Args)]
pub struct AwardArgs {
    /// The issuer profile (DIR/issuer.json).
    #[arg(long)]
    pub issuer: PathBuf,
    /// The achievement (JSON).
    #[arg(long)]
    pub achievement: PathBuf,
    /// The recipient: an email address (hashed with a random salt), a DID or a URL.
    #[arg(long)]
    pub recipient: String,
    /// The recipient's name.
    #[arg(long = "recipient-name")]
    pub recipient_name: Option<String>,
    /// An evidence URL (repeatable).
    #[arg(long)]
    pub evidence: Vec<String>,
    /// How the achievement was earned.
    #[arg(long)]
    pub narrative: Option<String>,
    /// Expiry: a date (end of that day, UTC) or an RFC 3339 time.
    #[arg(long = "valid-until")]
    pub valid_until: Option<String>,
    /// ob3-eddsa (default, eddsa-rdfc-2022), ob3-jwt, ob2-signed (JWS) or ob2-hosted.
    #[arg(long, default_value = "ob3-eddsa")]
    pub format: String,
    /// Credential ids under this URL (BASE/credentials/UUID) instead of urn:uuid; for the
    /// 2.0 formats (required), where the issuer, badge class, key and assertions are published.
    #[arg(long = "base-url")]
    pub base_url: Option<String>,
    /// ob2-signed by an ed25519 issuer: the type of the 2.0 signing key created on first use
    /// (rsa, default, or p256). A p256 or rsa issuer signs with its own key.
    #[arg(long = "ob2-key")]
    pub ob2_key: Option<String>,
    /// 2.0 formats: the directory to write the documents to publish under --base-url
    /// (default: OUT's directory/publish).
    #[arg(long)]
    pub publish: Option<PathBuf>,
    /// Keep the email address in clear.
    #[arg(long = "no-hash")]
    pub no_hash: bool,
    /// Bake into this PNG or SVG image; OUT is then the baked image.
    #[arg(long)]
    pub bake: Option<PathBuf>,
    /// The output file.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
}

/// Arguments of `obi issue bulk`.
#[derive(Debug, clap::Args)]
pub struct BulkArgs {
    /// The issuer profile (DIR/issuer.json).
    #[arg(long)]
    pub issuer: PathBuf,
    /// The default achievement (a row's `achievement` column names another file, relative to the CSV).
    #[arg(long)]
    pub achievement: PathBuf,
    /// RFC 4180 CSV with a header: recipient, name, optional evidence, narrative, achievement.
    #[arg(long)]
    pub csv: PathBuf,
    /// The output directory (one file per credential, manifest.jsonl).
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// Check every row first; sign nothing if any is bad.
    #[arg(long)]
    pub strict: bool,
    /// Also bake each credential into this PNG or SVG image.
    #[arg(long)]
    pub bake: Option<PathBuf>,
    /// Signing threads (default: the number of CPUs).
    #[arg(long, default_value_t = 0)]
    pub jobs: usize,
    /// ob3-eddsa (default), ob3-jwt, ob2-signed (one .jws per row) or ob2-hosted (one .json
    /// per row, also written under --publish).
    #[arg(long, default_value = "ob3-eddsa")]
    pub format: String,
    /// Credential ids under this URL instead of urn:uuid; for the 2.0 formats (required),
    /// where the issuer, badge classes, key, revocation list and assertions are published.
    #[arg(long = "base-url")]
    pub base_url: Option<String>,
    /// ob2-signed by an ed25519 issuer: the type of the 2.0 signing key created on first use
    /// (rsa, default, or p256). A p256 or rsa issuer signs with its own key.
    #[arg(long = "ob2-key")]
    pub ob2_key: Option<String>,
    /// 2.0 formats: the directory to write the documents to publish under --base-url
    /// (default: OUTPUT/publish).
    #[arg(long)]
    pub publish: Option<PathBuf>,
    /// Keep email addresses in clear.
    #[arg(long = "no-hash")]
    pub no_hash: bool,
    /// Expiry of every credential: a date (end of that day, UTC) or an RFC 3339 time.
    #[arg(long = "valid-until")]
    pub valid_until: Option<String>,
    /// Sync every file before reporting it (survives power loss; slower). Without it, what
    /// is reported survives a crash of obi, and a re-run after a power loss rewrites lost
    /// files with the same ids.
    #[arg(long)]
    pub fsync: bool,
}

/// Arguments of `obi issue endorse`.
#[derive(Debug, clap::Args)]
pub struct EndorseArgs {
    /// The issuer profile (DIR/issuer.json) of the endorser.
    #[arg(long)]
    pub issuer: PathBuf,
    /// What is endorsed: the id of an achievement, an issuer profile or a credential.
    #[arg(long)]
    pub subject: String,
    /// The endorsement's text.
    #[arg(long)]
    pub comment: String,
    /// ob3-eddsa (default), ob3-jwt or ob2-hosted (an Open Badges 2.0 Endorsement).
    #[arg(long, default_value = "ob3-eddsa")]
    pub format: String,
    /// Credential ids under this URL instead of urn:uuid (ob2-hosted: required, where the
    /// 2.0 documents are published).
    #[arg(long = "base-url")]
    pub base_url: Option<String>,
    /// ob2-hosted: the directory to write the documents to publish (default: OUT's
    /// directory/publish).
    #[arg(long)]
    pub publish: Option<PathBuf>,
    /// The output file.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
}

/// Arguments of `obi issue revoke`.
#[derive(Debug, clap::Args)]
pub struct RevokeArgs {
    /// The issuer profile (DIR/issuer.json).
    #[arg(long)]
    pub issuer: PathBuf,
    /// The credential id.
    #[arg(long)]
    pub id: String,
    /// Why (kept in the issuer state).
    #[arg(long)]
    pub reason: String,
    /// The directory of published Open Badges 2.0 documents: a hosted 2.0 assertion there is
    /// marked revoked and revocations.json is rewritten (republish both).
    #[arg(long)]
    pub publish: Option<PathBuf>,
}

/// Arguments of `obi issue status-list`.
#[derive(Debug, clap::Args)]
pub struct StatusListArgs {
    /// The issuer profile (DIR/issuer.json).
    #[arg(long)]
    pub issuer: PathBuf,
    /// Where to write the signed status list credential.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// Write the Open Badges 2.0 RevocationList instead (publish it at BASE/revocations.json).
    #[arg(long)]
    pub ob2: bool,
}

/// Runs `obi issue`.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Init(a) => init(&a),
        Command::Award(a) => award(&a),
        Command::Bulk(a) => bulk(&a),
        Command::Endorse(a) => endorse(&a),
        Command::Revoke(a) => revoke(&a),
        Command::StatusList(a) => status_list(&a),
        Command::DidWeb(a) => did_web(&a),
    }
}

fn open(path: &Path) -> anyhow::Result<Issuer> {
    Issuer::open(path).with_context(|| format!("opening the issuer {}", path.display()))
}

fn read_json(path: &Path) -> anyhow::Result<Value> {
    let bytes = super::read_input(path)?;
    serde_json::from_slice(&bytes).with_context(|| format!("{} is not JSON", path.display()))
}

fn print(value: &Value) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

fn init(a: &InitArgs) -> anyhow::Result<ExitCode> {
    let issuer = Issuer::init(
        &a.dir,
        &InitOptions {
            name: a.name.clone(),
            url: a.url.clone(),
            email: a.email.clone(),
            image: a.image.clone(),
            did_web: a.did_web.clone(),
            status_url: a.status_url.clone(),
            status_list_length: None,
            status_type: a.status.parse()?,
            key_type: parse_key_type("--key-type", &a.key_type)?,
            force: a.force,
        },
    )?;
    print(&json!({
        "issuer": issuer.id(),
        "profile": a.dir.join(obi_issue::ISSUER_FILE),
        "key": a.dir.join(obi_issue::KEY_FILE),
        "achievement": a.dir.join(obi_issue::ACHIEVEMENT_FILE),
        "keyType": a.key_type,
        "statusListCredential": issuer.status_url(),
    }))?;
    Ok(super::EXIT_OK)
}

fn parse_key_type(flag: &str, text: &str) -> anyhow::Result<obi_proof::KeyType> {
    match text {
        "ed25519" => Ok(obi_proof::KeyType::Ed25519),
        "p256" => Ok(obi_proof::KeyType::P256),
        "rsa" => Ok(obi_proof::KeyType::Rsa),
        other => bail!("{flag} {other:?}: ed25519, p256 or rsa"),
    }
}

/// The 2.0 key type `--ob2-key` asks for (default RSA); an error when the issuer signs with
/// its own key of another type.
fn ob2_key_type(issuer: &Issuer, flag: Option<&str>) -> anyhow::Result<obi_proof::KeyType> {
    let asked = match flag {
        None => None,
        Some("rsa") => Some(obi_proof::KeyType::Rsa),
        Some("p256") => Some(obi_proof::KeyType::P256),
        Some(other) => bail!("--ob2-key {other:?}: rsa or p256"),
    };
    if issuer.ob2_uses_own_key() {
        let own = issuer.key().key_type();
        if let Some(k) = asked
            && k != own
        {
            bail!(
                "--ob2-key {}: this issuer signs Open Badges 2.0 assertions with its own {} key",
                k.name(),
                own.name()
            );
        }
        return Ok(own);
    }
    Ok(asked.unwrap_or(obi_proof::KeyType::Rsa))
}

fn did_web(a: &IssuerArg) -> anyhow::Result<ExitCode> {
    let issuer = open(&a.issuer)?;
    if !issuer.id().starts_with("did:web:") {
        bail!(
            "the issuer is {}, not a did:web; re-create it with `obi issue init --did-web DOMAIN`",
            issuer.id()
        );
    }
    print(&issuer.did_document())?;
    Ok(super::EXIT_OK)
}

fn bake_image(path: &Path) -> anyhow::Result<(Vec<u8>, String)> {
    let bytes = super::read_input(path)?;
    let ext = match obi_bake::sniff(&bytes)
        .with_context(|| format!("{} is neither PNG nor SVG", path.display()))?
    {
        obi_bake::Format::Svg => "svg",
        _ => "png",
    };
    Ok((bytes, ext.into()))
}

fn award(a: &AwardArgs) -> anyhow::Result<ExitCode> {
    let format: Format = a.format.parse()?;
    let mut issuer = open(&a.issuer)?;
    let achievement = read_json(&a.achievement)?;
    let mut award = Award::new(Recipient::parse(&a.recipient)?);
    award.name = a.recipient_name.clone();
    award.hash_email = !a.no_hash;
    award.evidence = a.evidence.clone();
    award.narrative = a.narrative.clone();
    award.valid_until = a.valid_until.clone();
    let image = a.bake.as_deref().map(bake_image).transpose()?;
    if format.is_ob2() {
        let Some(base) = a.base_url.as_deref() else {
            bail!(
                "--format {} needs --base-url (where the 2.0 documents are published)",
                a.format
            );
        };
        let key = match format {
            Format::Ob2Signed => Some(ob2_key_type(&issuer, a.ob2_key.as_deref())?),
            _ => None,
        };
        let issued = issuer.award_ob2(&achievement, &award, base, key)?;
        let publish = a.publish.clone().unwrap_or_else(|| {
            a.output
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .join("publish")
        });
        obi_issue::write_published(&publish, &issued.publish)?;
        let bytes = match &image {
            Some((img, _)) => {
                let mut out = Vec::new();
                obi_bake::bake(img, &mut out, &issued.assertion.payload(), None)?;
                out
            }
            None => issued.assertion.to_file_bytes(),
        };
        write_atomic(&a.output, &bytes)?;
        print(&json!({
            "id": issued.id,
            "file": a.output,
            "publish": publish,
            "publishAt": base,
        }))?;
        return Ok(super::EXIT_OK);
    }
    let issued = issuer.award(&achievement, &award, format, a.base_url.as_deref())?;
    let bytes = match &image {
        Some((img, _)) => {
            let mut out = Vec::new();
            obi_bake::bake(img, &mut out, &issued.secured.payload(), None)?;
            out
        }
        None => issued.secured.to_file_bytes(),
    };
    write_atomic(&a.output, &bytes)?;
    print(&json!({
        "id": issued.id,
        "statusListIndex": issued.status_index,
        "file": a.output,
    }))?;
    Ok(super::EXIT_OK)
}

fn bulk(a: &BulkArgs) -> anyhow::Result<ExitCode> {
    let format: Format = a.format.parse()?;
    let mut issuer = open(&a.issuer)?;
    let achievement = read_json(&a.achievement)?;
    if format.is_ob2() && a.base_url.is_none() {
        bail!(
            "--format {} needs --base-url (where the 2.0 documents are published)",
            a.format
        );
    }
    let ob2_key = ob2_key_type(&issuer, a.ob2_key.as_deref())?;
    let publish = format.is_ob2().then(|| {
        a.publish
            .clone()
            .unwrap_or_else(|| a.output.join("publish"))
    });
    let options = BulkOptions {
        strict: a.strict,
        jobs: a.jobs,
        format,
        hash_email: !a.no_hash,
        valid_until: a.valid_until.clone(),
        base_url: a.base_url.clone(),
        publish: publish.clone(),
        ob2_key,
        bake: a.bake.as_deref().map(bake_image).transpose()?,
        base_dir: a
            .csv
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf(),
        fsync: a.fsync,
        ..BulkOptions::default()
    };
    let stdin = a.csv == Path::new("-");
    let bar = if std::io::stderr().is_terminal() && !stdin {
        indicatif::ProgressBar::new(count_lines(&a.csv)?.saturating_sub(1))
    } else {
        indicatif::ProgressBar::hidden()
    };
    let progress = |done: usize| bar.set_position(done as u64);
    let report = if stdin {
        // Standard input cannot be read twice (--strict): read it whole.
        let csv = super::read_input(&a.csv)?;
        obi_issue::bulk(
            &mut issuer,
            &achievement,
            &csv,
            &a.output,
            &options,
            &progress,
        )?
    } else {
        obi_issue::bulk_file(
            &mut issuer,
            &achievement,
            &a.csv,
            &a.output,
            &options,
            &progress,
        )?
    };
    bar.finish_and_clear();
    for e in &report.errors {
        eprintln!("{}: {e}", a.csv.display());
    }
    if a.strict && !report.errors.is_empty() {
        eprintln!(
            "obi: --strict: {} bad rows, nothing issued",
            report.errors.len()
        );
    }
    let mut summary = json!({
        "rows": report.rows,
        "issued": report.issued,
        "alreadyIssued": report.already_issued,
        "errors": report.errors.len(),
        "manifest": a.output.join("manifest.jsonl"),
    });
    if let (Some(m), Some(p), Some(b)) = (summary.as_object_mut(), &publish, &a.base_url) {
        m.insert("publish".into(), json!(p));
        m.insert("publishAt".into(), json!(b.trim_end_matches('/')));
    }
    print(&summary)?;
    Ok(if report.errors.is_empty() {
        super::EXIT_OK
    } else {
        super::EXIT_INVALID
    })
}

/// Newlines in `path`, read in blocks (an estimate of the rows for the progress bar).
fn count_lines(path: &Path) -> anyhow::Result<u64> {
    use std::io::Read as _;
    let mut f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let got = f
            .read(&mut buf)
            .with_context(|| format!("reading {}", path.display()))?;
        if got == 0 {
            return Ok(n);
        }
        n += buf
            .get(..got)
            .unwrap_or_default()
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
    }
}

fn endorse(a: &EndorseArgs) -> anyhow::Result<ExitCode> {
    if a.format == "ob2-hosted" {
        let Some(base) = a.base_url.as_deref() else {
            bail!("--format ob2-hosted needs --base-url (where the 2.0 documents are published)");
        };
        let mut issuer = open(&a.issuer)?;
        let issued = issuer.endorse_ob2(&a.subject, &a.comment, base)?;
        let publish = a.publish.clone().unwrap_or_else(|| {
            a.output
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .join("publish")
        });
        obi_issue::write_published(&publish, &issued.publish)?;
        write_atomic(&a.output, &issued.assertion.to_file_bytes())?;
        print(&json!({"id": issued.id, "file": a.output, "publish": publish}))?;
        return Ok(super::EXIT_OK);
    }
    let format: Format = a.format.parse()?;
    if format.is_ob2() {
        bail!(
            "--format {}: Open Badges 2.0 endorsements are ob2-hosted",
            a.format
        );
    }
    let mut issuer = open(&a.issuer)?;
    let issued = issuer.endorse(&a.subject, &a.comment, format, a.base_url.as_deref())?;
    write_atomic(&a.output, &issued.secured.to_file_bytes())?;
    print(&json!({
        "id": issued.id,
        "statusListIndex": issued.status_index,
        "file": a.output,
    }))?;
    Ok(super::EXIT_OK)
}

fn revoke(a: &RevokeArgs) -> anyhow::Result<ExitCode> {
    let issuer = open(&a.issuer)?;
    let rec = issuer.revoke(&a.id, &a.reason)?;
    let mut hosted = false;
    let mut ob2_list = None;
    if let (Some(dir), Some(base)) = (&a.publish, issuer.ob2_base_url()?) {
        hosted = obi_issue::mark_hosted_revoked(dir, &base, &rec.id, &a.reason)?;
        // Keep the published 2.0 RevocationList in step with the state.
        let mut bytes = serde_json::to_vec_pretty(&issuer.ob2_revocation_list()?)?;
        bytes.push(b'\n');
        let path = dir.join("revocations.json");
        write_atomic(&path, &bytes)?;
        ob2_list = Some(path);
    }
    print(&json!({
        "id": rec.id,
        "statusListIndex": rec.status_index,
        "revoked": rec.revoked_at,
        "reason": rec.reason,
        "hostedAssertionMarked": hosted,
        "ob2RevocationList": ob2_list,
        "next": "run `obi issue status-list` and publish the file",
    }))?;
    Ok(super::EXIT_OK)
}

fn status_list(a: &StatusListArgs) -> anyhow::Result<ExitCode> {
    let issuer = open(&a.issuer)?;
    let (bytes, publish_at) = if a.ob2 {
        let list = issuer.ob2_revocation_list()?;
        let mut bytes = serde_json::to_vec_pretty(&list)?;
        bytes.push(b'\n');
        (bytes, list["id"].as_str().unwrap_or_default().to_string())
    } else {
        // eddsa-rdfc-2022 JSON for Ed25519 issuers, a VC-JWT for P-256 and RSA issuers.
        (
            issuer.status_document_secured()?.to_file_bytes(),
            issuer.status_url().to_string(),
        )
    };
    write_atomic(&a.output, &bytes)?;
    print(&json!({
        "file": a.output,
        "publishAt": publish_at,
        "revoked": issuer.state().revoked()?.len(),
    }))?;
    Ok(super::EXIT_OK)
}

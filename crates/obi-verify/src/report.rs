//! The verification report, shaped like the 1EdTech Open Badges validator's output:
//! `{"report": {"valid", "errorCount", "warningCount", "messages", "openBadgesVersion"},
//! "graph": [...], "input": {...}}`.

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

/// How serious a [`Message`] is. Any [`Level::Error`] makes the report invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
#[non_exhaustive]
pub enum Level {
    /// The badge is not valid.
    Error,
    /// Something a relying party should know; the badge stays valid.
    Warning,
    /// Informational (e.g. a `refreshService` is offered).
    Info,
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Error => "ERROR",
            Self::Warning => "WARNING",
            Self::Info => "INFO",
        })
    }
}

/// One finding of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Message {
    /// How serious it is.
    #[serde(rename = "messageLevel")]
    pub level: Level,
    /// The check that fired, in `UPPER_SNAKE_CASE`, e.g. `VERIFY_SIGNATURE`.
    pub name: String,
    /// What was found, for a human.
    pub result: String,
    /// The `id` of the node (credential, assertion, badge class...) the finding is about.
    #[serde(rename = "node_id", default, skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
}

impl Message {
    /// A message without a node id.
    #[must_use]
    pub fn new(level: Level, name: impl Into<String>, result: impl Into<String>) -> Self {
        Self {
            level,
            name: name.into(),
            result: result.into(),
            node_id: None,
        }
    }

    /// The same message about the node `node_id`.
    #[must_use]
    pub fn with_node_id(mut self, node_id: impl Into<String>) -> Self {
        self.node_id = Some(node_id.into());
        self
    }
}

/// What was verified: where the input came from and in which form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InputInfo {
    /// The URL, file name or `-` the input came from, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The input form: `url`, `json`, `jws`, `png`, `svg`, `presentation`... (the
    /// 1EdTech validator calls this `input_type`).
    #[serde(
        rename = "input_type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub input_type: Option<String>,
    /// The URL a baked image or a hosted input pointed to, if it was fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_url: Option<String>,
}

/// The result of verifying one input.
///
/// `valid` is true when there is no [`Level::Error`] message; the counts and `valid` are kept
/// in step by the builder methods ([`Report::error`], [`Report::warning`], [`Report::info`],
/// [`Report::push`]), so push messages only through them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// No error was found.
    pub valid: bool,
    /// How many [`Level::Error`] messages there are.
    pub error_count: usize,
    /// How many [`Level::Warning`] messages there are.
    pub warning_count: usize,
    /// Every finding, in the order the checks ran.
    pub messages: Vec<Message>,
    /// The Open Badges version of the input, e.g. `"2.0"` or `"3.0"`, once detected.
    pub open_badges_version: Option<String>,
    /// The documents the verification looked at (assertion, badge class, issuer, credential...).
    pub graph: Vec<Value>,
    /// Where the input came from.
    pub input: InputInfo,
    /// Some check could not run (a document could not be fetched, an unknown JSON-LD context,
    /// an unsupported proof type or key): the ERROR saying so is among the messages. Not part
    /// of the 1EdTech JSON shape; the CLI exits 2 for such reports.
    pub incomplete: bool,
}

impl Default for Report {
    fn default() -> Self {
        Self::new()
    }
}

impl Report {
    /// An empty, valid report.
    #[must_use]
    pub fn new() -> Self {
        Self {
            valid: true,
            error_count: 0,
            warning_count: 0,
            messages: Vec::new(),
            open_badges_version: None,
            graph: Vec::new(),
            input: InputInfo::default(),
            incomplete: false,
        }
    }

    /// Adds a message and updates `valid` and the counts.
    pub fn push(&mut self, message: Message) {
        match message.level {
            Level::Error => {
                self.error_count += 1;
                self.valid = false;
            }
            Level::Warning => self.warning_count += 1,
            Level::Info => {}
        }
        self.messages.push(message);
    }

    /// Adds an [`Level::Error`] message from check `name`.
    pub fn error(&mut self, name: impl Into<String>, result: impl Into<String>) {
        self.push(Message::new(Level::Error, name, result));
    }

    /// Adds an ERROR from check `name` saying the check could not run, and marks the report
    /// [`Report::incomplete`].
    pub fn could_not_run(&mut self, name: impl Into<String>, result: impl Into<String>) {
        self.incomplete = true;
        self.error(name, result);
    }

    /// Adds a [`Level::Warning`] message from check `name`.
    pub fn warning(&mut self, name: impl Into<String>, result: impl Into<String>) {
        self.push(Message::new(Level::Warning, name, result));
    }

    /// Adds an [`Level::Info`] message from check `name`.
    pub fn info(&mut self, name: impl Into<String>, result: impl Into<String>) {
        self.push(Message::new(Level::Info, name, result));
    }

    /// Adds a message of `level` from check `name` about node `node_id`.
    pub fn node(
        &mut self,
        level: Level,
        name: impl Into<String>,
        node_id: Option<&str>,
        result: impl Into<String>,
    ) {
        let mut message = Message::new(level, name, result);
        message.node_id = node_id.map(str::to_owned);
        self.push(message);
    }

    /// Moves every message of `other` into this report, prefixing nothing; `valid` and the
    /// counts follow. Used for nested verifications (endorsements, presentation members).
    pub fn absorb_messages(&mut self, other: Report) {
        self.incomplete |= other.incomplete;
        for message in other.messages {
            self.push(message);
        }
    }

    /// The messages of check `name`.
    pub fn messages_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Message> + 'a {
        self.messages.iter().filter(move |m| m.name == name)
    }

    /// True when some message of `level` comes from check `name`.
    #[must_use]
    pub fn has(&self, level: Level, name: &str) -> bool {
        self.messages_named(name).any(|m| m.level == level)
    }

    /// The report as the 1EdTech-shaped JSON value.
    #[must_use]
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

struct Inner<'a>(&'a Report);

impl Serialize for Inner<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut s = serializer.serialize_struct("report", 5)?;
        s.serialize_field("valid", &r.valid)?;
        s.serialize_field("errorCount", &r.error_count)?;
        s.serialize_field("warningCount", &r.warning_count)?;
        s.serialize_field("messages", &r.messages)?;
        s.serialize_field("openBadgesVersion", &r.open_badges_version)?;
        s.end()
    }
}

impl Serialize for Report {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Report", 3)?;
        s.serialize_field("report", &Inner(self))?;
        s.serialize_field("graph", &self.graph)?;
        s.serialize_field("input", &self.input)?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_messages_and_json_has_the_validator_shape() {
        let mut r = Report::new();
        assert!(r.valid);
        r.warning("A", "w");
        assert!(r.valid);
        r.info("B", "i");
        r.node(Level::Error, "VERIFY_SIGNATURE", Some("urn:x"), "bad");
        assert!(!r.valid);
        assert_eq!((r.error_count, r.warning_count), (1, 1));
        r.open_badges_version = Some("3.0".into());
        let j = r.to_json();
        assert_eq!(j["report"]["valid"], false);
        assert_eq!(j["report"]["errorCount"], 1);
        assert_eq!(j["report"]["warningCount"], 1);
        assert_eq!(j["report"]["openBadgesVersion"], "3.0");
        assert_eq!(j["report"]["messages"][2]["messageLevel"], "ERROR");
        assert_eq!(j["report"]["messages"][2]["name"], "VERIFY_SIGNATURE");
        assert_eq!(j["report"]["messages"][2]["node_id"], "urn:x");
        assert!(j["report"]["messages"][0].get("node_id").is_none());
        assert!(j["graph"].is_array());
        assert!(j["input"].is_object());
        assert!(r.has(Level::Error, "VERIFY_SIGNATURE"));
        assert!(!r.has(Level::Warning, "VERIFY_SIGNATURE"));
    }
}

//! IRIs of the vocabularies RDF serializations refer to.

/// The RDF vocabulary (`http://www.w3.org/1999/02/22-rdf-syntax-ns#`).
pub mod rdf {
    /// The namespace.
    pub const NAMESPACE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    /// `rdf:type`.
    pub const TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
    /// `rdf:first`.
    pub const FIRST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first";
    /// `rdf:rest`.
    pub const REST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest";
    /// `rdf:nil`.
    pub const NIL: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil";
    /// `rdf:value`.
    pub const VALUE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#value";
    /// `rdf:language`.
    pub const LANGUAGE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#language";
    /// `rdf:direction`.
    pub const DIRECTION: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#direction";
    /// `rdf:langString`.
    pub const LANG_STRING: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";
    /// `rdf:JSON`.
    pub const JSON: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON";
}

/// XML Schema datatypes (`http://www.w3.org/2001/XMLSchema#`).
pub mod xsd {
    /// The namespace.
    pub const NAMESPACE: &str = "http://www.w3.org/2001/XMLSchema#";
    /// `xsd:string`.
    pub const STRING: &str = "http://www.w3.org/2001/XMLSchema#string";
    /// `xsd:boolean`.
    pub const BOOLEAN: &str = "http://www.w3.org/2001/XMLSchema#boolean";
    /// `xsd:integer`.
    pub const INTEGER: &str = "http://www.w3.org/2001/XMLSchema#integer";
    /// `xsd:double`.
    pub const DOUBLE: &str = "http://www.w3.org/2001/XMLSchema#double";
}

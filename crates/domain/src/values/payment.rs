use serde::{Deserialize, Serialize};

/// Normalised payment method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethodKind {
    Card,
    Boleto,
    Pix,
    Other,
}

impl PaymentMethodKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Card => "card",
            Self::Boleto => "boleto",
            Self::Pix => "pix",
            Self::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "card" => Some(Self::Card),
            "boleto" => Some(Self::Boleto),
            "pix" => Some(Self::Pix),
            "other" => Some(Self::Other),
            _ => None,
        }
    }
}

/// A payment method: the normalised kind next to the platform's raw value, which is
/// kept even when it maps to `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PaymentMethod {
    pub kind: PaymentMethodKind,
    pub raw: Option<String>,
}

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where a client or a transaction came from: a sales platform, manual entry by
/// the producer, the members app itself, or a file import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Hotmart,
    Kiwify,
    Eduzz,
    Monetizze,
    Braip,
    Ticto,
    Greenn,
    Kirvano,
    Perfectpay,
    Cakto,
    Hubla,
    Guru,
    Manual,
    App,
    Import,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown platform {0:?}")]
pub struct UnknownPlatform(pub String);

impl Platform {
    pub const ALL: [Self; 15] = [
        Self::Hotmart,
        Self::Kiwify,
        Self::Eduzz,
        Self::Monetizze,
        Self::Braip,
        Self::Ticto,
        Self::Greenn,
        Self::Kirvano,
        Self::Perfectpay,
        Self::Cakto,
        Self::Hubla,
        Self::Guru,
        Self::Manual,
        Self::App,
        Self::Import,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Hotmart => "hotmart",
            Self::Kiwify => "kiwify",
            Self::Eduzz => "eduzz",
            Self::Monetizze => "monetizze",
            Self::Braip => "braip",
            Self::Ticto => "ticto",
            Self::Greenn => "greenn",
            Self::Kirvano => "kirvano",
            Self::Perfectpay => "perfectpay",
            Self::Cakto => "cakto",
            Self::Hubla => "hubla",
            Self::Guru => "guru",
            Self::Manual => "manual",
            Self::App => "app",
            Self::Import => "import",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Platform {
    type Err = UnknownPlatform;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownPlatform(s.to_owned()))
    }
}

#[cfg(test)]
mod tests;

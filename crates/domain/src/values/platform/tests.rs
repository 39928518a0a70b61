use std::collections::HashSet;

use super::*;

#[test]
fn text_round_trip() {
    for platform in Platform::ALL {
        assert_eq!(platform.as_str().parse::<Platform>(), Ok(platform));
        assert_eq!(platform.to_string(), platform.as_str());
    }
}

#[test]
fn serde_matches_text_form() {
    for platform in Platform::ALL {
        let json = serde_json::to_string(&platform).expect("serializable");
        assert_eq!(json, format!("\"{}\"", platform.as_str()));
        let back: Platform = serde_json::from_str(&json).expect("known platform");
        assert_eq!(back, platform);
    }
}

#[test]
fn names_are_distinct() {
    let names: HashSet<&str> = Platform::ALL.iter().map(Platform::as_str).collect();
    assert_eq!(names.len(), Platform::ALL.len());
}

#[test]
fn unknown_name_is_rejected() {
    assert_eq!(
        "shopify".parse::<Platform>(),
        Err(UnknownPlatform("shopify".to_owned()))
    );
    assert!("Hotmart".parse::<Platform>().is_err());
}

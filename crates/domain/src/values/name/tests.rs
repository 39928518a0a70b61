use super::*;

#[test]
fn parse_trims_and_collapses_spaces() {
    let name = FullName::parse("  Ana   Maria \t Souza\n ").expect("valid name");
    assert_eq!(name.as_str(), "Ana Maria Souza");
}

#[test]
fn parse_stores_nfc() {
    let decomposed = FullName::parse("Jose\u{301}").expect("valid name");
    let composed = FullName::parse("José").expect("valid name");
    assert_eq!(decomposed, composed);
    assert_eq!(decomposed.as_str(), "Jos\u{e9}");
    assert_eq!(decomposed.as_str().chars().count(), 4);
}

#[test]
fn parse_accepts_emoji_apostrophes_and_hyphens() {
    for raw in [
        "Ana 🌸 Souza",
        "Joana D'Arc",
        "Maria-Clara O’Neil",
        "Zoë Ñúñez",
        "张伟",
    ] {
        let name = FullName::parse(raw).expect("valid name");
        assert_eq!(name.as_str(), raw);
    }
}

#[test]
fn parse_rejects_blank() {
    assert_eq!(FullName::parse(""), Err(FullNameError::Missing));
    assert_eq!(FullName::parse(" \t "), Err(FullNameError::Missing));
    assert_eq!(FullNameError::Missing.code(), "required");
}

#[test]
fn parse_rejects_control_characters() {
    assert_eq!(
        FullName::parse("Ana\u{0}Souza"),
        Err(FullNameError::ControlCharacter)
    );
    assert_eq!(
        FullName::parse("Ana\u{1b}[31mSouza"),
        Err(FullNameError::ControlCharacter)
    );
    assert_eq!(FullNameError::ControlCharacter.code(), "invalid_characters");
}

#[test]
fn parse_limit_counts_characters() {
    let at_limit = "é".repeat(NAME_MAX_CHARS);
    assert!(FullName::parse(&at_limit).is_ok());

    let over_limit = "é".repeat(NAME_MAX_CHARS + 1);
    assert_eq!(FullName::parse(&over_limit), Err(FullNameError::TooLong));
    assert_eq!(FullNameError::TooLong.code(), "too_long");
}

#[test]
fn parse_limit_applies_after_normalization() {
    // 200 characters once NFC joins each "e" with its accent, 400 before.
    let decomposed = "e\u{301}".repeat(NAME_MAX_CHARS);
    assert!(FullName::parse(&decomposed).is_ok());
}

#[test]
fn lenient_keeps_valid_name_unflagged() {
    let (name, altered) = FullName::parse_lenient("  Ana\tSouza ").expect("printable name");
    assert_eq!(name.as_str(), "Ana Souza");
    assert!(!altered);
}

#[test]
fn lenient_cuts_long_name_at_char_boundary() {
    let raw = format!("{}ção", "ã".repeat(NAME_MAX_CHARS));
    let (name, altered) = FullName::parse_lenient(&raw).expect("printable name");
    assert!(altered);
    assert_eq!(name.as_str().chars().count(), NAME_MAX_CHARS);
    assert_eq!(name.as_str(), "ã".repeat(NAME_MAX_CHARS));
}

#[test]
fn lenient_cuts_before_four_byte_chars() {
    let raw = format!("Ana {}", "🌸".repeat(NAME_MAX_CHARS));
    let (name, altered) = FullName::parse_lenient(&raw).expect("printable name");
    assert!(altered);
    assert_eq!(name.as_str().chars().count(), NAME_MAX_CHARS);
    assert!(name.as_str().ends_with('🌸'));
}

#[test]
fn lenient_trims_space_left_by_the_cut() {
    let raw = format!("{} Souza", "a".repeat(NAME_MAX_CHARS - 1));
    let (name, altered) = FullName::parse_lenient(&raw).expect("printable name");
    assert!(altered);
    assert_eq!(name.as_str(), "a".repeat(NAME_MAX_CHARS - 1));
}

#[test]
fn lenient_replaces_control_characters() {
    let (name, altered) = FullName::parse_lenient("Ana\u{0}Souza").expect("printable name");
    assert_eq!(name.as_str(), "Ana Souza");
    assert!(altered);
}

#[test]
fn lenient_returns_none_without_printable_text() {
    assert_eq!(FullName::parse_lenient(""), None);
    assert_eq!(FullName::parse_lenient(" \u{0}\u{7} "), None);
}

#[test]
fn lenient_result_parses_strictly() {
    let raw = format!("Ana\u{0}{}", "Souza ".repeat(60));
    let (name, _) = FullName::parse_lenient(&raw).expect("printable name");
    assert_eq!(FullName::parse(name.as_str()), Ok(name));
}

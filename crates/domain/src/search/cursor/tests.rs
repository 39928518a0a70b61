use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::*;

fn cursor(sort: ClientSort, key: &str) -> Cursor {
    Cursor {
        sort,
        key: key.to_owned(),
        id: ClientId::generate(),
    }
}

fn encode_text(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(text)
}

#[test]
fn round_trip_for_every_sort() {
    for original in [
        cursor(ClientSort::CreatedDesc, "2026-03-10T15:30:00.123456Z"),
        cursor(ClientSort::CreatedAsc, "2026-03-10T12:30:00-03:00"),
        cursor(ClientSort::NameAsc, "jose da silva"),
    ] {
        assert_eq!(Cursor::decode(&original.encode()), Some(original));
    }
}

#[test]
fn round_trip_keeps_separator_and_accents_in_key() {
    let original = cursor(ClientSort::NameAsc, "ana|maria ção 🌸");
    assert_eq!(Cursor::decode(&original.encode()), Some(original));
}

#[test]
fn encoded_form_is_url_safe() {
    let encoded = cursor(ClientSort::NameAsc, "??>>~~ ção").encode();
    assert!(
        encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{encoded}"
    );
}

#[test]
fn decode_rejects_garbage() {
    for encoded in ["", "!!!", "not base64 at all", "YQ="] {
        assert_eq!(Cursor::decode(encoded), None, "{encoded:?}");
    }
}

#[test]
fn decode_rejects_malformed_text() {
    let id = ClientId::generate();
    for text in [
        "created_desc".to_owned(),
        format!("created_desc|{id}"),
        format!("newest|{id}|2026-03-10T15:30:00Z"),
        "created_desc|not-a-uuid|2026-03-10T15:30:00Z".to_owned(),
        format!("created_desc|{id}|yesterday"),
    ] {
        assert_eq!(Cursor::decode(&encode_text(&text)), None, "{text}");
    }
}

#[test]
fn decode_rejects_invalid_utf8() {
    assert_eq!(
        Cursor::decode(&URL_SAFE_NO_PAD.encode([0xff, 0xfe, b'|'])),
        None
    );
}

#[test]
fn decode_rejects_over_long_input() {
    let original = cursor(ClientSort::NameAsc, &"a".repeat(MAX_ENCODED_CHARS));
    assert_eq!(Cursor::decode(&original.encode()), None);
}

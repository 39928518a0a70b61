//! Customer data from platform events, and its lenient normalisation: a sale is
//! recorded even when a phone, document or name is odd.

use serde::{Deserialize, Serialize};

use crate::values::{Checked, Document, Email, EmailError, FullName, Phone};

/// A phone number in the shape a platform sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceivedPhone {
    /// One field in any common format: `+5511987654321`, `(11) 98765-4321`.
    Whole(String),
    /// A prefix and a number in separate fields. The prefix is the area code (DDD),
    /// or the country code when `number` already starts with the DDD.
    Split { prefix: String, number: String },
}

/// Customer data exactly as a platform event carries it. Only the e-mail is
/// required. An empty or blank field is no data.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReceivedCustomer {
    pub email: String,
    pub name: Option<String>,
    pub phone: Option<ReceivedPhone>,
    pub document: Option<String>,
}

/// Customer data after normalisation. `None` means the event carried no value, so
/// the stored one is kept: an event never erases data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerData {
    pub email: Email,
    pub name: Option<FullName>,
    /// Whether the name was cut to the maximum length or had control characters
    /// removed.
    pub name_altered: bool,
    pub phone: Option<Checked<Phone>>,
    pub document: Option<Checked<Document>>,
}

/// A received value kept although it is odd, with the reason, for the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataIssue {
    /// `name`, `phone` or `document`.
    pub field: &'static str,
    /// Stable code: the validation error's code, or `altered` for a changed name.
    pub reason: String,
}

impl ReceivedCustomer {
    /// Normalises the data with the domain's value types, leniently: an invalid
    /// phone or document is kept as [`Checked::Unverified`] with the validation
    /// error's code, and an over-long name is cut at a character boundary and
    /// flagged. Fails only on a missing or invalid e-mail, because the e-mail is
    /// what identifies the client.
    pub fn normalize(&self) -> Result<CustomerData, EmailError> {
        let email = Email::parse(&self.email)?;

        let (name, name_altered) = match self.name.as_deref().and_then(FullName::parse_lenient) {
            Some((name, altered)) => (Some(name), altered),
            None => (None, false),
        };

        Ok(CustomerData {
            email,
            name,
            name_altered,
            phone: self.phone.as_ref().and_then(normalize_phone),
            document: self.document.as_deref().and_then(normalize_document),
        })
    }
}

fn normalize_phone(phone: &ReceivedPhone) -> Option<Checked<Phone>> {
    let (raw, parsed) = match phone {
        ReceivedPhone::Whole(value) => {
            if value.trim().is_empty() {
                return None;
            }
            (value.clone(), Phone::parse(value))
        }
        ReceivedPhone::Split { prefix, number } => {
            let (prefix, number) = (prefix.trim(), number.trim());
            if number.is_empty() {
                // A prefix alone is no phone number.
                return None;
            }
            if prefix.is_empty() {
                (number.to_owned(), Phone::parse(number))
            } else {
                (
                    format!("{prefix} {number}"),
                    Phone::from_parts(prefix, number),
                )
            }
        }
    };
    Some(match parsed {
        Ok(phone) => Checked::Valid(phone),
        Err(error) => Checked::Unverified {
            raw,
            reason: error.code().to_owned(),
        },
    })
}

fn normalize_document(raw: &str) -> Option<Checked<Document>> {
    if raw.trim().is_empty() {
        return None;
    }
    Some(match Document::parse(raw) {
        Ok(document) => Checked::Valid(document),
        Err(error) => Checked::Unverified {
            raw: raw.to_owned(),
            reason: error.code().to_owned(),
        },
    })
}

impl CustomerData {
    /// Returns the values kept although odd, so the caller can log why.
    pub fn issues(&self) -> Vec<DataIssue> {
        let mut issues = Vec::new();
        if self.name_altered {
            issues.push(DataIssue {
                field: "name",
                reason: "altered".to_owned(),
            });
        }
        if let Some(Checked::Unverified { reason, .. }) = &self.phone {
            issues.push(DataIssue {
                field: "phone",
                reason: reason.clone(),
            });
        }
        if let Some(Checked::Unverified { reason, .. }) = &self.document {
            issues.push(DataIssue {
                field: "document",
                reason: reason.clone(),
            });
        }
        issues
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::NAME_MAX_CHARS;

    fn customer() -> ReceivedCustomer {
        ReceivedCustomer {
            email: "  Ana.Souza@Example.COM ".to_owned(),
            name: Some("  Ana   Souza ".to_owned()),
            phone: Some(ReceivedPhone::Whole("+55 (11) 98765-4321".to_owned())),
            document: Some("529.982.247-25".to_owned()),
        }
    }

    fn unverified<T>(reason: &str, raw: &str) -> Option<Checked<T>> {
        Some(Checked::Unverified {
            raw: raw.to_owned(),
            reason: reason.to_owned(),
        })
    }

    #[test]
    fn normalize_valid_customer() {
        let data = customer().normalize().expect("valid e-mail");
        assert_eq!(data.email.as_str(), "ana.souza@example.com");
        assert_eq!(data.name.as_ref().map(FullName::as_str), Some("Ana Souza"));
        assert!(!data.name_altered);
        assert_eq!(
            data.phone,
            Some(Checked::Valid(
                Phone::parse("+5511987654321").expect("valid")
            ))
        );
        assert_eq!(
            data.document,
            Some(Checked::Valid(
                Document::parse("52998224725").expect("valid")
            ))
        );
        assert!(data.issues().is_empty());
    }

    #[test]
    fn normalize_rejects_bad_email() {
        let mut received = customer();
        received.email = "   ".to_owned();
        assert_eq!(received.normalize(), Err(EmailError::Missing));
        received.email = "not an address".to_owned();
        assert_eq!(received.normalize(), Err(EmailError::Invalid));
    }

    #[test]
    fn invalid_phone_kept_unverified() {
        let mut received = customer();
        received.phone = Some(ReceivedPhone::Whole("12345".to_owned()));
        let data = received.normalize().expect("valid e-mail");
        assert_eq!(data.phone, unverified("invalid_phone", "12345"));
        assert_eq!(
            data.issues(),
            vec![DataIssue {
                field: "phone",
                reason: "invalid_phone".to_owned()
            }]
        );

        received.phone = Some(ReceivedPhone::Whole("ramal 12".to_owned()));
        let data = received.normalize().expect("valid e-mail");
        assert_eq!(data.phone, unverified("invalid_characters", "ramal 12"));
    }

    #[test]
    fn split_phone_joins_prefix_and_number() {
        let expected = Some(Checked::Valid(
            Phone::parse("+5519987654321").expect("valid"),
        ));
        let mut received = customer();

        received.phone = Some(ReceivedPhone::Split {
            prefix: "19".to_owned(),
            number: "987654321".to_owned(),
        });
        assert_eq!(received.normalize().expect("valid").phone, expected);

        // Country code as prefix and the DDD inside the number.
        received.phone = Some(ReceivedPhone::Split {
            prefix: "55".to_owned(),
            number: "19987654321".to_owned(),
        });
        assert_eq!(received.normalize().expect("valid").phone, expected);

        received.phone = Some(ReceivedPhone::Split {
            prefix: " ".to_owned(),
            number: "(19) 98765-4321".to_owned(),
        });
        assert_eq!(received.normalize().expect("valid").phone, expected);
    }

    #[test]
    fn split_phone_invalid_keeps_both_parts() {
        let mut received = customer();
        received.phone = Some(ReceivedPhone::Split {
            prefix: "999999999".to_owned(),
            number: "99999999900".to_owned(),
        });
        let data = received.normalize().expect("valid e-mail");
        assert_eq!(
            data.phone,
            unverified("invalid_phone", "999999999 99999999900")
        );
    }

    #[test]
    fn empty_fields_are_no_data() {
        let received = ReceivedCustomer {
            email: "ana@example.com".to_owned(),
            name: Some("   ".to_owned()),
            phone: Some(ReceivedPhone::Split {
                prefix: "11".to_owned(),
                number: "".to_owned(),
            }),
            document: Some(" ".to_owned()),
        };
        let data = received.normalize().expect("valid e-mail");
        assert_eq!(data.name, None);
        assert!(!data.name_altered);
        assert_eq!(data.phone, None);
        assert_eq!(data.document, None);

        let mut received = received;
        received.phone = Some(ReceivedPhone::Whole(String::new()));
        assert_eq!(received.normalize().expect("valid").phone, None);

        let absent = ReceivedCustomer {
            email: "ana@example.com".to_owned(),
            ..ReceivedCustomer::default()
        };
        let data = absent.normalize().expect("valid e-mail");
        assert_eq!((data.name, data.phone, data.document), (None, None, None));
    }

    #[test]
    fn invalid_document_kept_unverified() {
        let cases = [
            ("52998224724", "invalid_check_digits"),
            ("111.111.111-11", "repeated_digits"),
            ("12345", "invalid_length"),
            ("AB-12#", "invalid_characters"),
        ];
        for (raw, reason) in cases {
            let mut received = customer();
            received.document = Some(raw.to_owned());
            let data = received.normalize().expect("valid e-mail");
            assert_eq!(data.document, unverified(reason, raw), "document {raw:?}");
            assert_eq!(data.issues().len(), 1, "document {raw:?}");
        }
    }

    #[test]
    fn overlong_name_cut_and_flagged() {
        let mut received = customer();
        received.name = Some("Á".repeat(NAME_MAX_CHARS + 50));
        let data = received.normalize().expect("valid e-mail");
        let name = data.name.as_ref().expect("name kept");
        assert_eq!(name.as_str().chars().count(), NAME_MAX_CHARS);
        assert!(data.name_altered);
        assert_eq!(
            data.issues(),
            vec![DataIssue {
                field: "name",
                reason: "altered".to_owned()
            }]
        );
    }

    #[test]
    fn name_control_characters_dropped_and_flagged() {
        let mut received = customer();
        received.name = Some("Ana\u{0}Souza".to_owned());
        let data = received.normalize().expect("valid e-mail");
        assert_eq!(data.name.as_ref().map(FullName::as_str), Some("Ana Souza"));
        assert!(data.name_altered);
    }
}

//! Parsing of Hotmart deliveries into sale events, one test per sample payload and
//! per event rule.

mod common;

use clientela_domain::sale::{
    CustomerData, IgnoreReason, SaleEvent, SubscriptionCancellation, SubscriptionChange,
    SubscriptionChangeKind, TransactionEvent,
};
use clientela_domain::values::{
    Checked, Currency, Document, Money, PaymentMethodKind, Phone, Platform, TransactionStatusKind,
};
use clientela_hotmart::HotmartAdapter;
use clientela_platform::PlatformAdapter;
use common::{fixture, fixture_json, parse_one, to_body, verified};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

fn transaction(event: SaleEvent) -> TransactionEvent {
    match event {
        SaleEvent::Transaction(transaction) => transaction,
        other => panic!("expected a transaction, got {other:?}"),
    }
}

fn ignore_reason(event: &SaleEvent) -> IgnoreReason {
    match event {
        SaleEvent::Ignored(ignored) => ignored.reason,
        other => panic!("expected an ignored event, got {other:?}"),
    }
}

fn valid_phone(e164: &str) -> Option<Checked<Phone>> {
    Some(Checked::Valid(Phone::parse(e164).expect("valid phone")))
}

fn valid_document(digits: &str) -> Option<Checked<Document>> {
    Some(Checked::Valid(
        Document::parse(digits).expect("valid document"),
    ))
}

fn assert_customer(
    customer: &CustomerData,
    email: &str,
    name: &str,
    phone: &str,
    document: Option<&str>,
) {
    assert_eq!(customer.email.as_str(), email);
    assert_eq!(customer.name.as_ref().map(|name| name.as_str()), Some(name));
    assert!(!customer.name_altered);
    assert_eq!(customer.phone, valid_phone(phone));
    assert_eq!(customer.document, document.and_then(valid_document));
    assert!(
        customer.issues().is_empty(),
        "issues: {:?}",
        customer.issues()
    );
}

fn assert_curso_horta(event: &TransactionEvent) {
    assert_eq!(event.products.len(), 1);
    assert_eq!(event.products[0].external_id, "4120377");
    assert_eq!(
        event.products[0].name.as_deref(),
        Some("Curso Horta em Apartamento")
    );
}

/// Parses a purchase fixture after replacing its event name.
fn with_event(name: &str, event: &str) -> SaleEvent {
    let mut json = fixture_json(name);
    json["event"] = event.into();
    parse_one(to_body(&json))
}

#[test]
fn purchase_approved_card() {
    let event = transaction(parse_one(fixture("purchase_approved_card.json")));
    assert_eq!(event.platform, Platform::Hotmart);
    assert_eq!(event.event_type, "PURCHASE_APPROVED");
    assert_eq!(event.external_id, "HP0900000101");
    assert_customer(
        &event.customer,
        "mariana.ribeiro@example.com",
        "Mariana Costa Ribeiro",
        "+5519900000011",
        Some("41830576208"),
    );
    assert_curso_horta(&event);
    assert_eq!(event.amount, Money::new(9700, Currency::BRL));
    assert_eq!(event.payment_method.kind, PaymentMethodKind::Card);
    assert_eq!(event.payment_method.raw.as_deref(), Some("CREDIT_CARD"));
    assert_eq!(event.status.kind, TransactionStatusKind::Paid);
    assert_eq!(event.status.raw.as_deref(), Some("APPROVED"));
    assert_eq!(event.occurred_at, datetime!(2025-07-08 16:00:00.123 UTC));
    assert_eq!(event.ordered_at, Some(datetime!(2025-07-08 15:59:51 UTC)));
    assert_eq!(event.subscription, None);
}

#[test]
fn purchase_billet_printed_boleto() {
    let event = transaction(parse_one(fixture("purchase_billet_printed_boleto.json")));
    assert_eq!(event.event_type, "PURCHASE_BILLET_PRINTED");
    assert_eq!(event.external_id, "HP0900000202");
    assert_customer(
        &event.customer,
        "rafael.lima@example.com",
        "Rafael Teixeira Lima",
        "+5521900000022",
        Some("90721435823"),
    );
    assert_curso_horta(&event);
    assert_eq!(event.amount, Money::brl(19_700));
    assert_eq!(event.payment_method.kind, PaymentMethodKind::Boleto);
    assert_eq!(event.payment_method.raw.as_deref(), Some("BILLET"));
    assert_eq!(event.status.kind, TransactionStatusKind::Pending);
    assert_eq!(event.status.raw.as_deref(), Some("BILLET_PRINTED"));
    assert_eq!(event.occurred_at, datetime!(2025-07-09 16:00:00.456 UTC));
    assert_eq!(event.ordered_at, Some(datetime!(2025-07-09 15:59:55 UTC)));
}

#[test]
fn purchase_billet_printed_pix() {
    let event = transaction(parse_one(fixture("purchase_billet_printed_pix.json")));
    assert_eq!(event.external_id, "HP0900000203");
    assert_eq!(event.customer.email.as_str(), "rafael.lima@example.com");
    assert_curso_horta(&event);
    assert_eq!(event.amount, Money::brl(19_700));
    assert_eq!(event.payment_method.kind, PaymentMethodKind::Pix);
    assert_eq!(event.payment_method.raw.as_deref(), Some("PIX"));
    assert_eq!(event.status.kind, TransactionStatusKind::Pending);
    assert_eq!(event.status.raw.as_deref(), Some("WAITING_PAYMENT"));
    assert_eq!(event.occurred_at, datetime!(2025-07-09 17:00:00.789 UTC));
}

#[test]
fn purchase_canceled() {
    let event = transaction(parse_one(fixture("purchase_canceled.json")));
    assert_eq!(event.event_type, "PURCHASE_CANCELED");
    assert_eq!(event.external_id, "HP0900000505");
    assert_customer(
        &event.customer,
        "lucia.ferraz@example.com",
        "Lúcia Ferraz Nogueira",
        "+5541900000055",
        Some("74510263961"),
    );
    assert_curso_horta(&event);
    assert_eq!(event.amount, Money::brl(6700));
    assert_eq!(event.payment_method.kind, PaymentMethodKind::Boleto);
    assert_eq!(event.status.kind, TransactionStatusKind::Cancelled);
    assert_eq!(event.status.raw.as_deref(), Some("CANCELED"));
    assert_eq!(event.occurred_at, datetime!(2025-07-13 16:00 UTC));
    assert_eq!(event.ordered_at, Some(datetime!(2025-07-09 15:46:40 UTC)));
}

#[test]
fn purchase_chargeback() {
    let event = transaction(parse_one(fixture("purchase_chargeback.json")));
    assert_eq!(event.external_id, "HP0900000404");
    assert_customer(
        &event.customer,
        "paulo.mendes@example.com",
        "Paulo Henrique Mendes",
        "+5531900000044",
        Some("26351894719"),
    );
    assert_curso_horta(&event);
    assert_eq!(event.amount, Money::brl(49_700));
    assert_eq!(event.payment_method.kind, PaymentMethodKind::Card);
    assert_eq!(event.status.kind, TransactionStatusKind::Chargeback);
    assert_eq!(event.status.raw.as_deref(), Some("CHARGEBACK"));
    assert_eq!(event.occurred_at, datetime!(2025-08-01 00:00 UTC));
    assert_eq!(event.ordered_at, Some(datetime!(2025-07-01 16:06:30 UTC)));
}

#[test]
fn purchase_refunded_matches_approved_transaction() {
    let refunded = transaction(parse_one(fixture("purchase_refunded.json")));
    let approved = transaction(parse_one(fixture("purchase_approved_card.json")));
    assert_eq!(refunded.external_id, approved.external_id);
    assert_eq!(refunded.external_id, "HP0900000101");
    assert_eq!(refunded.customer, approved.customer);
    assert_eq!(refunded.amount, Money::brl(9700));
    assert_eq!(refunded.status.kind, TransactionStatusKind::Refunded);
    assert_eq!(refunded.status.raw.as_deref(), Some("REFUNDED"));
    assert_eq!(refunded.occurred_at, datetime!(2025-07-15 16:00 UTC));
    assert!(refunded.occurred_at > approved.occurred_at);
}

#[test]
fn subscription_cancellation() {
    let event = parse_one(fixture("subscription_cancellation.json"));
    let SaleEvent::SubscriptionCancelled(SubscriptionCancellation {
        platform,
        event_type,
        subscription_id,
        customer,
        products,
        plan,
        cancelled_at,
        access_until,
    }) = event
    else {
        panic!("expected a cancellation, got {event:?}");
    };

    assert_eq!(platform, Platform::Hotmart);
    assert_eq!(event_type, "SUBSCRIPTION_CANCELLATION");
    assert_eq!(subscription_id, "QX7T2M9K");

    assert_customer(
        &customer,
        "mariana.ribeiro@example.com",
        "Mariana Costa Ribeiro",
        "+5519900000011",
        None,
    );

    assert_eq!(products.len(), 1);
    assert_eq!(products[0].external_id, "4120388");
    assert_eq!(products[0].name.as_deref(), Some("Clube da Horta Mensal"));

    let plan = plan.expect("plan");
    assert_eq!(plan.external_id.as_deref(), Some("880011"));
    assert_eq!(plan.name.as_deref(), Some("Plano Mensal"));
    assert_eq!(cancelled_at, Some(datetime!(2025-07-27 15:59:47 UTC)));
    assert_eq!(access_until, Some(datetime!(2025-08-04 00:00 UTC)));
}

#[test]
fn cancellation_landline_used_without_cell() {
    let mut json = fixture_json("subscription_cancellation.json");
    json["data"]["subscriber"]["phone"] =
        json!({"dddPhone": "11", "phone": "33334444", "dddCell": "", "cell": ""});
    let SaleEvent::SubscriptionCancelled(event) = parse_one(to_body(&json)) else {
        panic!("expected a cancellation");
    };
    assert_eq!(event.customer.phone, valid_phone("+551133334444"));
}

#[test]
fn cancellation_without_subscriber_code_fails() {
    let mut json = fixture_json("subscription_cancellation.json");
    json["data"]["subscriber"]["code"] = "".into();
    let error = HotmartAdapter
        .parse(&verified(to_body(&json)))
        .expect_err("no subscription id");
    assert_eq!(
        error.to_string(),
        "required field data.subscriber.code is missing"
    );
}

#[test]
fn legacy_postback_approved() {
    let event = transaction(parse_one(fixture("v1_postback_purchase_approved.txt")));
    assert_eq!(event.platform, Platform::Hotmart);
    assert_eq!(event.event_type, "approved");
    assert_eq!(event.external_id, "HP0900000808");
    assert_customer(
        &event.customer,
        "joao.esteves@example.com",
        "João Estêvão Pereira",
        "+5511900000088",
        Some("61487320507"),
    );
    assert_curso_horta(&event);
    assert_eq!(event.amount, Money::brl(9700));
    assert_eq!(event.payment_method.kind, PaymentMethodKind::Card);
    assert_eq!(event.payment_method.raw.as_deref(), Some("credit_card"));
    assert_eq!(event.status.kind, TransactionStatusKind::Paid);
    assert_eq!(event.status.raw.as_deref(), Some("approved"));
    assert_eq!(event.occurred_at, datetime!(2025-07-08 16:40:05 UTC));
    assert_eq!(event.ordered_at, Some(datetime!(2025-07-08 16:40:00 UTC)));
    assert_eq!(event.subscription, None);
}

fn postback_with(replace: &str, by: &str) -> Vec<u8> {
    let form = String::from_utf8(fixture("v1_postback_purchase_approved.txt")).expect("UTF-8");
    assert!(form.contains(replace), "fixture lacks {replace}");
    form.replace(replace, by).into_bytes()
}

#[test]
fn legacy_postback_statuses() {
    let cases = [
        ("completed", TransactionStatusKind::Paid),
        ("billet_printed", TransactionStatusKind::Pending),
        ("delayed", TransactionStatusKind::Overdue),
        ("expired", TransactionStatusKind::Expired),
        ("canceled", TransactionStatusKind::Cancelled),
        ("dispute", TransactionStatusKind::Disputed),
        ("refunded", TransactionStatusKind::Refunded),
        ("chargeback", TransactionStatusKind::Chargeback),
    ];
    for (status, kind) in cases {
        let body = postback_with("status=approved", &format!("status={status}"));
        let event = transaction(parse_one(body));
        assert_eq!(event.status.kind, kind, "status {status}");
        assert_eq!(event.status.raw.as_deref(), Some(status));
    }
}

#[test]
fn legacy_postback_unknown_status_unrecognized() {
    let event = parse_one(postback_with("status=approved", "status=teleported"));
    let SaleEvent::Unrecognized(unrecognized) = event else {
        panic!("expected unrecognized, got {event:?}");
    };
    assert_eq!(unrecognized.event_type, "teleported");
}

#[test]
fn legacy_postback_subscription_and_amount() {
    let body = postback_with(
        "&price=97.00",
        "&price=1500.00&subscriber_code=AB12CD34&name_subscription_plan=Plano+Anual",
    );
    let event = transaction(parse_one(body));
    assert_eq!(event.amount, Money::brl(150_000));
    let subscription = event.subscription.expect("subscription");
    assert_eq!(subscription.external_id, "AB12CD34");
    assert_eq!(
        subscription.plan.and_then(|plan| plan.name).as_deref(),
        Some("Plano Anual")
    );
}

#[test]
fn legacy_postback_bad_price_fails() {
    let error = HotmartAdapter
        .parse(&verified(postback_with("&price=97.00", "&price=97.005")))
        .expect_err("three decimals");
    assert_eq!(error.code(), "invalid_field");
    assert!(
        error.to_string().starts_with("field price is invalid"),
        "{error}"
    );
}

#[test]
fn legacy_postback_test_send_ignored() {
    let body = postback_with(
        "email=joao.esteves%40example.com",
        "email=testeComprador271101postman15%40example.com",
    );
    assert_eq!(ignore_reason(&parse_one(body)), IgnoreReason::TestDelivery);
}

#[test]
fn event_names_drive_status() {
    let cases = [
        ("PURCHASE_APPROVED", TransactionStatusKind::Paid),
        ("PURCHASE_COMPLETE", TransactionStatusKind::Paid),
        ("PURCHASE_BILLET_PRINTED", TransactionStatusKind::Pending),
        ("PURCHASE_DELAYED", TransactionStatusKind::Overdue),
        ("PURCHASE_EXPIRED", TransactionStatusKind::Expired),
        ("PURCHASE_CANCELED", TransactionStatusKind::Cancelled),
        ("PURCHASE_PROTEST", TransactionStatusKind::Disputed),
        ("PURCHASE_REFUNDED", TransactionStatusKind::Refunded),
        ("PURCHASE_CHARGEBACK", TransactionStatusKind::Chargeback),
    ];
    for (name, kind) in cases {
        // The raw status stays APPROVED: the event name decides.
        let event = transaction(with_event("purchase_approved_card.json", name));
        assert_eq!(event.status.kind, kind, "event {name}");
        assert_eq!(
            event.status.raw.as_deref(),
            Some("APPROVED"),
            "event {name}"
        );
        assert_eq!(event.event_type, name);
    }
}

#[test]
fn partial_refund_keeps_finer_status() {
    let mut json = fixture_json("purchase_refunded.json");
    json["data"]["purchase"]["status"] = "PARTIALLY_REFUNDED".into();
    let event = transaction(parse_one(to_body(&json)));
    assert_eq!(event.status.kind, TransactionStatusKind::PartiallyRefunded);
    assert_eq!(event.status.raw.as_deref(), Some("PARTIALLY_REFUNDED"));
}

#[test]
fn non_sale_events_ignored() {
    let cases = [
        ("PURCHASE_OUT_OF_SHOPPING_CART", IgnoreReason::AbandonedCart),
        ("CLUB_FIRST_ACCESS", IgnoreReason::MembersAreaActivity),
        ("CLUB_MODULE_COMPLETED", IgnoreReason::MembersAreaActivity),
        ("ORDER_FULFILLMENT", IgnoreReason::Fulfillment),
    ];
    for (name, reason) in cases {
        let event = with_event("purchase_approved_card.json", name);
        assert_eq!(ignore_reason(&event), reason, "event {name}");
        assert_eq!(event.event_type(), name);
    }
}

#[test]
fn unknown_event_unrecognized() {
    let event = with_event("purchase_approved_card.json", "PURCHASE_TELEPORTED");
    let SaleEvent::Unrecognized(unrecognized) = &event else {
        panic!("expected unrecognized, got {event:?}");
    };
    assert_eq!(unrecognized.platform, Platform::Hotmart);
    assert_eq!(unrecognized.event_type, "PURCHASE_TELEPORTED");

    let mut json = fixture_json("purchase_approved_card.json");
    json.as_object_mut().expect("object").remove("event");
    assert_eq!(parse_one(to_body(&json)).kind(), "unrecognized");
}

#[test]
fn test_sends_ignored() {
    let mut by_email = fixture_json("purchase_approved_card.json");
    by_email["data"]["buyer"]["email"] = "testeComprador271101postman15@example.com".into();
    let mut by_transaction = fixture_json("purchase_approved_card.json");
    by_transaction["data"]["purchase"]["transaction"] = "HP16015479281022".into();
    let mut by_product = fixture_json("purchase_approved_card.json");
    by_product["data"]["product"]["id"] = 0.into();
    let mut by_product_text = fixture_json("purchase_chargeback.json");
    by_product_text["data"]["product"]["id"] = "00000".into();
    let mut cancellation = fixture_json("subscription_cancellation.json");
    cancellation["data"]["subscriber"]["email"] =
        "testeComprador271101postman15@example.com".into();

    for json in [
        by_email,
        by_transaction,
        by_product,
        by_product_text,
        cancellation,
    ] {
        assert_eq!(
            ignore_reason(&parse_one(to_body(&json))),
            IgnoreReason::TestDelivery
        );
    }
}

#[test]
fn camel_case_creation_date_accepted() {
    let mut json = fixture_json("purchase_approved_card.json");
    let object = json.as_object_mut().expect("object");
    let created = object.remove("creation_date").expect("creation_date");
    object.insert("creationDate".to_owned(), created);
    let event = transaction(parse_one(to_body(&json)));
    assert_eq!(event.occurred_at, datetime!(2025-07-08 16:00:00.123 UTC));
}

#[test]
fn missing_creation_date_falls_back_to_purchase_dates() {
    let mut json = fixture_json("purchase_approved_card.json");
    json.as_object_mut()
        .expect("object")
        .remove("creation_date");
    let event = transaction(parse_one(to_body(&json)));
    assert_eq!(event.occurred_at, datetime!(2025-07-08 15:59:58 UTC));
}

/// Replaces the purchase price's JSON text, keeping it exactly as written.
fn with_price_text(price: &str) -> Vec<u8> {
    let text = String::from_utf8(fixture("purchase_approved_card.json")).expect("UTF-8");
    let old = "\"price\": {\n        \"value\": 97.0,";
    assert!(text.contains(old), "fixture layout changed");
    text.replace(old, &format!("\"price\": {{\n        \"value\": {price},"))
        .into_bytes()
}

#[test]
fn decimal_prices_parsed_exactly() {
    let cases = [
        ("64.9", 6490),
        ("1500", 150_000),
        ("0", 0),
        ("49.90", 4990),
        ("0.07", 7),
        ("\"1.234,56\"", 123_456),
    ];
    for (price, cents) in cases {
        let event = transaction(parse_one(with_price_text(price)));
        assert_eq!(event.amount.cents, cents, "price {price}");
    }
}

#[test]
fn unusable_price_fails() {
    for price in ["64.901", "null", "\"abc\"", "1e2"] {
        let result = HotmartAdapter.parse(&verified(with_price_text(price)));
        let error = result.expect_err(price);
        assert!(
            error.to_string().contains("data.purchase.price.value"),
            "price {price}: {error}"
        );
    }
}

#[test]
fn foreign_currency_kept() {
    let mut json = fixture_json("purchase_approved_card.json");
    json["data"]["purchase"]["price"]["currency_value"] = "usd".into();
    let event = transaction(parse_one(to_body(&json)));
    assert_eq!(event.amount.currency.as_str(), "USD");
}

#[test]
fn other_payment_type_kept_raw() {
    let mut json = fixture_json("purchase_approved_card.json");
    json["data"]["purchase"]["payment"]["type"] = "PAYPAL".into();
    let event = transaction(parse_one(to_body(&json)));
    assert_eq!(event.payment_method.kind, PaymentMethodKind::Other);
    assert_eq!(event.payment_method.raw.as_deref(), Some("PAYPAL"));
}

#[test]
fn odd_contact_data_kept_unverified() {
    let mut json = fixture_json("purchase_approved_card.json");
    // The dummy phone of Hotmart's test sends and a CPF with a wrong check digit.
    json["data"]["buyer"]["checkout_phone_code"] = "999999999".into();
    json["data"]["buyer"]["checkout_phone"] = "99999999900".into();
    json["data"]["buyer"]["document"] = "41830576209".into();
    json["data"]["buyer"]["name"] = "N".repeat(300).into();
    let event = transaction(parse_one(to_body(&json)));

    assert_eq!(
        event.customer.phone,
        Some(Checked::Unverified {
            raw: "999999999 99999999900".to_owned(),
            reason: "invalid_phone".to_owned(),
        })
    );
    assert_eq!(
        event.customer.document,
        Some(Checked::Unverified {
            raw: "41830576209".to_owned(),
            reason: "invalid_check_digits".to_owned(),
        })
    );
    assert!(event.customer.name_altered);
    assert_eq!(event.customer.issues().len(), 3);
    assert_eq!(event.external_id, "HP0900000101");
}

#[test]
fn absent_contact_data_is_no_data() {
    let mut json = fixture_json("purchase_approved_card.json");
    let buyer = json["data"]["buyer"].as_object_mut().expect("buyer");
    buyer.remove("checkout_phone");
    buyer.remove("checkout_phone_code");
    buyer.insert("document".to_owned(), "".into());
    buyer.insert("name".to_owned(), Value::Null);
    let event = transaction(parse_one(to_body(&json)));
    assert_eq!(event.customer.phone, None);
    assert_eq!(event.customer.document, None);
    // The name falls back to first and last name.
    assert_eq!(
        event.customer.name.as_ref().map(|name| name.as_str()),
        Some("Mariana Costa Ribeiro")
    );
}

#[test]
fn bad_email_fails_without_echoing_it() {
    let mut json = fixture_json("purchase_approved_card.json");
    json["data"]["buyer"]["email"] = "mariana at example".into();
    let error = HotmartAdapter
        .parse(&verified(to_body(&json)))
        .expect_err("invalid e-mail");
    assert_eq!(error.code(), "invalid_field");
    let message = error.to_string();
    assert!(message.contains("data.buyer.email"), "{message}");
    assert!(!message.contains("mariana"), "{message}");

    json["data"]["buyer"]["email"] = "".into();
    let error = HotmartAdapter
        .parse(&verified(to_body(&json)))
        .expect_err("missing e-mail");
    assert_eq!(
        error.to_string(),
        "required field data.buyer.email is missing"
    );
}

#[test]
fn missing_transaction_fails() {
    let mut json = fixture_json("purchase_approved_card.json");
    json["data"]["purchase"]["transaction"] = Value::Null;
    let error = HotmartAdapter
        .parse(&verified(to_body(&json)))
        .expect_err("no transaction");
    assert_eq!(
        error.to_string(),
        "required field data.purchase.transaction is missing"
    );
}

#[test]
fn malformed_json_fails() {
    let error = HotmartAdapter
        .parse(&verified("{\"event\": \"PURCHASE_APPROVED\", "))
        .expect_err("truncated");
    assert_eq!(error.code(), "invalid_body");

    let mut json = fixture_json("purchase_approved_card.json");
    json["data"]["buyer"]["email"] = json!(["mariana.ribeiro@example.com"]);
    let error = HotmartAdapter
        .parse(&verified(to_body(&json)))
        .expect_err("wrong type");
    assert!(!error.to_string().contains("mariana"), "{error}");
}

#[test]
fn recurring_purchase_carries_subscription() {
    let mut json = fixture_json("purchase_approved_card.json");
    json["data"]["subscription"] = json!({
        "status": "ACTIVE",
        "plan": {"id": 880011, "name": "Plano Mensal"},
        "subscriber": {"code": "QX7T2M9K"}
    });
    json["data"]["purchase"]["recurrence_number"] = 3.into();
    json["data"]["purchase"]["date_next_charge"] = 1_754_265_600_000_i64.into();
    let event = transaction(parse_one(to_body(&json)));
    let subscription = event.subscription.expect("subscription");
    assert_eq!(subscription.external_id, "QX7T2M9K");
    assert_eq!(subscription.recurrence, Some(3));
    assert_eq!(
        subscription.next_charge_at,
        Some(datetime!(2025-08-04 00:00 UTC))
    );
    assert_eq!(subscription.access_until, None);
    let plan = subscription.plan.expect("plan");
    assert_eq!(plan.external_id.as_deref(), Some("880011"));
    assert_eq!(plan.name.as_deref(), Some("Plano Mensal"));
}

#[test]
fn empty_subscriber_code_is_no_subscription() {
    let mut json = fixture_json("purchase_approved_card.json");
    json["data"]["subscription"] = json!({"subscriber": {"code": ""}});
    assert_eq!(transaction(parse_one(to_body(&json))).subscription, None);
}

fn subscription_change(event: SaleEvent) -> SubscriptionChange {
    match event {
        SaleEvent::SubscriptionChanged(change) => change,
        other => panic!("expected a subscription change, got {other:?}"),
    }
}

#[test]
fn switch_plan_changes_plan() {
    let body = json!({
        "id": "7a0d1c2e-0000-4000-8000-000000000001",
        "creation_date": 1_753_632_000_000_i64,
        "event": "SWITCH_PLAN",
        "version": "2.0.0",
        "data": {
            "switch_plan_date": 1_753_631_000_000_i64,
            "subscription": {
                "subscriber_code": "QX7T2M9K",
                "status": "ACTIVE",
                "product": {"id": 4120388, "name": "Clube da Horta Mensal"},
                "user": {"email": "Mariana.Ribeiro@example.com"}
            },
            "plans": [
                {"id": 880011, "name": "Plano Mensal", "current": false},
                {"id": 880012, "name": "Plano Anual", "current": true}
            ]
        }
    });
    let change = subscription_change(parse_one(to_body(&body)));
    assert_eq!(change.event_type, "SWITCH_PLAN");
    assert_eq!(change.subscription_id, "QX7T2M9K");
    assert_eq!(
        change
            .customer
            .map(|customer| customer.email.to_string())
            .as_deref(),
        Some("mariana.ribeiro@example.com")
    );
    assert_eq!(change.products[0].external_id, "4120388");
    let SubscriptionChangeKind::PlanSwitch { plan } = change.change else {
        panic!("expected a plan switch");
    };
    let plan = plan.expect("current plan");
    assert_eq!(plan.external_id.as_deref(), Some("880012"));
    assert_eq!(plan.name.as_deref(), Some("Plano Anual"));
    assert_eq!(
        change.occurred_at,
        OffsetDateTime::from_unix_timestamp(1_753_631_000).expect("valid")
    );
}

#[test]
fn charge_date_update_changes_next_charge() {
    let body = json!({
        "id": "7a0d1c2e-0000-4000-8000-000000000002",
        "creation_date": 1_753_632_000_000_i64,
        "event": "UPDATE_SUBSCRIPTION_CHARGE_DATE",
        "version": "2.0.0",
        "data": {
            "subscriber": {"code": "QX7T2M9K", "email": "mariana.ribeiro@example.com", "name": "Mariana Costa Ribeiro"},
            "subscription": {"old_charge_day": 4, "new_charge_day": 10, "date_next_charge": 1_754_784_000_000_i64},
            "plan": {"id": 880011, "name": "Plano Mensal"}
        }
    });
    let change = subscription_change(parse_one(to_body(&body)));
    assert_eq!(change.subscription_id, "QX7T2M9K");
    assert_eq!(change.occurred_at, datetime!(2025-07-27 16:00 UTC));
    assert!(change.products.is_empty());
    assert_eq!(
        change.change,
        SubscriptionChangeKind::ChargeDateChange {
            charge_day: Some(10),
            next_charge_at: Some(datetime!(2025-08-10 00:00 UTC)),
        }
    );
    let customer = change.customer.expect("subscriber");
    assert_eq!(customer.email.as_str(), "mariana.ribeiro@example.com");

    let mut bad_day = body.clone();
    bad_day["data"]["subscription"]["new_charge_day"] = 32.into();
    let error = HotmartAdapter
        .parse(&verified(to_body(&bad_day)))
        .expect_err("day 32");
    assert!(error.to_string().contains("new_charge_day"), "{error}");
}

#[test]
fn dedupe_key_is_envelope_id() {
    let key = HotmartAdapter
        .dedupe_key(&verified(fixture("purchase_approved_card.json")))
        .expect("key");
    assert_eq!(key, "0b8f6a52-3c1d-4e7a-9f20-6d5e1a2b3c01");

    let refund_key = HotmartAdapter
        .dedupe_key(&verified(fixture("purchase_refunded.json")))
        .expect("key");
    assert_ne!(key, refund_key);
}

#[test]
fn dedupe_key_without_id_uses_transaction() {
    let mut json = fixture_json("purchase_refunded.json");
    json.as_object_mut().expect("object").remove("id");
    let key = HotmartAdapter
        .dedupe_key(&verified(to_body(&json)))
        .expect("key");
    assert_eq!(key, "HP0900000101:PURCHASE_REFUNDED:REFUNDED");

    let mut json = fixture_json("subscription_cancellation.json");
    json.as_object_mut().expect("object").remove("id");
    let key = HotmartAdapter
        .dedupe_key(&verified(to_body(&json)))
        .expect("key");
    assert_eq!(key, "QX7T2M9K:SUBSCRIPTION_CANCELLATION:");

    let error = HotmartAdapter
        .dedupe_key(&verified(r#"{"event":"PURCHASE_APPROVED"}"#))
        .expect_err("nothing to key on");
    assert_eq!(error.to_string(), "required field id is missing");
}

#[test]
fn dedupe_key_of_legacy_postback() {
    let key = HotmartAdapter
        .dedupe_key(&verified(fixture("v1_postback_purchase_approved.txt")))
        .expect("key");
    assert_eq!(key, "HP0900000808:postback:approved");
    let refunded = HotmartAdapter
        .dedupe_key(&verified(postback_with(
            "status=approved",
            "status=refunded",
        )))
        .expect("key");
    assert_eq!(refunded, "HP0900000808:postback:refunded");
}

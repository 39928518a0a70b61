//! Deterministic generators of realistic Brazilian clients, products and sales.
//!
//! Every row is a pure function of the seed and its index, so a client's id can be
//! recomputed when a transaction points at it, and two runs with the same seed
//! produce the same data set.

use clientela_domain::search::fold_for_search;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::names::{AREA_CODES, EMAIL_DOMAINS, FIRST_NAMES, PRODUCT_NAMES, SURNAMES};

/// How far back the oldest client was created.
pub const HISTORY: Duration = Duration::days(3 * 365);

/// The phone of the client at index `clients / 2`, which the phone searches of the
/// benchmark look for in several formats.
pub const PLANTED_PHONE: &str = "+5511987654321";

/// One client in every this many has a chargeback.
pub const CHARGEBACK_EVERY: u64 = 211;

/// Percentages of clients with a phone, a CPF and a last access.
pub const PHONE_PERCENT: u64 = 82;
pub const DOCUMENT_PERCENT: u64 = 88;
pub const ACCESSED_PERCENT: u64 = 70;

/// Percentage of non-chargeback sales that were refunded.
pub const REFUNDED_PERCENT: u64 = 6;

/// Origin platforms with their weights in percent.
const ORIGIN_PLATFORMS: &[(&str, u32)] = &[
    ("hotmart", 38),
    ("kiwify", 24),
    ("eduzz", 9),
    ("monetizze", 5),
    ("braip", 3),
    ("ticto", 3),
    ("greenn", 2),
    ("kirvano", 2),
    ("perfectpay", 2),
    ("cakto", 3),
    ("hubla", 1),
    ("guru", 1),
    ("manual", 4),
    ("app", 2),
    ("import", 1),
];

/// SplitMix64: a small, fast generator whose output is fixed by its seed forever,
/// unlike the generators behind `rand::rngs::StdRng`, which may change between
/// rand versions.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Creates the generator of one row, so that rows can be made in any order.
    pub fn for_row(seed: u64, stream: u64, index: u64) -> Self {
        let mut mixer = Self(seed ^ stream.rotate_left(32));
        mixer.0 ^= index;
        let start = mixer.next_u64();
        Self(start)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Returns a value in `0..bound` (`bound` must not be zero).
    pub fn below(&mut self, bound: u64) -> u64 {
        // The multiply-shift method; its bias is below 2^-32 for bounds used here.
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }

    /// Returns true with the given probability in percent.
    pub fn percent(&mut self, chance: u64) -> bool {
        self.below(100) < chance
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Picks an item of a list ordered from most to least common, with the weight of
    /// the item at rank r proportional to 1 / (r + 4), a flattened Zipf law.
    pub fn pick_by_rank<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        // Drawing r = (n + 4) ^ u * 4 ^ (1 - u) - 4 for a uniform u gives exactly
        // that density on the continuous range, which is close enough for names.
        let n = items.len() as f64;
        let u = self.next_u64() as f64 / u64::MAX as f64;
        let rank = ((n + 4.0).powf(u) * 4.0f64.powf(1.0 - u) - 4.0).floor() as usize;
        &items[rank.min(items.len() - 1)]
    }

    pub fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for chunk in out.chunks_mut(8) {
            let value = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&value[..chunk.len()]);
        }
        out
    }
}

/// Stream identifiers, so that clients and sales with the same index differ.
const CLIENT_STREAM: u64 = 1;
const SALE_STREAM: u64 = 2;

/// A generated client, with the values as the database stores them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRow {
    pub index: u64,
    pub id: Uuid,
    pub name: String,
    pub email: String,
    /// E.164, such as `+5511987654321`.
    pub phone: Option<String>,
    /// An 11-digit CPF with valid check digits.
    pub document: Option<String>,
    pub active: bool,
    pub origin_platform: &'static str,
    pub created_at: OffsetDateTime,
    pub last_access_at: Option<OffsetDateTime>,
    pub has_chargeback: bool,
}

/// The settings shared by every generated row.
#[derive(Debug, Clone, Copy)]
pub struct Dataset {
    pub seed: u64,
    pub clients: u64,
    /// The instant the newest client is just before.
    pub now: OffsetDateTime,
}

impl Dataset {
    /// Generates client number `index` (0-based). Clients are created in index
    /// order, evenly spread over [`HISTORY`] up to one hour before `now`.
    pub fn client(&self, index: u64) -> ClientRow {
        let mut rng = SplitMix64::for_row(self.seed, CLIENT_STREAM, index);
        let created_at = self.created_at(index, &mut rng);
        let id = uuid_v7_at(created_at, &mut rng);

        let first = *rng.pick_by_rank(FIRST_NAMES);
        let surnames = pick_surnames(&mut rng);
        let name = format!("{first} {}", surnames.join(" "));
        let email = email_for(
            first,
            surnames.last().copied().unwrap_or(first),
            index,
            &mut rng,
        );

        let mut phone = rng
            .percent(PHONE_PERCENT)
            .then(|| brazilian_phone(&mut rng));
        if index == self.planted_phone_client() {
            phone = Some(PLANTED_PHONE.to_owned());
        }
        let document = rng.percent(DOCUMENT_PERCENT).then(|| cpf_for_index(index));
        let last_access_at = rng.percent(ACCESSED_PERCENT).then(|| {
            let since_creation = (self.now - created_at).whole_seconds().max(1);
            created_at + Duration::seconds(rng.below(since_creation as u64) as i64)
        });

        ClientRow {
            index,
            id,
            name,
            email,
            phone,
            document,
            active: !rng.percent(4),
            origin_platform: pick_weighted(&mut rng, ORIGIN_PLATFORMS),
            created_at,
            last_access_at,
            has_chargeback: index % CHARGEBACK_EVERY == CHARGEBACK_EVERY - 1,
        }
    }

    /// Index of the client whose phone is [`PLANTED_PHONE`].
    pub fn planted_phone_client(&self) -> u64 {
        self.clients / 2
    }

    fn created_at(&self, index: u64, rng: &mut SplitMix64) -> OffsetDateTime {
        let span = (HISTORY - Duration::hours(1)).whole_milliseconds() as u64;
        let oldest = self.now - HISTORY;
        let step = span / self.clients.max(1);
        // Jitter inside the row's own slot keeps creation times in index order.
        let offset = index * step + rng.below(step.max(1));
        oldest + Duration::milliseconds(offset as i64)
    }

    /// Indices of the clients that have a chargeback, in increasing order.
    #[cfg(test)]
    pub fn chargeback_clients(&self) -> impl Iterator<Item = u64> + '_ {
        (CHARGEBACK_EVERY - 1..self.clients).step_by(CHARGEBACK_EVERY as usize)
    }
}

/// Picks one to three surnames; about a third of clients carry a particle such as
/// "da" or "de" before a surname.
fn pick_surnames(rng: &mut SplitMix64) -> Vec<&'static str> {
    let count = match rng.below(10) {
        0..=2 => 1,
        3..=8 => 2,
        _ => 3,
    };
    let mut surnames: Vec<&'static str> = Vec::with_capacity(count);
    while surnames.len() < count {
        let surname = *rng.pick_by_rank(SURNAMES);
        if !surnames.contains(&surname) {
            surnames.push(surname);
        }
    }
    surnames
}

/// Builds a unique e-mail address from the name. The client index, written in one
/// of several styles, keeps it unique within the app.
fn email_for(first: &str, last: &str, index: u64, rng: &mut SplitMix64) -> String {
    let first = email_word(first.split([' ', '-']).next().unwrap_or(first));
    let last = email_word(last.rsplit(' ').next().unwrap_or(last));
    let domain = rng.pick_by_rank(EMAIL_DOMAINS);
    let local = match rng.below(5) {
        0 => format!("{first}.{last}{index}"),
        1 => format!("{first}{last}{index}"),
        2 => format!("{first}_{index}"),
        3 => format!("{}{last}.{index}", &first[..1]),
        _ => format!("{last}.{first}{}", index + 1970),
    };
    format!("{local}@{domain}")
}

/// Folds a name word into the characters usual in an e-mail's local part.
fn email_word(word: &str) -> String {
    let folded: String = fold_for_search(word)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    if folded.is_empty() {
        "cliente".to_owned()
    } else {
        folded
    }
}

/// Returns a Brazilian number in E.164: a mobile (nine digits starting with 9) for
/// about 85% of clients, otherwise a landline (eight digits starting with 2 to 5).
pub fn brazilian_phone(rng: &mut SplitMix64) -> String {
    let area = rng.pick(AREA_CODES);
    if rng.percent(85) {
        format!("+55{area}9{:08}", rng.below(100_000_000))
    } else {
        format!("+55{area}{}{:07}", 2 + rng.below(4), rng.below(10_000_000))
    }
}

/// Returns the CPF of a client index: its first nine digits are a permutation of
/// the index, so every client's CPF differs, followed by the two check digits.
pub fn cpf_for_index(index: u64) -> String {
    // Multiplying by a number coprime with 10^9 permutes 0..10^9.
    const MULTIPLIER: u64 = 387_420_489; // 3^18
    let base = (index.wrapping_mul(MULTIPLIER).wrapping_add(123_456_789)) % 1_000_000_000;
    let mut digits: Vec<u8> = format!("{base:09}").bytes().map(|b| b - b'0').collect();
    let first = cpf_check_digit(&digits);
    digits.push(first);
    let second = cpf_check_digit(&digits);
    digits.push(second);
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

/// Computes the CPF check digit that follows `digits` (9 or 10 digits long).
pub fn cpf_check_digit(digits: &[u8]) -> u8 {
    let weight_start = digits.len() as u32 + 1;
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, d)| u32::from(*d) * (weight_start - i as u32))
        .sum();
    match (sum * 10) % 11 {
        10 => 0,
        digit => digit as u8,
    }
}

/// Formats an 11-digit CPF with its mask, `123.456.789-09`.
pub fn masked_cpf(cpf: &str) -> String {
    format!("{}.{}.{}-{}", &cpf[..3], &cpf[3..6], &cpf[6..9], &cpf[9..])
}

fn pick_weighted(rng: &mut SplitMix64, items: &[(&'static str, u32)]) -> &'static str {
    let total: u32 = items.iter().map(|(_, weight)| weight).sum();
    let mut roll = rng.below(u64::from(total)) as u32;
    for (item, weight) in items {
        if roll < *weight {
            return item;
        }
        roll -= weight;
    }
    items[items.len() - 1].0
}

/// Builds a UUIDv7 whose timestamp is `at`, so ids sort like creation times.
fn uuid_v7_at(at: OffsetDateTime, rng: &mut SplitMix64) -> Uuid {
    let millis = (at.unix_timestamp_nanos() / 1_000_000) as u64;
    uuid::Builder::from_unix_timestamp_millis(millis, &rng.bytes::<10>()).into_uuid()
}

/// A generated product of the seeded app's catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductRow {
    pub id: Uuid,
    pub name: &'static str,
    pub created_at: OffsetDateTime,
}

/// Generates the catalogue, every product created before the oldest client.
pub fn products(dataset: &Dataset) -> Vec<ProductRow> {
    let created_at = dataset.now - HISTORY - Duration::days(30);
    let mut rng = SplitMix64::new(dataset.seed ^ 0x5052_4f44);
    PRODUCT_NAMES
        .iter()
        .map(|name| ProductRow {
            id: uuid_v7_at(created_at, &mut rng),
            name,
            created_at,
        })
        .collect()
}

/// A generated sale: one transaction and the grant it caused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleRow {
    pub transaction_id: Uuid,
    pub grant_id: Uuid,
    pub client_id: Uuid,
    pub product_index: usize,
    pub platform: &'static str,
    /// The platform's transaction id, unique per platform.
    pub external_id: String,
    pub amount_cents: i64,
    pub payment_method: &'static str,
    /// `paid`, `refunded` or `chargeback`.
    pub status: &'static str,
    pub occurred_at: OffsetDateTime,
    /// When the grant was revoked, for refunded and chargeback sales.
    pub revoked_at: Option<OffsetDateTime>,
}

impl SaleRow {
    pub fn revoke_reason(&self) -> Option<&'static str> {
        match self.status {
            "refunded" => Some("refund"),
            "chargeback" => Some("chargeback"),
            _ => None,
        }
    }
}

impl Dataset {
    /// Generates sale number `index` (0-based) of `count`. The first sales are the
    /// chargebacks of the clients flagged with one; the rest go to random clients
    /// and are paid (about 94%) or refunded.
    pub fn sale(&self, index: u64, product_count: usize) -> SaleRow {
        let mut rng = SplitMix64::for_row(self.seed, SALE_STREAM, index);
        let chargeback_client = index
            .checked_mul(CHARGEBACK_EVERY)
            .map(|i| i + CHARGEBACK_EVERY - 1)
            .filter(|i| *i < self.clients);
        let (client_index, status) = match chargeback_client {
            Some(client_index) => (client_index, "chargeback"),
            None => {
                let status = if rng.percent(REFUNDED_PERCENT) {
                    "refunded"
                } else {
                    "paid"
                };
                (rng.below(self.clients), status)
            }
        };
        let client = self.client(client_index);
        let platform = match client.origin_platform {
            "manual" | "app" | "import" => "hotmart",
            platform => platform,
        };

        let since_creation = (self.now - client.created_at).whole_seconds().max(1) as u64;
        let occurred_at = client.created_at + Duration::seconds(rng.below(since_creation) as i64);
        let revoked_at = (status != "paid").then(|| occurred_at + Duration::days(3));

        SaleRow {
            transaction_id: uuid_v7_at(occurred_at, &mut rng),
            grant_id: uuid_v7_at(occurred_at, &mut rng),
            client_id: client.id,
            product_index: rng.below(product_count as u64) as usize,
            platform,
            external_id: external_transaction_id(platform, index, &mut rng),
            amount_cents: [4_700, 9_700, 19_700, 29_700, 49_700, 99_700][rng.below(6) as usize],
            payment_method: ["card", "card", "card", "pix", "pix", "boleto"][rng.below(6) as usize],
            status,
            occurred_at,
            revoked_at,
        }
    }
}

/// Builds a transaction id in the style of each platform; the sale index keeps it
/// unique.
pub fn external_transaction_id(platform: &str, index: u64, rng: &mut SplitMix64) -> String {
    match platform {
        "hotmart" => format!("HP{:011}", 10_000_000_000 + index),
        "kiwify" => format!("{:08x}-{:04x}", rng.next_u64() as u32, index),
        "eduzz" => format!("{}", 50_000_000 + index),
        _ => format!("{}-{:09}", &platform[..3].to_uppercase(), index),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use clientela_domain::values::{Document, Email, Phone};
    use time::macros::datetime;

    fn dataset(clients: u64) -> Dataset {
        Dataset {
            seed: 42,
            clients,
            now: datetime!(2026-06-01 12:00 UTC),
        }
    }

    #[test]
    fn cpf_check_digits_of_known_cpf() {
        let digits = [0, 3, 1, 4, 5, 8, 7, 6, 2];
        assert_eq!(cpf_check_digit(&digits), 4);
        assert_eq!(cpf_check_digit(&[0, 3, 1, 4, 5, 8, 7, 6, 2, 4]), 4);
    }

    #[test]
    fn generated_cpfs_pass_domain_validation() {
        for index in (0..200_000).step_by(997) {
            let cpf = cpf_for_index(index);
            assert_eq!(cpf.len(), 11, "{cpf}");
            assert!(
                Document::parse(&cpf).is_ok(),
                "CPF {cpf} of index {index} is invalid"
            );
            assert!(Document::parse(&masked_cpf(&cpf)).is_ok(), "masked {cpf}");
        }
    }

    #[test]
    fn generated_cpfs_are_unique() {
        let cpfs: HashSet<String> = (0..100_000).map(cpf_for_index).collect();
        assert_eq!(cpfs.len(), 100_000);
    }

    #[test]
    fn generated_phones_pass_domain_validation() {
        let mut rng = SplitMix64::new(7);
        for _ in 0..2_000 {
            let phone = brazilian_phone(&mut rng);
            assert!(phone.starts_with("+55"), "{phone}");
            assert!(
                matches!(phone.len(), 13 | 14),
                "{phone} has neither a landline's nor a mobile's length"
            );
            assert!(Phone::parse(&phone).is_ok(), "phone {phone} is invalid");
        }
    }

    #[test]
    fn planted_phone_belongs_to_middle_client() {
        let data = dataset(1_000);
        assert_eq!(data.client(500).phone.as_deref(), Some(PLANTED_PHONE));
    }

    #[test]
    fn client_generation_is_deterministic() {
        let data = dataset(1_000);
        assert_eq!(data.client(123), data.client(123));
        assert_ne!(data.client(123).id, data.client(124).id);
    }

    #[test]
    fn clients_have_unique_emails_and_ids() {
        let data = dataset(20_000);
        let clients: Vec<ClientRow> = (0..20_000).map(|i| data.client(i)).collect();
        let emails: HashSet<&str> = clients.iter().map(|c| c.email.as_str()).collect();
        let ids: HashSet<Uuid> = clients.iter().map(|c| c.id).collect();
        assert_eq!(emails.len(), clients.len());
        assert_eq!(ids.len(), clients.len());
    }

    #[test]
    fn emails_are_lower_case_ascii() {
        let data = dataset(5_000);
        for client in (0..5_000).map(|i| data.client(i)) {
            let email = &client.email;
            assert!(email.is_ascii(), "{email}");
            assert_eq!(email, &email.to_lowercase());
            assert_eq!(email.matches('@').count(), 1, "{email}");
            assert!(Email::parse(email).is_ok(), "e-mail {email} is invalid");
        }
    }

    #[test]
    fn creation_times_follow_index_within_history() {
        let data = dataset(10_000);
        let clients: Vec<ClientRow> = (0..10_000).map(|i| data.client(i)).collect();
        assert!(
            clients
                .windows(2)
                .all(|w| w[0].created_at <= w[1].created_at)
        );
        assert!(clients[0].created_at >= data.now - HISTORY);
        assert!(clients[9_999].created_at < data.now);
        assert!(clients[9_999].created_at > data.now - Duration::days(2));
    }

    #[test]
    fn ids_sort_like_creation_times() {
        let data = dataset(5_000);
        let ids: Vec<Uuid> = (0..5_000).map(|i| data.client(i).id).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(ids[0].get_version_num(), 7);
    }

    #[test]
    fn last_access_follows_creation() {
        let data = dataset(10_000);
        let clients: Vec<ClientRow> = (0..10_000).map(|i| data.client(i)).collect();
        let with_access = clients
            .iter()
            .filter(|c| c.last_access_at.is_some())
            .count();
        assert!(
            (6_500..7_500).contains(&with_access),
            "{with_access} of 10000 accessed"
        );
        for client in &clients {
            if let Some(at) = client.last_access_at {
                assert!(at >= client.created_at && at <= data.now, "{client:?}");
            }
        }
    }

    #[test]
    fn names_include_accents_apostrophes_and_compounds() {
        let data = dataset(50_000);
        let names: Vec<String> = (0..50_000).map(|i| data.client(i).name).collect();
        assert!(names.iter().any(|n| n.contains("José")));
        assert!(names.iter().any(|n| n.contains("Conceição")));
        assert!(names.iter().any(|n| n.contains("D'Ávila")));
        assert!(names.iter().any(|n| n.starts_with("Maria Eduarda ")));
        assert!(names.iter().all(|n| n.split(' ').count() >= 2));
        let silva = names.iter().filter(|n| n.contains("Silva")).count();
        let figueiredo = names.iter().filter(|n| n.contains("Figueirêdo")).count();
        assert!(
            silva > 5 * figueiredo,
            "Silva {silva}, Figueirêdo {figueiredo}"
        );
    }

    #[test]
    fn origin_platforms_are_mixed() {
        let data = dataset(10_000);
        let platforms: HashSet<&str> = (0..10_000)
            .map(|i| data.client(i).origin_platform)
            .collect();
        assert!(platforms.len() >= 12, "{platforms:?}");
    }

    #[test]
    fn chargeback_sales_match_flagged_clients() {
        let data = dataset(10_000);
        let flagged: Vec<u64> = data.chargeback_clients().collect();
        assert!(!flagged.is_empty());
        for (sale_index, client_index) in flagged.iter().enumerate() {
            let sale = data.sale(sale_index as u64, PRODUCT_NAMES.len());
            let client = data.client(*client_index);
            assert!(client.has_chargeback);
            assert_eq!(sale.client_id, client.id);
            assert_eq!(sale.status, "chargeback");
            assert_eq!(sale.revoke_reason(), Some("chargeback"));
        }
        let later = data.sale(flagged.len() as u64 + 10, PRODUCT_NAMES.len());
        assert_ne!(later.status, "chargeback");
    }

    #[test]
    fn sale_external_ids_are_unique() {
        let data = dataset(10_000);
        let ids: HashSet<(String, &str)> = (0..5_000)
            .map(|i| {
                let sale = data.sale(i, PRODUCT_NAMES.len());
                (sale.external_id, sale.platform)
            })
            .collect();
        assert_eq!(ids.len(), 5_000);
    }

    #[test]
    fn sales_happen_after_client_creation() {
        let data = dataset(10_000);
        for index in 0..500 {
            let sale = data.sale(index, PRODUCT_NAMES.len());
            assert!(sale.occurred_at < data.now, "{sale:?}");
            assert!(sale.product_index < PRODUCT_NAMES.len());
        }
    }

    #[test]
    fn rank_pick_favours_first_items() {
        let mut rng = SplitMix64::new(1);
        let items: Vec<usize> = (0..50).collect();
        let mut counts = [0u32; 50];
        for _ in 0..100_000 {
            counts[*rng.pick_by_rank(&items)] += 1;
        }
        assert!(counts[0] > counts[10]);
        assert!(counts[10] > counts[49]);
        assert!(counts[49] > 0);
    }
}

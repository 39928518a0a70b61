-- Extensions and types shared by the later migrations.

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;

-- Folds text for search the way `clientela_domain::search::fold_for_search` does:
-- apostrophes (' ’ ‘ ` ´) removed, accents removed, lower case. The dictionary is
-- named explicitly and the body is bound at creation time, so the function does
-- not depend on search_path and can be IMMUTABLE, as a generated column needs.
-- Lower-casing uses the ICU root collation so that it covers every script whatever
-- the database's LC_CTYPE.
-- NOTE: unaccent also transliterates letters that have no canonical decomposition
-- (ß → ss, ø → o, ł → l, æ → ae), which the domain's folding keeps unchanged, so a
-- name containing one of them is found only by its other words.
CREATE FUNCTION clientela_fold(input text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN lower(
        public.unaccent('public.unaccent'::regdictionary, translate(input, '''’‘`´', ''))
        COLLATE "und-x-icu"
    );

-- Origins of clients and transactions; must list every `Platform` of the domain.
CREATE DOMAIN clientela_platform AS text
    CONSTRAINT clientela_platform_known CHECK (VALUE IN (
        'hotmart', 'kiwify', 'eduzz', 'monetizze', 'braip', 'ticto', 'greenn', 'kirvano',
        'perfectpay', 'cakto', 'hubla', 'guru', 'manual', 'app', 'import'
    ));

-- Normalised transaction statuses; must list every `TransactionStatusKind`.
CREATE DOMAIN clientela_transaction_status AS text
    CONSTRAINT clientela_transaction_status_known CHECK (VALUE IN (
        'pending', 'overdue', 'expired', 'cancelled', 'paid', 'disputed',
        'partially_refunded', 'refunded', 'chargeback'
    ));

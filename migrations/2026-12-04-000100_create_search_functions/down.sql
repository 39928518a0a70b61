DROP DOMAIN clientela_transaction_status;
DROP DOMAIN clientela_platform;
DROP FUNCTION clientela_fold(text);
DROP EXTENSION IF EXISTS unaccent;
DROP EXTENSION IF EXISTS pg_trgm;

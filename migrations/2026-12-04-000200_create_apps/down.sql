DROP TABLE platform_credentials;
DROP TABLE api_keys;
DROP TABLE apps;

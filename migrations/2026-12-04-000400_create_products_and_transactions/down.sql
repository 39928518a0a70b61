DROP TABLE transaction_status_history;
DROP TABLE transactions;
DROP TABLE platform_products;
DROP TABLE products;

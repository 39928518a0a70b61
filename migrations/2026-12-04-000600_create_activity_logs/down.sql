DROP TABLE audit_log;
DROP TABLE notifications;
DROP TABLE access_log;

ALTER TABLE apps
    DROP COLUMN mail_from,
    DROP COLUMN members_url;

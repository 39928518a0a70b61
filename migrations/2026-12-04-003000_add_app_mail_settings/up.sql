-- Per-app e-mail settings, set with `clientela apps configure`. The domain
-- validates both; these checks keep out what no e-mail could use.

ALTER TABLE apps
    -- Base URL of the app's members area, which e-mail links point to. NULL:
    -- links point to Clientela's own pages. An absolute http or https URL
    -- without a user name, password or fragment.
    ADD COLUMN members_url text
        CONSTRAINT apps_members_url_format CHECK (
            members_url ~ '^https?://[^\s/?#@]+([/?][^\s#]*)?$'
            AND char_length(members_url) <= 2048
        ),
    -- Sender address of the app's e-mails. NULL: the service's default sender
    -- (CLIENTELA_MAIL_FROM).
    ADD COLUMN mail_from text
        CONSTRAINT apps_mail_from_format CHECK (
            mail_from ~ '^[^\s@<>]+@[^\s@<>]+$'
            AND char_length(mail_from) <= 254
        );

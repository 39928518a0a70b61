-- Wakes the outbox workers, which LISTEN on the channel `clientela_outbox`, when
-- a transaction that queued notifications commits. PostgreSQL delivers a
-- NOTIFY only on commit and folds repeats within one transaction into one, so
-- a worker is woken once per committed transaction and never for a rolled-back
-- one. Workers also poll, so a lost signal only delays a send.

CREATE FUNCTION notifications_wake_outbox_workers() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('clientela_outbox', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER notifications_wake_outbox_workers
    AFTER INSERT ON notifications
    FOR EACH STATEMENT
    EXECUTE FUNCTION notifications_wake_outbox_workers();

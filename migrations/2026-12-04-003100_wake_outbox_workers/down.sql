DROP TRIGGER notifications_wake_outbox_workers ON notifications;
DROP FUNCTION notifications_wake_outbox_workers();

-- Webhook outbox: one row per event and endpoint, written in the transaction of the change the
-- event reports. A `jobs` row (`webhook_delivery`, key = this id) schedules its delivery, with
-- the runner's claims, retries and backoff; the row goes when the event is delivered or given up.
-- body: the exact JSON sent (the signature covers these bytes). event_id: shared by the rows of
-- one event, so receivers can de-duplicate. Times are epoch ms.
CREATE TABLE webhook_deliveries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id   TEXT    NOT NULL,
    url        TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);

-- Crawl workers sharing one frontier, archive catalog and parse queue.
-- (Item 4 of "Past one machine"; 0001 must never change.)

-- What the archive needs to write revisit records against a capture, as in
-- the single-machine catalog.
ALTER TABLE captures
    ADD COLUMN record_id      text NOT NULL DEFAULT '',
    ADD COLUMN payload_digest text NOT NULL DEFAULT '';

-- How many bytes of each WARC file hold committed records. Every writer
-- process has files of its own (the writer tag is part of the name).
CREATE TABLE warc_files (
    name           text PRIMARY KEY,
    committed_size bigint NOT NULL CHECK (committed_size >= 0)
);

-- Leasing scans one source's ready rows in queue order.
CREATE INDEX frontier_source_state ON frontier (source, state, seq);
CREATE INDEX frontier_leases ON frontier (leased_by) WHERE state = 'leased';

-- The parse queue keeps a row once done (taken_at set), so a crawl can tell
-- whether a capture was ever handed off, as the SQLite frontier does.
ALTER TABLE parse_queue
    ADD COLUMN source   text NOT NULL DEFAULT '',
    ADD COLUMN seq      bigserial,
    ADD COLUMN taken_at timestamptz;
CREATE INDEX parse_queue_ready ON parse_queue (seq) WHERE taken_at IS NULL;

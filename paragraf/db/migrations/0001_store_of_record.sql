-- Paragraf's store of record for a shared deployment (PostgreSQL >= 13).
-- Applied by `paragraf db migrate`, never at start. One file per version;
-- an applied file must never change (its SHA-256 is recorded and checked).

-- The archive catalog: one row per archived original (the bytes stay in WARC
-- files on shared storage; a row names the file, offset and length).
CREATE TABLE captures (
    id            text PRIMARY KEY CHECK (length(id) = 20),
    source        text NOT NULL,
    sha256        text NOT NULL CHECK (length(sha256) = 64),
    content_type  text NOT NULL,
    fetched_at    timestamptz NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('response', 'resource')),
    warc_file     text NOT NULL,
    warc_offset   bigint NOT NULL CHECK (warc_offset >= 0),
    warc_length   bigint NOT NULL CHECK (warc_length > 0),
    size          bigint NOT NULL CHECK (size >= 0),
    status        integer,
    metadata      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX captures_source ON captures (source);
CREATE INDEX captures_sha256 ON captures (sha256);
CREATE INDEX captures_fetched ON captures (fetched_at, id);

CREATE TABLE visits (
    id            bigserial PRIMARY KEY,
    source        text NOT NULL,
    fetched_at    timestamptz NOT NULL,
    status        integer,
    capture_id    text REFERENCES captures (id),
    revisit       boolean NOT NULL,
    etag          text,
    last_modified text,
    warc_file     text,
    warc_offset   bigint,
    warc_length   bigint
);
CREATE INDEX visits_source ON visits (source, fetched_at);
CREATE INDEX visits_capture ON visits (capture_id);

-- Paragraphs: every field the index is built from, as the JSON of
-- indexer.serialize.paragraph_to_dict, plus the columns lookups need.
CREATE TABLE paragraphs (
    id            text PRIMARY KEY,
    org           text NOT NULL,
    body          text NOT NULL,
    date          date NOT NULL,
    number        text NOT NULL,
    primary_capture text NOT NULL,
    doc           jsonb NOT NULL,
    updated_seq   bigint NOT NULL
);
CREATE INDEX paragraphs_meeting ON paragraphs (org, body, date);
CREATE INDEX paragraphs_capture ON paragraphs (primary_capture);

-- Which sources (by URL) a paragraph draws on (a meeting page and its PDF share §§).
CREATE TABLE paragraph_sources (
    paragraph_id  text NOT NULL REFERENCES paragraphs (id) ON DELETE CASCADE,
    url           text NOT NULL,
    PRIMARY KEY (paragraph_id, url)
);
CREATE INDEX paragraph_sources_url ON paragraph_sources (url);

-- The ordered change log every serving node replays into its own index.
-- A row is written in the same transaction as the change it records, so a
-- node that has applied up to seq N has exactly the paragraphs of that moment.
CREATE TABLE change_log (
    seq           bigserial PRIMARY KEY,
    paragraph_id  text NOT NULL,
    op            text NOT NULL CHECK (op IN ('upsert', 'delete')),
    committed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX change_log_paragraph ON change_log (paragraph_id, seq);

-- Permalinks issued, redirects of renamed bodies, paragraphs removed.
CREATE TABLE permalinks (
    id            text PRIMARY KEY,
    permalink     text NOT NULL,
    org           text NOT NULL,
    body          text NOT NULL,
    date          date NOT NULL,
    number        text NOT NULL,
    title         text NOT NULL,
    source        text NOT NULL,
    first_seen    timestamptz NOT NULL,
    last_seen     timestamptz NOT NULL
);
CREATE TABLE permalink_redirects (
    old_id        text PRIMARY KEY,
    new_id        text NOT NULL,
    new_permalink text NOT NULL,
    created_at    timestamptz NOT NULL
);
CREATE TABLE permalink_tombstones (
    id            text PRIMARY KEY,
    permalink     text NOT NULL,
    title         text NOT NULL,
    citation      text NOT NULL,
    removed_at    timestamptz NOT NULL,
    source        text NOT NULL
);

-- Parse status per archived document.
CREATE TABLE documents (
    capture_id    text PRIMARY KEY,
    source        text NOT NULL,
    status        text NOT NULL CHECK (status IN ('ok', 'warnings', 'failed', 'empty')),
    messages      jsonb NOT NULL DEFAULT '[]',
    paragraphs    integer NOT NULL,
    parsed_at     timestamptz NOT NULL
);
CREATE INDEX documents_status ON documents (status, parsed_at);

-- The shared crawl frontier. Workers lease rows with FOR UPDATE SKIP LOCKED;
-- a lease that expires (its worker died) is taken by another worker.
CREATE TABLE frontier (
    seq           bigserial PRIMARY KEY,
    source        text NOT NULL,
    url           text NOT NULL,
    host          text NOT NULL,
    role          text NOT NULL,
    depth         integer NOT NULL,
    meta          jsonb NOT NULL DEFAULT '{}',
    state         text NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'leased', 'done', 'failed', 'skipped')),
    reason        text,
    leased_by     text,
    lease_until   timestamptz,
    attempts      integer NOT NULL DEFAULT 0,
    UNIQUE (source, url)
);
CREATE INDEX frontier_ready ON frontier (state, seq);

-- Per-host politeness across every worker: the earliest moment the next
-- request to a host may start.
CREATE TABLE crawl_hosts (
    host          text PRIMARY KEY,
    next_start    timestamptz NOT NULL DEFAULT '-infinity'
);

-- Archived documents waiting for a parse worker.
CREATE TABLE parse_queue (
    capture_id    text PRIMARY KEY,
    enqueued_at   timestamptz NOT NULL DEFAULT now(),
    leased_by     text,
    lease_until   timestamptz,
    attempts      integer NOT NULL DEFAULT 0
);

-- A node building its index reads every paragraph in change-log order
-- (paragraph_store.iter_in_log_order). Without this index PostgreSQL sorts
-- the whole table, documents included, spilling to disk on a large store;
-- with it the rows stream in order as the scan finds them.
-- (0001 and 0002 must never change.)
CREATE INDEX paragraphs_log_order ON paragraphs (updated_seq, id);

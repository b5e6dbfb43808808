-- PostgreSQL counterparts of the SQLite custom migrations (0002, 0003, 0009, 0011): the append-only audit
-- trail with its hash chain, the append-only recording index, and the knowledge base's search index.

-- Audit trail (issue 3 item 12, issue 11 item 4). A row is chained in the inserting statement: the trigger
-- takes a transaction-scoped advisory lock, so concurrent writers chain one after the other, and only then
-- draws the id, so that id order is chain order. The hash is the one src/store/hash-chain.ts computes:
-- sha256 hex of `<table> LF <prev hash or empty> LF <JSON array of the values>`, written without spaces as
-- JSON.stringify does (to_json escapes text the same way).
CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  prev text;
  content text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('audit_log_chain'));
  NEW.id := nextval(pg_get_serial_sequence('audit_log', 'id'));
  SELECT row_hash INTO prev FROM audit_log ORDER BY id DESC LIMIT 1;
  content := '[' || concat_ws(',',
    to_json(NEW.id)::text, coalesce(to_json(NEW.entity)::text, 'null'), coalesce(to_json(NEW.entity_id)::text, 'null'),
    coalesce(to_json(NEW.action)::text, 'null'), coalesce(to_json(NEW.actor_id)::text, 'null'),
    coalesce(to_json(NEW.actor_role)::text, 'null'), coalesce(to_json(NEW.at)::text, 'null'),
    coalesce(to_json(NEW.reason)::text, 'null'), coalesce(to_json(NEW.from_status)::text, 'null'),
    coalesce(to_json(NEW.to_status)::text, 'null'), coalesce(to_json(NEW.data)::text, 'null')) || ']';
  NEW.prev_hash := prev;
  NEW.row_hash := encode(sha256(convert_to('audit_log' || E'\n' || coalesce(prev, '') || E'\n' || content, 'UTF8')), 'hex');
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_chain();
--> statement-breakpoint
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'integrity_constraint_violation';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_change();
--> statement-breakpoint
-- TRUNCATE fires no row trigger: refuse it by a statement trigger.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
--> statement-breakpoint
CREATE TRIGGER recording_index_no_update BEFORE UPDATE OR DELETE ON recording_index FOR EACH ROW EXECUTE FUNCTION refuse_change();
--> statement-breakpoint
CREATE TRIGGER recording_index_no_truncate BEFORE TRUNCATE ON recording_index FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
--> statement-breakpoint
-- Knowledge search (rules art. 29). Chinese has no spaces and most words have one or two characters, which
-- pg_trgm's 3-character grams cannot serve (and its word detection depends on the locale). Instead every current
-- entry keeps the set of its single characters and overlapping character pairs, written by
-- src/store/pg/knowledge-repo.ts (the same bigramText as the SQLite FTS table) and indexed by GIN:
-- a 1-character term is one array element, a term of n ≥ 2 characters is its n−1 pairs (all must be present),
-- and a substring check on the text confirms the pairs are adjacent.
CREATE TABLE knowledge_grams (
  entry_id bigint PRIMARY KEY REFERENCES knowledge_entries (id),
  grams text[] NOT NULL,
  content text NOT NULL
);
--> statement-breakpoint
CREATE INDEX knowledge_grams_gin ON knowledge_grams USING gin (grams);

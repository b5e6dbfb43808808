-- PostgreSQL counterpart of the recordings' guards in SQLite migrations 0006 and 0011 (issue 11 items 3 and 4,
-- issue 12): the recording index is chained like the audit trail (0001), archiving a recording appends its
-- facts to the index in the same statement, and only the purge deletes a recording (rules art. 28).

-- A row is chained in its inserting statement under a transaction-scoped advisory lock, seq drawn after the lock,
-- so that seq order is chain order with concurrent writers. Inserters pass seq 0: a column default would draw
-- from the sequence before this trigger runs and leave gaps. The hash is src/store/hash-chain.ts's:
-- sha256 hex of `recording_index LF <prev hash or empty> LF <JSON array of CHAIN_COLUMNS.recording_index>`.
-- A `purged` entry is the purge's marker: only for a recording past retain_until and not held (art. 28).
CREATE FUNCTION recording_index_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  prev text;
  content text;
BEGIN
  IF NEW.event NOT IN ('archived', 'purged') OR (NEW.event = 'purged' AND NOT EXISTS (
    SELECT 1 FROM recordings r WHERE r.name = NEW.name AND r.held_at IS NULL AND r.retain_until IS NOT NULL
      AND r.retain_until <= NEW.at AND r.retain_until <= (extract(epoch FROM clock_timestamp()) * 1000)::bigint)) THEN
    RAISE EXCEPTION 'recording_index: a recording may be marked purged only after retain_until and when not held (art. 28)'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('recording_index_chain'));
  NEW.seq := nextval(pg_get_serial_sequence('recording_index', 'seq'));
  SELECT row_hash INTO prev FROM recording_index ORDER BY seq DESC LIMIT 1;
  content := '[' || concat_ws(',',
    to_json(NEW.seq)::text, coalesce(to_json(NEW.event)::text, 'null'), coalesce(to_json(NEW.name)::text, 'null'),
    coalesce(to_json(NEW.call_id)::text, 'null'), coalesce(to_json(NEW.started_at)::text, 'null'),
    coalesce(to_json(NEW.path)::text, 'null'), coalesce(to_json(NEW.sha256)::text, 'null'),
    coalesce(to_json(NEW.bytes)::text, 'null'), coalesce(to_json(NEW.format)::text, 'null'),
    coalesce(to_json(NEW.original_sha256)::text, 'null'), coalesce(to_json(NEW.duration_ms)::text, 'null'),
    coalesce(to_json(NEW.archived_at)::text, 'null'), coalesce(to_json(NEW.retain_until)::text, 'null'),
    coalesce(to_json(NEW.at)::text, 'null')) || ']';
  NEW.prev_hash := prev;
  NEW.row_hash := encode(sha256(convert_to('recording_index' || E'\n' || coalesce(prev, '') || E'\n' || content, 'UTF8')), 'hex');
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER recording_index_chain BEFORE INSERT ON recording_index FOR EACH ROW EXECUTE FUNCTION recording_index_chain();
--> statement-breakpoint
-- Archiving a recording appends its facts to the index in the same statement.
CREATE FUNCTION recordings_index_archived() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO recording_index (seq, event, name, call_id, started_at, path, sha256, bytes, format, original_sha256,
    duration_ms, archived_at, retain_until, at, row_hash)
  VALUES (0, 'archived', NEW.name, NEW.call_id, NEW.started_at, NEW.path, NEW.sha256, NEW.bytes, NEW.format,
    NEW.original_sha256, NEW.duration_ms, NEW.archived_at, NEW.retain_until, coalesce(NEW.archived_at, 0), '');
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER recordings_index_archived AFTER UPDATE OF status ON recordings FOR EACH ROW
  WHEN (NEW.status = 'archived' AND OLD.status IS DISTINCT FROM 'archived') EXECUTE FUNCTION recordings_index_archived();
--> statement-breakpoint
-- An archived recording's facts never change, and its retention is never shortened (art. 28).
CREATE FUNCTION recordings_guard_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.retain_until IS NOT NULL AND (NEW.retain_until IS NULL OR NEW.retain_until < OLD.retain_until) THEN
    RAISE EXCEPTION 'recordings: retention cannot be shortened (art. 28)' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF OLD.status = 'archived' AND (NEW.sha256 IS DISTINCT FROM OLD.sha256 OR NEW.path IS DISTINCT FROM OLD.path
    OR NEW.status IS DISTINCT FROM OLD.status OR NEW.bytes IS DISTINCT FROM OLD.bytes OR NEW.format IS DISTINCT FROM OLD.format
    OR NEW.original_sha256 IS DISTINCT FROM OLD.original_sha256 OR NEW.call_id IS DISTINCT FROM OLD.call_id
    OR NEW.started_at IS DISTINCT FROM OLD.started_at OR NEW.archived_at IS DISTINCT FROM OLD.archived_at
    OR NEW.duration_ms IS DISTINCT FROM OLD.duration_ms OR NEW.retain_until IS DISTINCT FROM OLD.retain_until) THEN
    RAISE EXCEPTION 'recordings: an archived recording cannot be changed' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER recordings_guard_update BEFORE UPDATE ON recordings FOR EACH ROW EXECUTE FUNCTION recordings_guard_update();
--> statement-breakpoint
-- Only the purge deletes a recording: it first appends the `purged` index entry (guarded above) in the same
-- transaction; a held recording, or one within retain_until by the wall clock, is never deleted.
CREATE FUNCTION recordings_delete_only_by_purge() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.held_at IS NOT NULL OR OLD.retain_until IS NULL
    OR OLD.retain_until > (extract(epoch FROM clock_timestamp()) * 1000)::bigint
    OR NOT EXISTS (SELECT 1 FROM recording_index WHERE name = OLD.name AND event = 'purged') THEN
    RAISE EXCEPTION 'recordings: deletion refused; only the purge deletes a recording, after retain_until and never while held (art. 28)'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN OLD;
END $$;
--> statement-breakpoint
CREATE TRIGGER recordings_delete_only_by_purge BEFORE DELETE ON recordings FOR EACH ROW EXECUTE FUNCTION recordings_delete_only_by_purge();
--> statement-breakpoint
CREATE TRIGGER recordings_no_truncate BEFORE TRUNCATE ON recordings FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

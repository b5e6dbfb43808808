-- Call recordings are kept at least 3 years (rules art. 28): the database refuses to delete a recording row
-- before its retain_until, to drop an archived file's checksum, or to shorten the retention.
CREATE TRIGGER `recordings_no_early_delete` BEFORE DELETE ON `recordings`
WHEN old.retain_until IS NULL OR old.retain_until > CAST(strftime('%s','now') AS INTEGER) * 1000 BEGIN
  SELECT RAISE(ABORT, 'recordings: deletion refused before retain_until (art. 28, at least 3 years)');
END;
--> statement-breakpoint
CREATE TRIGGER `recordings_no_shorter_retention` BEFORE UPDATE OF `retain_until` ON `recordings`
WHEN old.retain_until IS NOT NULL AND (new.retain_until IS NULL OR new.retain_until < old.retain_until) BEGIN
  SELECT RAISE(ABORT, 'recordings: retention cannot be shortened (art. 28)');
END;
--> statement-breakpoint
CREATE TRIGGER `recordings_archived_immutable` BEFORE UPDATE ON `recordings`
WHEN old.status = 'archived' AND (new.sha256 IS NOT old.sha256 OR new.path IS NOT old.path OR new.status IS NOT old.status) BEGIN
  SELECT RAISE(ABORT, 'recordings: an archived recording cannot be changed');
END;

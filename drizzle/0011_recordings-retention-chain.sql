CREATE TABLE `recording_index` (
	`seq` integer PRIMARY KEY NOT NULL,
	`event` text NOT NULL,
	`name` text NOT NULL,
	`call_id` text,
	`started_at` integer,
	`path` text,
	`sha256` text,
	`bytes` integer,
	`format` text,
	`original_sha256` text,
	`duration_ms` integer,
	`archived_at` integer,
	`retain_until` integer,
	`at` integer NOT NULL,
	`prev_hash` text,
	`row_hash` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `recording_index_name_idx` ON `recording_index` (`name`,`event`);--> statement-breakpoint
ALTER TABLE `audit_log` ADD `prev_hash` text;--> statement-breakpoint
ALTER TABLE `audit_log` ADD `row_hash` text;--> statement-breakpoint
ALTER TABLE `recordings` ADD `format` text;--> statement-breakpoint
ALTER TABLE `recordings` ADD `original_sha256` text;--> statement-breakpoint
ALTER TABLE `recordings` ADD `original_bytes` integer;--> statement-breakpoint
ALTER TABLE `recordings` ADD `held_at` integer;--> statement-breakpoint
ALTER TABLE `recordings` ADD `held_by` text;--> statement-breakpoint
ALTER TABLE `recordings` ADD `hold_reason` text;--> statement-breakpoint
ALTER TABLE `recordings` ADD `hold_case_ref` text;--> statement-breakpoint
CREATE INDEX `recordings_retain_until_idx` ON `recordings` (`retain_until`);--> statement-breakpoint
-- Issue 11 item 4: hash chains. chain_hash(table, prev_hash, ...content) is a SQL function that
-- src/store/hash-chain.ts registers on every connection (openStore); a connection without it cannot
-- write an audit row or archive a recording, so no write escapes the chain.
-- The audit row is sealed in the inserting statement: this trigger fills prev_hash and row_hash.
CREATE TRIGGER `audit_log_chain` AFTER INSERT ON `audit_log` BEGIN
  UPDATE `audit_log` SET
    `prev_hash` = (SELECT `row_hash` FROM `audit_log` WHERE `id` < new.`id` ORDER BY `id` DESC LIMIT 1),
    `row_hash` = chain_hash('audit_log', (SELECT `row_hash` FROM `audit_log` WHERE `id` < new.`id` ORDER BY `id` DESC LIMIT 1),
      new.`id`, new.`entity`, new.`entity_id`, new.`action`, new.`actor_id`, new.`actor_role`, new.`at`, new.`reason`,
      new.`from_status`, new.`to_status`, new.`data`)
  WHERE `id` = new.`id`;
END;
--> statement-breakpoint
DROP TRIGGER `audit_log_no_update`;
--> statement-breakpoint
-- Still append-only: the only update allowed is sealing a row once (the trigger above, or sealing the rows
-- written before this migration), and it must not change the content.
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log`
WHEN old.`row_hash` IS NOT NULL OR new.`id` IS NOT old.`id` OR new.`entity` IS NOT old.`entity` OR new.`entity_id` IS NOT old.`entity_id`
  OR new.`action` IS NOT old.`action` OR new.`actor_id` IS NOT old.`actor_id` OR new.`actor_role` IS NOT old.`actor_role`
  OR new.`at` IS NOT old.`at` OR new.`reason` IS NOT old.`reason` OR new.`from_status` IS NOT old.`from_status`
  OR new.`to_status` IS NOT old.`to_status` OR new.`data` IS NOT old.`data` BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused');
END;
--> statement-breakpoint
-- The recording index is append-only.
CREATE TRIGGER `recording_index_no_update` BEFORE UPDATE ON `recording_index` BEGIN
  SELECT RAISE(ABORT, 'recording_index is append-only: UPDATE refused');
END;
--> statement-breakpoint
CREATE TRIGGER `recording_index_no_delete` BEFORE DELETE ON `recording_index` BEGIN
  SELECT RAISE(ABORT, 'recording_index is append-only: DELETE refused');
END;
--> statement-breakpoint
-- A `purged` entry is the purge's marker: only for a recording past retain_until and not held (art. 28).
CREATE TRIGGER `recording_index_purge_guard` BEFORE INSERT ON `recording_index`
WHEN new.`event` NOT IN ('archived', 'purged') OR (new.`event` = 'purged' AND NOT EXISTS (
  SELECT 1 FROM `recordings` r WHERE r.`name` = new.`name` AND r.`held_at` IS NULL AND r.`retain_until` IS NOT NULL
    AND r.`retain_until` <= new.`at` AND r.`retain_until` <= CAST(strftime('%s','now') AS INTEGER) * 1000)) BEGIN
  SELECT RAISE(ABORT, 'recording_index: a recording may be marked purged only after retain_until and when not held (art. 28)');
END;
--> statement-breakpoint
-- Archiving a recording appends its facts to the index in the same statement.
CREATE TRIGGER `recordings_index_archived` AFTER UPDATE OF `status` ON `recordings`
WHEN new.`status` = 'archived' AND old.`status` IS NOT 'archived' BEGIN
  INSERT INTO `recording_index` (`seq`, `event`, `name`, `call_id`, `started_at`, `path`, `sha256`, `bytes`, `format`,
    `original_sha256`, `duration_ms`, `archived_at`, `retain_until`, `at`, `prev_hash`, `row_hash`)
  SELECT s.seq, 'archived', new.`name`, new.`call_id`, new.`started_at`, new.`path`, new.`sha256`, new.`bytes`, new.`format`,
    new.`original_sha256`, new.`duration_ms`, new.`archived_at`, new.`retain_until`, coalesce(new.`archived_at`, 0), s.prev,
    chain_hash('recording_index', s.prev, s.seq, 'archived', new.`name`, new.`call_id`, new.`started_at`, new.`path`,
      new.`sha256`, new.`bytes`, new.`format`, new.`original_sha256`, new.`duration_ms`, new.`archived_at`,
      new.`retain_until`, coalesce(new.`archived_at`, 0))
  FROM (SELECT coalesce((SELECT max(`seq`) FROM `recording_index`), 0) + 1 AS seq,
    (SELECT `row_hash` FROM `recording_index` ORDER BY `seq` DESC LIMIT 1) AS prev) s;
END;
--> statement-breakpoint
DROP TRIGGER `recordings_archived_immutable`;
--> statement-breakpoint
CREATE TRIGGER `recordings_archived_immutable` BEFORE UPDATE ON `recordings`
WHEN old.`status` = 'archived' AND (new.`sha256` IS NOT old.`sha256` OR new.`path` IS NOT old.`path` OR new.`status` IS NOT old.`status`
  OR new.`bytes` IS NOT old.`bytes` OR new.`format` IS NOT old.`format` OR new.`original_sha256` IS NOT old.`original_sha256`
  OR new.`call_id` IS NOT old.`call_id` OR new.`started_at` IS NOT old.`started_at` OR new.`archived_at` IS NOT old.`archived_at`
  OR new.`duration_ms` IS NOT old.`duration_ms` OR new.`retain_until` IS NOT old.`retain_until`) BEGIN
  SELECT RAISE(ABORT, 'recordings: an archived recording cannot be changed');
END;
--> statement-breakpoint
DROP TRIGGER `recordings_no_early_delete`;
--> statement-breakpoint
-- Issue 11 item 3: only the purge deletes a recording. It first appends the `purged` index entry (guarded
-- above) in the same transaction; a held recording, or one within retain_until by the wall clock, is never deleted.
CREATE TRIGGER `recordings_delete_only_by_purge` BEFORE DELETE ON `recordings`
WHEN old.`held_at` IS NOT NULL OR old.`retain_until` IS NULL OR old.`retain_until` > CAST(strftime('%s','now') AS INTEGER) * 1000
  OR NOT EXISTS (SELECT 1 FROM `recording_index` WHERE `name` = old.`name` AND `event` = 'purged') BEGIN
  SELECT RAISE(ABORT, 'recordings: deletion refused; only the purge deletes a recording, after retain_until and never while held (art. 28)');
END;

CREATE TABLE `assessment_manual_scores` (
	`month` text NOT NULL,
	`unit_id` text NOT NULL,
	`item` text NOT NULL,
	`points_centi` integer NOT NULL,
	`evidence` text NOT NULL,
	`entered_by` text NOT NULL,
	`entered_at` integer NOT NULL,
	PRIMARY KEY(`month`, `unit_id`, `item`)
);
--> statement-breakpoint
CREATE TABLE `assessment_publications` (
	`id` integer PRIMARY KEY NOT NULL,
	`month` text NOT NULL,
	`cycle` integer NOT NULL,
	`version` integer NOT NULL,
	`published_at` integer NOT NULL,
	`published_by` text NOT NULL,
	`note` text,
	`appeal_id` integer,
	`weights` text NOT NULL,
	`inputs` text NOT NULL,
	`results` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `assessment_publications_month_version_uq` ON `assessment_publications` (`month`,`version`);--> statement-breakpoint
CREATE INDEX `assessment_publications_cycle_idx` ON `assessment_publications` (`cycle`,`month`);--> statement-breakpoint
CREATE TABLE `assessment_weights` (
	`cycle` integer PRIMARY KEY NOT NULL,
	`weights` text NOT NULL,
	`set_by` text NOT NULL,
	`set_at` integer NOT NULL
);
--> statement-breakpoint
-- A published month is frozen (art. 30): corrections are new versions, never edits.
CREATE TRIGGER `assessment_publications_no_update` BEFORE UPDATE ON `assessment_publications` BEGIN
  SELECT RAISE(ABORT, 'assessment_publications is append-only: UPDATE refused');
END;
--> statement-breakpoint
CREATE TRIGGER `assessment_publications_no_delete` BEFORE DELETE ON `assessment_publications` BEGIN
  SELECT RAISE(ABORT, 'assessment_publications is append-only: DELETE refused');
END;

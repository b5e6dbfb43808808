CREATE TABLE `leader_rota` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`date` text NOT NULL,
	`start_time` text NOT NULL,
	`end_time` text NOT NULL,
	`username` text NOT NULL,
	`seat` text NOT NULL,
	`skill` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `leader_rota_date_idx` ON `leader_rota` (`date`);
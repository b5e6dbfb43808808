CREATE TABLE `exchange_inbound` (
	`regional_id` text PRIMARY KEY NOT NULL,
	`order_id` integer NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `exchange_inbound_order_idx` ON `exchange_inbound` (`order_id`);--> statement-breakpoint
CREATE TABLE `exchange_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`order_id` integer NOT NULL,
	`order_version` integer NOT NULL,
	`record` text NOT NULL,
	`created_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_attempt_at` integer,
	`last_error` text
);
--> statement-breakpoint
CREATE INDEX `exchange_outbox_order_idx` ON `exchange_outbox` (`order_id`,`id`);--> statement-breakpoint
CREATE INDEX `exchange_outbox_next_idx` ON `exchange_outbox` (`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `intake_receipts` (
	`tracking_code` text PRIMARY KEY NOT NULL,
	`order_id` integer NOT NULL,
	`channel` text NOT NULL,
	`credential_id` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `intake_receipts_order_idx` ON `intake_receipts` (`order_id`);
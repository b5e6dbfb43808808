CREATE TABLE `call_alerts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_id` text NOT NULL,
	`kind` text NOT NULL,
	`at` integer NOT NULL,
	`cause` text,
	FOREIGN KEY (`call_id`) REFERENCES `calls`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `call_alerts_at_idx` ON `call_alerts` (`at`);--> statement-breakpoint
CREATE TABLE `call_legs` (
	`channel_id` text PRIMARY KEY NOT NULL,
	`call_id` text NOT NULL,
	`kind` text NOT NULL,
	`agent_id` text,
	`endpoint` text,
	`number` text,
	`created_at` integer NOT NULL,
	`answered_at` integer,
	`ended_at` integer,
	`outcome` text,
	FOREIGN KEY (`call_id`) REFERENCES `calls`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `call_legs_call_idx` ON `call_legs` (`call_id`);--> statement-breakpoint
CREATE TABLE `call_work_orders` (
	`call_id` text NOT NULL,
	`work_order_id` text NOT NULL,
	`linked_at` integer NOT NULL,
	PRIMARY KEY(`call_id`, `work_order_id`),
	FOREIGN KEY (`call_id`) REFERENCES `calls`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `callbacks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_id` text NOT NULL,
	`number` text NOT NULL,
	`reason` text NOT NULL,
	`created_at` integer NOT NULL,
	`waited_ms` integer,
	`status` text NOT NULL,
	`outcome` text,
	`note` text,
	`handled_by` text,
	`handled_at` integer,
	FOREIGN KEY (`call_id`) REFERENCES `calls`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `callbacks_call_unique` ON `callbacks` (`call_id`);--> statement-breakpoint
CREATE INDEX `callbacks_status_idx` ON `callbacks` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `calls` (
	`id` text PRIMARY KEY NOT NULL,
	`caller_channel_id` text NOT NULL,
	`caller_number` text NOT NULL,
	`dialed_number` text,
	`status` text NOT NULL,
	`phase` text NOT NULL,
	`arrived_at` integer NOT NULL,
	`ivr_exit_at` integer,
	`queued_at` integer,
	`skill` text,
	`priority` integer DEFAULT 0 NOT NULL,
	`first_offered_at` integer,
	`answered_at` integer,
	`ended_at` integer,
	`outcome` text,
	`agent_id` text,
	`answer_ms` integer,
	`prewarned_at` integer,
	`breach_at` integer,
	`breach_cause` text,
	`ivr_path` text DEFAULT '[]' NOT NULL,
	`bridge_id` text,
	`recording_name` text,
	`rona_count` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `calls_status_idx` ON `calls` (`status`);--> statement-breakpoint
CREATE INDEX `calls_arrived_idx` ON `calls` (`arrived_at`);--> statement-breakpoint
CREATE INDEX `calls_caller_number_idx` ON `calls` (`caller_number`);--> statement-breakpoint
CREATE UNIQUE INDEX `calls_caller_channel_unique` ON `calls` (`caller_channel_id`);--> statement-breakpoint
CREATE TABLE `recordings` (
	`name` text PRIMARY KEY NOT NULL,
	`call_id` text NOT NULL,
	`status` text NOT NULL,
	`started_at` integer NOT NULL,
	`stopped_at` integer,
	`talk_ms` integer,
	`path` text,
	`sha256` text,
	`bytes` integer,
	`duration_ms` integer,
	`duration_check` text,
	`archived_at` integer,
	`retain_until` integer,
	`deleted_from_pbx_at` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	FOREIGN KEY (`call_id`) REFERENCES `calls`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `recordings_status_idx` ON `recordings` (`status`);--> statement-breakpoint
CREATE INDEX `recordings_call_idx` ON `recordings` (`call_id`);
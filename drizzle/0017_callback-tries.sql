CREATE TABLE `callback_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`callback_id` integer NOT NULL,
	`call_id` text NOT NULL,
	`agent_id` text NOT NULL,
	`dialled_at` integer NOT NULL,
	`outcome` text,
	`note` text,
	`recorded_at` integer,
	FOREIGN KEY (`callback_id`) REFERENCES `callbacks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `callback_attempts_callback_idx` ON `callback_attempts` (`callback_id`,`dialled_at`);--> statement-breakpoint
ALTER TABLE `callbacks` ADD `tries` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `callbacks` ADD `next_try_at` integer;--> statement-breakpoint
ALTER TABLE `callbacks` ADD `dialling_by` text;--> statement-breakpoint
ALTER TABLE `callbacks` ADD `last_call_id` text;
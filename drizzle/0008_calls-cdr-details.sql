ALTER TABLE `calls` ADD `offers` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `calls` ADD `ivr_invalid_inputs` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `calls` ADD `ivr_timeouts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `calls` ADD `repeat_caller` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `calls` ADD `escalated_at` integer;--> statement-breakpoint
ALTER TABLE `calls` ADD `transfer_number` text;--> statement-breakpoint
CREATE INDEX `calls_queued_idx` ON `calls` (`queued_at`);
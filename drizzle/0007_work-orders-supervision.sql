DROP INDEX `work_orders_open_deadline_idx`;--> statement-breakpoint
ALTER TABLE `work_orders` ADD `next_check_at` integer;--> statement-breakpoint
CREATE INDEX `work_orders_deadline_idx` ON `work_orders` (`next_deadline_at`) WHERE "work_orders"."next_deadline_at" is not null;--> statement-breakpoint
CREATE INDEX `work_orders_check_idx` ON `work_orders` (`next_check_at`) WHERE "work_orders"."next_check_at" is not null;
ALTER TABLE `calls` ADD `wrap_up_code` text;--> statement-breakpoint
ALTER TABLE `work_orders` ADD `area` text;--> statement-breakpoint
CREATE INDEX `work_orders_area_idx` ON `work_orders` (`area`,`created_at`);
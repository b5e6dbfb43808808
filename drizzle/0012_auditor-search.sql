ALTER TABLE `calls` ADD `fallback` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `calls_agent_arrived_idx` ON `calls` (`agent_id`,`arrived_at`);--> statement-breakpoint
CREATE INDEX `calls_caller_last4_idx` ON `calls` (substr(`caller_number`, -4),`arrived_at`);--> statement-breakpoint
CREATE INDEX `calls_fallback_idx` ON `calls` (`arrived_at`) WHERE `fallback` = 1;--> statement-breakpoint
CREATE INDEX `call_work_orders_order_idx` ON `call_work_orders` (`work_order_id`);
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY NOT NULL,
	`entity` text NOT NULL,
	`entity_id` text NOT NULL,
	`action` text NOT NULL,
	`actor_id` text NOT NULL,
	`actor_role` text NOT NULL,
	`at` integer NOT NULL,
	`reason` text,
	`from_status` text,
	`to_status` text,
	`data` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_entity_idx` ON `audit_log` (`entity`,`entity_id`,`id`);--> statement-breakpoint
CREATE TABLE `calendar_years` (
	`year` integer NOT NULL,
	`scope` text NOT NULL,
	`data` text NOT NULL,
	`added_by` text NOT NULL,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`year`, `scope`)
);
--> statement-breakpoint
CREATE TABLE `knowledge_entries` (
	`id` integer PRIMARY KEY NOT NULL,
	`entry_key` text NOT NULL,
	`version` integer NOT NULL,
	`unit_id` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`category` text,
	`valid_from` text NOT NULL,
	`valid_to` text,
	`current` integer NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `knowledge_entries_key_version_uq` ON `knowledge_entries` (`entry_key`,`version`);--> statement-breakpoint
CREATE INDEX `knowledge_entries_current_key_idx` ON `knowledge_entries` (`entry_key`) WHERE "knowledge_entries"."current" = 1;--> statement-breakpoint
CREATE INDEX `knowledge_entries_unit_idx` ON `knowledge_entries` (`unit_id`);--> statement-breakpoint
CREATE TABLE `knowledge_questions` (
	`id` integer PRIMARY KEY NOT NULL,
	`unit_id` text NOT NULL,
	`question` text NOT NULL,
	`asked_by` text NOT NULL,
	`asked_at` integer NOT NULL,
	`due_at` integer NOT NULL,
	`due_provisional` integer DEFAULT false NOT NULL,
	`answer` text,
	`answered_by` text,
	`answered_at` integer,
	`entry_key` text
);
--> statement-breakpoint
CREATE INDEX `knowledge_questions_unit_idx` ON `knowledge_questions` (`unit_id`,`answered_at`);--> statement-breakpoint
CREATE TABLE `org_unit_contacts` (
	`id` integer PRIMARY KEY NOT NULL,
	`unit_id` text NOT NULL,
	`name` text NOT NULL,
	`phone` text NOT NULL,
	`duty` text,
	`emergency` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `org_unit_contacts_unit_idx` ON `org_unit_contacts` (`unit_id`);--> statement-breakpoint
CREATE TABLE `org_units` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`parent_id` text,
	`accepts_public_requests` integer NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `org_units_parent_idx` ON `org_units` (`parent_id`);--> statement-breakpoint
CREATE TABLE `assessment_appeals` (
	`id` integer PRIMARY KEY NOT NULL,
	`unit_id` text NOT NULL,
	`cycle` text NOT NULL,
	`order_id` integer,
	`reason` text NOT NULL,
	`filed_by` text NOT NULL,
	`filed_at` integer NOT NULL,
	`status` text NOT NULL,
	`decision` text,
	`decided_by` text,
	`decided_at` integer
);
--> statement-breakpoint
CREATE INDEX `assessment_appeals_unit_idx` ON `assessment_appeals` (`unit_id`,`cycle`);--> statement-breakpoint
CREATE TABLE `sms_messages` (
	`id` integer PRIMARY KEY NOT NULL,
	`direction` text NOT NULL,
	`order_id` integer,
	`purpose` text NOT NULL,
	`phone` text NOT NULL,
	`body` text NOT NULL,
	`gateway_id` text,
	`status` text NOT NULL,
	`error` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sms_messages_phone_idx` ON `sms_messages` (`phone`,`created_at`);--> statement-breakpoint
CREATE INDEX `sms_messages_order_idx` ON `sms_messages` (`order_id`);--> statement-breakpoint
CREATE TABLE `supervision_notices` (
	`id` integer PRIMARY KEY NOT NULL,
	`order_id` integer NOT NULL,
	`unit_id` text,
	`level` text NOT NULL,
	`deadline_kind` text NOT NULL,
	`deadline_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`reason` text,
	`reason_at` integer,
	`reason_by` text
);
--> statement-breakpoint
CREATE INDEX `supervision_notices_order_idx` ON `supervision_notices` (`order_id`);--> statement-breakpoint
CREATE INDEX `supervision_notices_unit_idx` ON `supervision_notices` (`unit_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `work_order_attachments` (
	`id` integer PRIMARY KEY NOT NULL,
	`order_id` integer NOT NULL,
	`file_name` text NOT NULL,
	`mime_type` text NOT NULL,
	`size` integer NOT NULL,
	`sha256` text NOT NULL,
	`storage_path` text NOT NULL,
	`uploaded_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `work_order_attachments_order_idx` ON `work_order_attachments` (`order_id`);--> statement-breakpoint
CREATE TABLE `work_order_categories` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`parent_code` text,
	`fast_response` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE INDEX `work_order_categories_parent_idx` ON `work_order_categories` (`parent_code`);--> statement-breakpoint
CREATE TABLE `work_order_tasks` (
	`id` integer PRIMARY KEY NOT NULL,
	`order_id` integer NOT NULL,
	`kind` text NOT NULL,
	`unit_id` text,
	`status` text NOT NULL,
	`note` text,
	`created_at` integer NOT NULL,
	`done_at` integer,
	`done_by` text
);
--> statement-breakpoint
CREATE INDEX `work_order_tasks_open_idx` ON `work_order_tasks` (`status`,`kind`);--> statement-breakpoint
CREATE INDEX `work_order_tasks_order_idx` ON `work_order_tasks` (`order_id`);--> statement-breakpoint
CREATE TABLE `work_order_units` (
	`order_id` integer NOT NULL,
	`unit_id` text NOT NULL,
	`role` text NOT NULL,
	`opinion` text,
	`opinion_at` integer,
	PRIMARY KEY(`order_id`, `unit_id`)
);
--> statement-breakpoint
CREATE INDEX `work_order_units_unit_idx` ON `work_order_units` (`unit_id`,`order_id`);--> statement-breakpoint
CREATE TABLE `work_orders` (
	`id` integer PRIMARY KEY NOT NULL,
	`channel` text NOT NULL,
	`call_id` text,
	`requester_name` text,
	`requester_phone` text,
	`contact_phone` text,
	`content` text NOT NULL,
	`category` text NOT NULL,
	`fast_response` integer DEFAULT false NOT NULL,
	`type` text NOT NULL,
	`emergency` integer DEFAULT false NOT NULL,
	`confidential` integer DEFAULT false NOT NULL,
	`location` text,
	`status` text NOT NULL,
	`lead_unit_id` text,
	`repeat_of_id` integer,
	`merged_into_id` integer,
	`next_deadline_at` integer,
	`next_deadline_kind` text,
	`supervision_level` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`closed_at` integer,
	`created_by` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`state` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `work_orders_phone_idx` ON `work_orders` (`requester_phone`,`created_at`);--> statement-breakpoint
CREATE INDEX `work_orders_lead_unit_idx` ON `work_orders` (`lead_unit_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `work_orders_open_deadline_idx` ON `work_orders` (`next_deadline_at`) WHERE "work_orders"."closed_at" is null;--> statement-breakpoint
CREATE INDEX `work_orders_closed_idx` ON `work_orders` (`closed_at`);
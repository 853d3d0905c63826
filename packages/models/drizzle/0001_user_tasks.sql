ALTER TABLE `tasks` ADD `description` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `headline_metric` text DEFAULT 'auc' NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `headline_label` text DEFAULT 'AUC' NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `higher_is_better` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `position` integer DEFAULT 1000 NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `definition` text;
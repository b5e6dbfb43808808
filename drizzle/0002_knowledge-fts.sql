-- Full-text search over the current version of each knowledge entry (rules art. 29).
-- SQLite-specific: FTS5 with the trigram tokenizer, which matches Chinese text without a word segmenter.
-- Only the knowledge repository touches this table, so a PostgreSQL dialect can replace it (pg_trgm).
CREATE VIRTUAL TABLE `knowledge_fts` USING fts5(title, body, content='knowledge_entries', content_rowid='id', tokenize='trigram');
--> statement-breakpoint
CREATE TRIGGER `knowledge_fts_ai` AFTER INSERT ON `knowledge_entries` WHEN new.current = 1 BEGIN
  INSERT INTO knowledge_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
--> statement-breakpoint
CREATE TRIGGER `knowledge_fts_au_old` AFTER UPDATE ON `knowledge_entries` WHEN old.current = 1 BEGIN
  INSERT INTO knowledge_fts(knowledge_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;
--> statement-breakpoint
CREATE TRIGGER `knowledge_fts_au_new` AFTER UPDATE ON `knowledge_entries` WHEN new.current = 1 BEGIN
  INSERT INTO knowledge_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
--> statement-breakpoint
CREATE TRIGGER `knowledge_fts_ad` AFTER DELETE ON `knowledge_entries` WHEN old.current = 1 BEGIN
  INSERT INTO knowledge_fts(knowledge_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;

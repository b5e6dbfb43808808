-- Two-character search terms (most Chinese words) are below the trigram tokenizer's length, so the knowledge
-- repository also keeps every current entry's overlapping character pairs in a contentless FTS5 table
-- (written by src/store/knowledge-repo.ts, not by triggers: the pairs are made in application code).
CREATE VIRTUAL TABLE `knowledge_bigram` USING fts5(grams, content='', contentless_delete=1, tokenize='unicode61');

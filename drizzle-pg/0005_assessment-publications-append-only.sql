-- PostgreSQL counterpart of the SQLite triggers of drizzle/0013: a published month of the 100-point assessment
-- (art. 30–33) is frozen. UPDATE, DELETE and TRUNCATE are refused (refuse_change() of 0001); an accepted appeal
-- publishes the month again as the next version instead.
CREATE TRIGGER assessment_publications_no_update BEFORE UPDATE OR DELETE ON assessment_publications FOR EACH ROW EXECUTE FUNCTION refuse_change();
--> statement-breakpoint
CREATE TRIGGER assessment_publications_no_truncate BEFORE TRUNCATE ON assessment_publications FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

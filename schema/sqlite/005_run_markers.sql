-- Schema version 5 (issue 9): runs in flight and runs whose process died.
--
-- A run writes its row with outcome 'running' before its transaction begins, and that
-- transaction gives the row its final outcome (R14). `owner` is the key of the owner lock the
-- writing process holds while it lives (a byte of the directory's lock file); a 'running' row
-- whose owner lock is free belongs to a process that died, and the next misync to look marks it
-- 'interrupted' (docs/reliability.md). Rows written otherwise have no owner.
ALTER TABLE runs ADD COLUMN owner INTEGER;

-- The runs still 'running': a handful at most, looked up at every lease and start.
CREATE INDEX runs_running ON runs (school, id) WHERE outcome = 'running';

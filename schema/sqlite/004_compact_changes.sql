-- Schema version 4 (issue 8): the change log stores a run's consecutive membership changes of
-- one group as one row, as the initial load of a country writes three million of them.
-- SPEC §9.2 is unchanged: the feed expands such a row into one CHANGE per member, each with its
-- own seq. `members` is how many changes the row holds: its seq is the last of them, so the
-- row holds seq - members + 1 … seq; `username` lists their usernames one per line, and `role`
-- their roles one per line, or one role for all. Rows written before have members = 1.
ALTER TABLE changes ADD COLUMN members INTEGER NOT NULL DEFAULT 1;

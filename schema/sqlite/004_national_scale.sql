-- Schema version 4 (issue 8): the shape of a national directory.

-- The change log stores a run's consecutive membership changes of one group as one row, as the
-- initial load of a country writes three million of them. SPEC §9.2 is unchanged: the feed
-- expands such a row into one CHANGE per member, each with its own seq. `members` is how many
-- changes the row holds: its seq is the last of them, so the row holds seq - members + 1 … seq;
-- `username` lists their usernames one per line, and `role` their roles one per line, or one
-- role for all. Rows written before have members = 1.
ALTER TABLE changes ADD COLUMN members INTEGER NOT NULL DEFAULT 1;

-- R1/R7: every run looks up its persons' UPNs and national ids among other schools' accounts.
-- The indexes hold what that lookup filters on, so that it reads the index alone rather than
-- one accounts row per person.
DROP INDEX accounts_upn;
CREATE INDEX accounts_upn ON accounts (upn, role, source, status, school) WHERE upn <> '';
DROP INDEX accounts_national_id;
CREATE INDEX accounts_national_id ON accounts (national_id, role, source, status, school)
    WHERE national_id <> '';

-- Schema version 3: the whole account lifecycle (issue 5): portal-owned flags, purge, approvals
-- of held runs, the change log, username sequence numbers for concurrent writers, and a few
-- facts about the directory itself (the key fingerprint of P3).

-- R9: an administrator's deactivation is sticky while the person is on roll; an administrator's
-- password survives every later sync (R4 regeneration included). R5: when the personal data
-- was removed.
ALTER TABLE accounts ADD COLUMN admin_deactivated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN password_by_admin INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN purged_at TEXT NOT NULL DEFAULT '';
-- R10 and `misync status`: the active Digital Champions of a school.
CREATE INDEX accounts_champions ON accounts (school) WHERE digital_champion = 1;

-- S7/U3: every name gets the sequence number of the write that reserved it, so that a process
-- can load only the names that other processes reserved since it last looked.
ALTER TABLE usernames ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX usernames_seq ON usernames (seq);

-- S3: the held run whose approval this run used.
ALTER TABLE runs ADD COLUMN approved_run INTEGER;

-- S3: an administrator's approval of a held run, bound to that run's plan digest. The next run
-- of the school that plans spends it: it applies when its plan digest is the same.
CREATE TABLE approvals (
    run_id INTEGER PRIMARY KEY,
    school TEXT NOT NULL,
    plan_digest TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    approved_at TEXT NOT NULL,
    spent_by_run INTEGER
);
CREATE INDEX approvals_pending ON approvals (school) WHERE spent_by_run IS NULL;

-- SPEC §9.2 / DESIGN.md transactional outbox: one row per change, written in the transaction of
-- the change. seq is the commit order (SQLite has one writer at a time). No passwords (P4).
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    school TEXT NOT NULL,
    from_school TEXT NOT NULL DEFAULT '',
    run_id INTEGER,
    actor TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    username TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT '',
    group_code TEXT NOT NULL DEFAULT '',
    fields TEXT NOT NULL DEFAULT ''
);

-- Facts about the directory (e.g. key_fingerprint: which secret key sealed its passwords, P3).
CREATE TABLE directory_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- misync directory, schema version 1 (PostgreSQL): the shape SQLite's scripts 001 to 004 reach,
-- in one script. The PostgreSQL schema is numbered on its own: its next change is 002.
-- Text columns hold '' rather than NULL and compare byte by byte (COLLATE "C"), as SQLite's do:
-- the username prefix ranges (U3) and every ORDER BY the API shows depend on it.
CREATE TABLE schema_version (version INTEGER NOT NULL);

-- S7: a number every write transaction raises (Snapshots::dataVersion, the status page cache).
CREATE TABLE directory_version (version BIGINT NOT NULL);
INSERT INTO directory_version (version) VALUES (0);

CREATE TABLE accounts (
    id BIGINT PRIMARY KEY,
    username TEXT COLLATE "C" NOT NULL UNIQUE,
    role TEXT COLLATE "C" NOT NULL,
    source TEXT COLLATE "C" NOT NULL,
    school TEXT COLLATE "C" NOT NULL,
    mis_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    upn TEXT COLLATE "C" NOT NULL DEFAULT '',
    admission_number TEXT COLLATE "C" NOT NULL DEFAULT '',
    staff_code TEXT COLLATE "C" NOT NULL DEFAULT '',
    national_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    legal_forename TEXT COLLATE "C" NOT NULL DEFAULT '',
    legal_surname TEXT COLLATE "C" NOT NULL DEFAULT '',
    preferred_forename TEXT COLLATE "C" NOT NULL DEFAULT '',
    preferred_surname TEXT COLLATE "C" NOT NULL DEFAULT '',
    dob TEXT COLLATE "C" NOT NULL DEFAULT '',
    gender TEXT COLLATE "C" NOT NULL DEFAULT '',
    year_group TEXT COLLATE "C" NOT NULL DEFAULT '',
    reg_group TEXT COLLATE "C" NOT NULL DEFAULT '',
    admission_date TEXT COLLATE "C" NOT NULL DEFAULT '',
    leaving_date TEXT COLLATE "C" NOT NULL DEFAULT '',
    enrolment_status TEXT COLLATE "C" NOT NULL DEFAULT '',
    staff_role TEXT COLLATE "C" NOT NULL DEFAULT '',
    title TEXT COLLATE "C" NOT NULL DEFAULT '',
    display_name TEXT COLLATE "C" NOT NULL DEFAULT '',
    status TEXT COLLATE "C" NOT NULL,
    owner_on_roll INTEGER NOT NULL DEFAULT 1,
    consent INTEGER NOT NULL DEFAULT 0,
    digital_champion INTEGER NOT NULL DEFAULT 0,
    name_locked INTEGER NOT NULL DEFAULT 0,
    password_sealed TEXT COLLATE "C" NOT NULL DEFAULT '',
    created_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL,
    deactivated_at TEXT COLLATE "C" NOT NULL DEFAULT '',
    -- R9, R5 (SQLite schema 3)
    admin_deactivated INTEGER NOT NULL DEFAULT 0,
    password_by_admin INTEGER NOT NULL DEFAULT 0,
    purged_at TEXT COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX accounts_school ON accounts (school, role, mis_id);
-- R1/R7: the lookups of other schools' UPNs and national ids read these indexes alone.
CREATE INDEX accounts_upn ON accounts (upn, role, source, status, school) WHERE upn <> '';
CREATE INDEX accounts_national_id ON accounts (national_id, role, source, status, school)
    WHERE national_id <> '';
-- R10 and `misync status`: the active Digital Champions of a school.
CREATE INDEX accounts_champions ON accounts (school) WHERE digital_champion = 1;

-- Every username and alias ever given (U3): never deleted, so a name is never reused. seq: the
-- write that reserved it (S7: a process loads only the names reserved since it last looked).
CREATE TABLE usernames (
    name TEXT COLLATE "C" PRIMARY KEY,
    account_id BIGINT NOT NULL,
    is_alias INTEGER NOT NULL DEFAULT 0,
    seq BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX usernames_account ON usernames (account_id);
CREATE INDEX usernames_seq ON usernames (seq);

CREATE TABLE groups (
    id BIGSERIAL PRIMARY KEY,
    school TEXT COLLATE "C" NOT NULL,
    code TEXT COLLATE "C" NOT NULL,
    type TEXT COLLATE "C" NOT NULL,
    subject TEXT COLLATE "C" NOT NULL DEFAULT '',
    year_group TEXT COLLATE "C" NOT NULL DEFAULT '',
    archived INTEGER NOT NULL DEFAULT 0,
    UNIQUE (school, code)
);

CREATE TABLE memberships (
    group_id BIGINT NOT NULL,
    account_id BIGINT NOT NULL,
    PRIMARY KEY (group_id, account_id)
);
CREATE INDEX memberships_account ON memberships (account_id);

-- R7: "school's latest snapshot has this person on roll" while another school owns the account.
CREATE TABLE claims (
    account_id BIGINT NOT NULL,
    school TEXT COLLATE "C" NOT NULL,
    role TEXT COLLATE "C" NOT NULL,
    attrs TEXT COLLATE "C" NOT NULL,
    group_codes TEXT COLLATE "C" NOT NULL,
    claimed_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (account_id, school)
);
CREATE INDEX claims_school ON claims (school);

CREATE TABLE runs (
    id BIGSERIAL PRIMARY KEY,
    school TEXT COLLATE "C" NOT NULL,
    trigger TEXT COLLATE "C" NOT NULL,
    connector TEXT COLLATE "C" NOT NULL,
    as_of TEXT COLLATE "C" NOT NULL,
    started_at TEXT COLLATE "C" NOT NULL,
    finished_at TEXT COLLATE "C" NOT NULL,
    outcome TEXT COLLATE "C" NOT NULL,
    files TEXT COLLATE "C" NOT NULL,
    counts TEXT COLLATE "C" NOT NULL,
    warnings TEXT COLLATE "C" NOT NULL,
    errors TEXT COLLATE "C" NOT NULL,
    plan_digest TEXT COLLATE "C" NOT NULL DEFAULT '',
    extracted_at TEXT COLLATE "C" NOT NULL DEFAULT '',
    approved_run BIGINT
);
CREATE INDEX runs_school ON runs (school, id);

CREATE TABLE run_actions (
    run_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    body TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (run_id, seq)
);

-- What each school's last full run saw (SQLite schema 2).
CREATE TABLE school_state (
    school TEXT COLLATE "C" PRIMARY KEY,
    fingerprint TEXT COLLATE "C" NOT NULL,
    as_of TEXT COLLATE "C" NOT NULL,
    next_change TEXT COLLATE "C" NOT NULL,
    dirty INTEGER NOT NULL DEFAULT 0,
    files TEXT COLLATE "C" NOT NULL,
    echo TEXT COLLATE "C" NOT NULL
);

-- S3: an administrator's approval of a held run, bound to that run's plan digest.
CREATE TABLE approvals (
    run_id BIGINT PRIMARY KEY,
    school TEXT COLLATE "C" NOT NULL,
    plan_digest TEXT COLLATE "C" NOT NULL,
    approved_by TEXT COLLATE "C" NOT NULL,
    approved_at TEXT COLLATE "C" NOT NULL,
    spent_by_run BIGINT
);
CREATE INDEX approvals_pending ON approvals (school) WHERE spent_by_run IS NULL;

-- SPEC §9.2 transactional outbox. seq is the commit order: it is taken under the directory's
-- write lock (one writer at a time, pg_directory.cpp). A row may hold a run's consecutive
-- membership changes of one group (members > 1: seq - members + 1 … seq). No passwords (P4).
CREATE TABLE changes (
    seq BIGINT PRIMARY KEY,
    at TEXT COLLATE "C" NOT NULL,
    school TEXT COLLATE "C" NOT NULL,
    from_school TEXT COLLATE "C" NOT NULL DEFAULT '',
    run_id BIGINT,
    actor TEXT COLLATE "C" NOT NULL DEFAULT '',
    kind TEXT COLLATE "C" NOT NULL,
    username TEXT COLLATE "C" NOT NULL DEFAULT '',
    role TEXT COLLATE "C" NOT NULL DEFAULT '',
    group_code TEXT COLLATE "C" NOT NULL DEFAULT '',
    fields TEXT COLLATE "C" NOT NULL DEFAULT '',
    members INTEGER NOT NULL DEFAULT 1
);

-- Facts about the directory (key_fingerprint: which secret key sealed its passwords, P3).
CREATE TABLE directory_meta (
    key TEXT COLLATE "C" PRIMARY KEY,
    value TEXT COLLATE "C" NOT NULL
);

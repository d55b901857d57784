-- misync directory, schema version 1 (SQLite). Text columns hold '' rather than NULL.
CREATE TABLE schema_version (version INTEGER NOT NULL);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    source TEXT NOT NULL,
    school TEXT NOT NULL,
    mis_id TEXT NOT NULL DEFAULT '',
    upn TEXT NOT NULL DEFAULT '',
    admission_number TEXT NOT NULL DEFAULT '',
    staff_code TEXT NOT NULL DEFAULT '',
    national_id TEXT NOT NULL DEFAULT '',
    legal_forename TEXT NOT NULL DEFAULT '',
    legal_surname TEXT NOT NULL DEFAULT '',
    preferred_forename TEXT NOT NULL DEFAULT '',
    preferred_surname TEXT NOT NULL DEFAULT '',
    dob TEXT NOT NULL DEFAULT '',
    gender TEXT NOT NULL DEFAULT '',
    year_group TEXT NOT NULL DEFAULT '',
    reg_group TEXT NOT NULL DEFAULT '',
    admission_date TEXT NOT NULL DEFAULT '',
    leaving_date TEXT NOT NULL DEFAULT '',
    enrolment_status TEXT NOT NULL DEFAULT '',
    staff_role TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    owner_on_roll INTEGER NOT NULL DEFAULT 1,
    consent INTEGER NOT NULL DEFAULT 0,
    digital_champion INTEGER NOT NULL DEFAULT 0,
    name_locked INTEGER NOT NULL DEFAULT 0,
    password_sealed TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deactivated_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX accounts_school ON accounts (school, role, mis_id);
CREATE INDEX accounts_upn ON accounts (upn) WHERE upn <> '';
CREATE INDEX accounts_national_id ON accounts (national_id) WHERE national_id <> '';

-- Every username and alias ever given (U3): never deleted, so a name is never reused.
CREATE TABLE usernames (
    name TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL,
    is_alias INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX usernames_account ON usernames (account_id);

CREATE TABLE groups (
    id INTEGER PRIMARY KEY,
    school TEXT NOT NULL,
    code TEXT NOT NULL,
    type TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    year_group TEXT NOT NULL DEFAULT '',
    archived INTEGER NOT NULL DEFAULT 0,
    UNIQUE (school, code)
);

CREATE TABLE memberships (
    group_id INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    PRIMARY KEY (group_id, account_id)
) WITHOUT ROWID;
CREATE INDEX memberships_account ON memberships (account_id);

-- R7: "school's latest snapshot has this person on roll" while another school owns the account.
CREATE TABLE claims (
    account_id INTEGER NOT NULL,
    school TEXT NOT NULL,
    role TEXT NOT NULL,
    attrs TEXT NOT NULL,
    group_codes TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    PRIMARY KEY (account_id, school)
) WITHOUT ROWID;
CREATE INDEX claims_school ON claims (school);

CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    school TEXT NOT NULL,
    trigger TEXT NOT NULL,
    connector TEXT NOT NULL,
    as_of TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    outcome TEXT NOT NULL,
    files TEXT NOT NULL,
    counts TEXT NOT NULL,
    warnings TEXT NOT NULL,
    errors TEXT NOT NULL,
    plan_digest TEXT NOT NULL DEFAULT '',
    extracted_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_school ON runs (school, id);

CREATE TABLE run_actions (
    run_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

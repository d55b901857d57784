-- Schema version 2: what each school's last full run saw, so that a run over unchanged input
-- can be recognised without reading and planning it again (docs/performance.md). A row is
-- marked dirty whenever another school's run changes something this school's plan reads.
CREATE TABLE school_state (
    school TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    as_of TEXT NOT NULL,
    next_change TEXT NOT NULL,
    dirty INTEGER NOT NULL DEFAULT 0,
    files TEXT NOT NULL,
    echo TEXT NOT NULL
) WITHOUT ROWID;

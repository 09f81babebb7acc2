-- The session journal: what the funnel counts and the conversions list are read from.
--
-- WidgetSessionFunnel holds one row per session, written whole by the session (an UPSERT of its current counters),
-- so writing it again after a crash or a retry counts nothing twice; every step counts on the UTC day the session
-- started. A session writes its row after its own state and before it drops the reminder that would bring it back,
-- so a row a crash lost is written again (docs/DECISIONS.md "Funnel counts").
-- WidgetConversions holds one row per converted session (a retry inserts nothing), the record as JSON.
--
-- EmailHash/PhoneHash are ContactHash values (SHA-256 of the normalised address, 32 hex digits), so one person's rows
-- can be found and erased without the journal holding the address; rows are per location and day, so a retention
-- period per location is a range delete.
CREATE TABLE WidgetSessionFunnel
(
    ServiceId    text        NOT NULL,
    SessionId    text        NOT NULL,
    PosSystemId  text        NOT NULL,
    LocationId   text        NOT NULL,
    StartDay     date        NOT NULL,
    WidgetId     integer     NOT NULL,
    TerminalId   text        NOT NULL,
    StartedAt    timestamptz NOT NULL,
    QrShown      boolean     NOT NULL,
    MessagesSent integer     NOT NULL,
    Scanned      boolean     NOT NULL,
    Converted    boolean     NOT NULL,
    State        text        NOT NULL,
    EndedAt      timestamptz NULL,
    EmailHash    text        NULL,
    PhoneHash    text        NULL,

    CONSTRAINT PK_WidgetSessionFunnel PRIMARY KEY (ServiceId, SessionId)
);

CREATE INDEX IX_WidgetSessionFunnel_LocationDay ON WidgetSessionFunnel (ServiceId, PosSystemId, LocationId, StartDay);
CREATE INDEX IX_WidgetSessionFunnel_Email ON WidgetSessionFunnel (ServiceId, EmailHash) WHERE EmailHash IS NOT NULL;
CREATE INDEX IX_WidgetSessionFunnel_Phone ON WidgetSessionFunnel (ServiceId, PhoneHash) WHERE PhoneHash IS NOT NULL;

CREATE TABLE WidgetConversions
(
    ServiceId   text        NOT NULL,
    SessionId   text        NOT NULL,
    PosSystemId text        NOT NULL,
    LocationId  text        NOT NULL,
    Day         date        NOT NULL,
    At          timestamptz NOT NULL,
    WidgetId    integer     NOT NULL,
    EmailHash   text        NULL,
    PhoneHash   text        NULL,
    Record      jsonb       NOT NULL,

    CONSTRAINT PK_WidgetConversions PRIMARY KEY (ServiceId, SessionId)
);

CREATE INDEX IX_WidgetConversions_LocationDay ON WidgetConversions (ServiceId, PosSystemId, LocationId, Day, At);
CREATE INDEX IX_WidgetConversions_Email ON WidgetConversions (ServiceId, EmailHash) WHERE EmailHash IS NOT NULL;
CREATE INDEX IX_WidgetConversions_Phone ON WidgetConversions (ServiceId, PhoneHash) WHERE PhoneHash IS NOT NULL;

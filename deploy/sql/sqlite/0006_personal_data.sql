-- Personal data can be erased (POST …/privacy/erase) and expires (the location's retentionDays); docs/DECISIONS.md
-- "Personal data: erasure and retention".
--
-- WidgetSessionFunnel.PersonalData: whether the session's own state still holds contact details (1 until the session
-- erased them). Retention looks for old rows that still hold some; existing rows start at 1, so each is visited once.
-- WidgetConversions.ErasedAt: when the record's contact details and answers were erased (its contact hashes go too).
ALTER TABLE WidgetSessionFunnel ADD COLUMN PersonalData INTEGER NOT NULL DEFAULT 1;
ALTER TABLE WidgetConversions ADD COLUMN ErasedAt TEXT NULL;

CREATE INDEX IX_WidgetSessionFunnel_Held ON WidgetSessionFunnel (ServiceId, PosSystemId, LocationId, StartDay) WHERE PersonalData = 1;
CREATE INDEX IX_WidgetConversions_Held ON WidgetConversions (ServiceId, PosSystemId, LocationId, Day) WHERE ErasedAt IS NULL;

-- Personal data can be erased (POST …/privacy/erase) and expires (the location's retentionDays); docs/DECISIONS.md
-- "Personal data: erasure and retention".
--
-- WidgetSessionFunnel.PersonalData: whether the session's own state still holds contact details (true until the
-- session erased them). Retention looks for old rows that still hold some; existing rows start true, so each is
-- visited once. WidgetConversions.ErasedAt: when the record's contact details and answers were erased (its contact
-- hashes go too). The rows an UPDATE replaces are dead tuples until (auto)vacuum reclaims them; no query reads them.
ALTER TABLE WidgetSessionFunnel ADD COLUMN PersonalData boolean NOT NULL DEFAULT true;
ALTER TABLE WidgetConversions ADD COLUMN ErasedAt timestamptz NULL;

CREATE INDEX IX_WidgetSessionFunnel_Held ON WidgetSessionFunnel (ServiceId, PosSystemId, LocationId, StartDay) WHERE PersonalData;
CREATE INDEX IX_WidgetConversions_Held ON WidgetConversions (ServiceId, PosSystemId, LocationId, Day) WHERE ErasedAt IS NULL;

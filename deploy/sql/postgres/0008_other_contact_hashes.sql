-- WidgetSessionFunnel.OtherContactHashes: the ContactHash values a session holds beyond EmailHash and PhoneHash (a
-- second recipient, a profile address that differs from the message's, the POS's phone as typed beside the SMS's),
-- as an array; NULL for almost every session, so an erasure reads the few rows that have some (the partial index) rather
-- than every row of the location (docs/DECISIONS.md "Personal data: erasure and retention"). Rows written before this
-- script carry only their first email and phone until their session writes its row again.
ALTER TABLE WidgetSessionFunnel ADD COLUMN OtherContactHashes text[] NULL;

CREATE INDEX IX_WidgetSessionFunnel_OtherContacts ON WidgetSessionFunnel (ServiceId, PosSystemId, LocationId) WHERE OtherContactHashes IS NOT NULL;

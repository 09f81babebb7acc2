-- Orleans ADO.NET grain persistence on SQLite (Orleans 10.4.2, invariant "System.Data.SQLite"
-- served by Microsoft.Data.Sqlite).
--
-- Orleans reads its SQL from OrleansQuery at silo start: a provider looks its keys up there and
-- refuses to start when one is missing. Parameter names (@...) and result column names are the
-- provider's contract; everything else here is ours.

CREATE TABLE OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);

-- One row per grain state. Orleans hashes the grain id and type into two ints and also sends the
-- clear values, which settle hash collisions.
CREATE TABLE OrleansStorage
(
    GrainIdHash            INTEGER NOT NULL,
    GrainIdN0              INTEGER NOT NULL,
    GrainIdN1              INTEGER NOT NULL,
    GrainTypeHash          INTEGER NOT NULL,
    GrainTypeString        TEXT    NOT NULL,
    GrainIdExtensionString TEXT    NULL,
    ServiceId              TEXT    NOT NULL,
    PayloadBinary          BLOB    NULL,
    ModifiedOn             TEXT    NOT NULL,
    Version                INTEGER NOT NULL
);

-- Unique on the full identity so that two racing first writes cannot both insert: the loser
-- inserts nothing and gets a version conflict. NULL and '' extensions share a slot on purpose
-- (SQLite would otherwise treat every NULL as distinct). The leading hash columns serve lookups.
CREATE UNIQUE INDEX UX_OrleansStorage_Identity ON OrleansStorage
(
    GrainIdHash, GrainTypeHash, ServiceId, GrainIdN0, GrainIdN1, GrainTypeString,
    IFNULL(GrainIdExtensionString, '')
);

-- Result contract for write and clear: exactly one row holding NewGrainStateVersion on success;
-- on a version conflict either no row (first write) or the unchanged @GrainStateVersion.
-- The provider sends these statements as one batch without a transaction. Each mutation is a
-- single atomic statement; changes() is per connection, so the conflict check that follows the
-- UPDATE needs no transaction. The conflict SELECT must come straight after the UPDATE, before
-- the INSERT resets changes().
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
UPDATE OrleansStorage
SET PayloadBinary = @PayloadBinary,
    ModifiedOn = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now''),
    Version = Version + 1
WHERE @GrainStateVersion IS NOT NULL
  AND GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND ServiceId = @ServiceId AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND IFNULL(GrainIdExtensionString, '''') = IFNULL(@GrainIdExtensionString, '''')
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;

SELECT @GrainStateVersion AS NewGrainStateVersion
WHERE @GrainStateVersion IS NOT NULL AND changes() = 0;

INSERT INTO OrleansStorage
    (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString,
     ServiceId, PayloadBinary, ModifiedOn, Version)
SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString,
       @ServiceId, @PayloadBinary, strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now''), 1
WHERE @GrainStateVersion IS NULL
ON CONFLICT DO NOTHING
RETURNING Version AS NewGrainStateVersion;
');

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND ServiceId = @ServiceId AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND IFNULL(GrainIdExtensionString, '''') = IFNULL(@GrainIdExtensionString, '''');
');

-- Clearing keeps the row (payload NULL, version bumped) so a stale writer still conflicts.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
UPDATE OrleansStorage
SET PayloadBinary = NULL,
    ModifiedOn = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now''),
    Version = Version + 1
WHERE @GrainStateVersion IS NOT NULL
  AND GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND ServiceId = @ServiceId AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND IFNULL(GrainIdExtensionString, '''') = IFNULL(@GrainIdExtensionString, '''')
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;

SELECT @GrainStateVersion AS NewGrainStateVersion
WHERE @GrainStateVersion IS NOT NULL AND changes() = 0;
');

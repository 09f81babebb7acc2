-- Orleans grain persistence (AddAdoNetGrainStorage). Orleans 10.4.2 sends the state as
-- @PayloadBinary only; it hashes grain id and type into two ints and also sends the clear
-- values, which settle hash collisions.

CREATE TABLE OrleansStorage
(
    GrainIdHash            integer     NOT NULL,
    GrainIdN0              bigint      NOT NULL,
    GrainIdN1              bigint      NOT NULL,
    GrainTypeHash          integer     NOT NULL,
    GrainTypeString        text        NOT NULL,
    GrainIdExtensionString text        NULL,
    ServiceId              text        NOT NULL,
    PayloadBinary          bytea       NULL,
    ModifiedOn             timestamptz NOT NULL DEFAULT now(),
    Version                integer     NOT NULL
);

-- Unique on the full identity so two racing first writes cannot both insert (the loser gets a
-- version conflict). NULL and '' extensions share a slot on purpose, as NULLs would otherwise
-- never collide. The leading hash columns serve the lookups.
CREATE UNIQUE INDEX UX_OrleansStorage_Identity ON OrleansStorage
(
    GrainIdHash, GrainTypeHash, ServiceId, GrainIdN0, GrainIdN1, GrainTypeString,
    COALESCE(GrainIdExtensionString, '')
);

-- Result contract for write and clear: one row with NewGrainStateVersion on success; on a
-- version conflict either no row (first write) or the unchanged @GrainStateVersion.
-- One statement, so the conflict row is derived from what the UPDATE really did.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', $q$
WITH updated AS (
    UPDATE OrleansStorage
    SET PayloadBinary = @PayloadBinary, ModifiedOn = now(), Version = Version + 1
    WHERE @GrainStateVersion IS NOT NULL
      AND GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
      AND ServiceId = @ServiceId AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
      AND GrainTypeString = @GrainTypeString
      AND COALESCE(GrainIdExtensionString, '') = COALESCE(@GrainIdExtensionString, '')
      AND Version = @GrainStateVersion
    RETURNING Version
), inserted AS (
    INSERT INTO OrleansStorage
        (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
         GrainIdExtensionString, ServiceId, PayloadBinary, Version)
    SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
           @GrainIdExtensionString, @ServiceId, @PayloadBinary, 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING Version
)
SELECT Version AS NewGrainStateVersion FROM updated
UNION ALL
SELECT Version FROM inserted
UNION ALL
SELECT @GrainStateVersion
WHERE @GrainStateVersion IS NOT NULL AND NOT EXISTS (SELECT 1 FROM updated);
$q$);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', $q$
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND ServiceId = @ServiceId AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND COALESCE(GrainIdExtensionString, '') = COALESCE(@GrainIdExtensionString, '');
$q$);

-- Clearing keeps the row (payload NULL, version bumped) so a stale writer still conflicts.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', $q$
WITH cleared AS (
    UPDATE OrleansStorage
    SET PayloadBinary = NULL, ModifiedOn = now(), Version = Version + 1
    WHERE @GrainStateVersion IS NOT NULL
      AND GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
      AND ServiceId = @ServiceId AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
      AND GrainTypeString = @GrainTypeString
      AND COALESCE(GrainIdExtensionString, '') = COALESCE(@GrainIdExtensionString, '')
      AND Version = @GrainStateVersion
    RETURNING Version
)
SELECT Version AS NewGrainStateVersion FROM cleared
UNION ALL
SELECT @GrainStateVersion
WHERE @GrainStateVersion IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cleared);
$q$);

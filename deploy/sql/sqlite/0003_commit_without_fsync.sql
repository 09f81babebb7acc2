-- Every write query starts by setting synchronous = NORMAL on its (pooled) connection.
--
-- Why: in WAL mode the default FULL syncs the log on every commit, which capped the embedded
-- service at ~130 writes/s on a virtual disk. With NORMAL a commit still survives a crash of the
-- process (the log is in the OS cache); only an OS crash or power loss can drop the last commits,
-- and the database stays consistent either way. Cluster mode (PostgreSQL) keeps full durability.
--
-- Orleans sends each query as one batch outside a transaction; a PRAGMA that sets a value returns
-- no row, so the queries' result contracts are unchanged. Guarded so a re-run cannot prefix twice.
UPDATE OrleansQuery
SET QueryText = 'PRAGMA synchronous = NORMAL;' || QueryText
WHERE QueryKey IN ('WriteToStorageKey', 'ClearStorageKey', 'UpsertReminderRowKey', 'DeleteReminderRowKey', 'DeleteReminderRowsKey')
  AND QueryText NOT LIKE 'PRAGMA synchronous%';

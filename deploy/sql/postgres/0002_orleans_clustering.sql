-- Orleans membership (UseAdoNetClustering) for silos and for clients' gateway discovery.
--
-- Every membership change bumps the cluster's row in OrleansMembershipVersionTable and must
-- carry the version it read (@Version): that is Orleans' optimistic concurrency. Writes that
-- fail the check return 0 and leave nothing changed; Orleans then re-reads and retries.

CREATE TABLE OrleansMembershipVersionTable
(
    DeploymentId text        NOT NULL,
    Timestamp    timestamptz NOT NULL DEFAULT now(),
    Version      integer     NOT NULL DEFAULT 0,

    CONSTRAINT PK_OrleansMembershipVersionTable PRIMARY KEY (DeploymentId)
);

CREATE TABLE OrleansMembershipTable
(
    DeploymentId text        NOT NULL,
    Address      text        NOT NULL,
    Port         integer     NOT NULL,
    Generation   integer     NOT NULL,
    SiloName     text        NOT NULL,
    HostName     text        NOT NULL,
    Status       integer     NOT NULL,
    ProxyPort    integer     NULL,
    SuspectTimes text        NULL,
    StartTime    timestamptz NOT NULL,
    IAmAliveTime timestamptz NOT NULL,

    CONSTRAINT PK_OrleansMembershipTable PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_OrleansMembershipTable_Version FOREIGN KEY (DeploymentId)
        REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- The version bump and the row insert succeed or fail together: a duplicate silo row raises
-- unique_violation, and the exception block rolls the bump back.
CREATE FUNCTION orleans_insert_membership(
    p_deployment_id   text,
    p_address         text,
    p_port            integer,
    p_generation      integer,
    p_silo_name       text,
    p_host_name       text,
    p_status          integer,
    p_proxy_port      integer,
    p_start_time      timestamptz,
    p_i_am_alive_time timestamptz,
    p_version         integer)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
BEGIN
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = p_deployment_id AND Version = p_version AND Version < 2147483647;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort,
         StartTime, IAmAliveTime)
    VALUES
        (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status,
         p_proxy_port, p_start_time, p_i_am_alive_time);
    RETURN 1;
EXCEPTION WHEN unique_violation THEN
    RETURN 0;
END
$fn$;

-- Same all-or-nothing rule: a missing silo row undoes the version bump.
CREATE FUNCTION orleans_update_membership(
    p_deployment_id   text,
    p_address         text,
    p_port            integer,
    p_generation      integer,
    p_status          integer,
    p_suspect_times   text,
    p_i_am_alive_time timestamptz,
    p_version         integer)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
BEGIN
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = p_deployment_id AND Version = p_version AND Version < 2147483647;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    UPDATE OrleansMembershipTable
    SET Status = p_status,
        SuspectTimes = p_suspect_times,
        IAmAliveTime = GREATEST(IAmAliveTime, p_i_am_alive_time)
    WHERE DeploymentId = p_deployment_id AND Address = p_address
      AND Port = p_port AND Generation = p_generation;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'membership row not found' USING ERRCODE = 'no_data_found';
    END IF;
    RETURN 1;
EXCEPTION WHEN no_data_found THEN
    RETURN 0;
END
$fn$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipVersionKey', $q$
WITH inserted AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    VALUES (@DeploymentId)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING 1
)
SELECT count(*)::integer FROM inserted;
$q$);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipKey', $q$
SELECT orleans_insert_membership(@DeploymentId, @Address, @Port, @Generation, @SiloName,
    @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version);
$q$);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateMembershipKey', $q$
SELECT orleans_update_membership(@DeploymentId, @Address, @Port, @Generation, @Status,
    @SuspectTimes, @IAmAliveTime, @Version);
$q$);

-- Heartbeats do not touch the version; GREATEST keeps a late heartbeat from moving time back.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateIAmAlivetimeKey', $q$
UPDATE OrleansMembershipTable
SET IAmAliveTime = GREATEST(IAmAliveTime, @IAmAliveTime)
WHERE DeploymentId = @DeploymentId AND Address = @Address
  AND Port = @Port AND Generation = @Generation;
$q$);

-- Both reads return the version row even when no silo row matches (LEFT JOIN): Orleans takes
-- the table version from it.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadRowKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
       m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m
       ON m.DeploymentId = v.DeploymentId
      AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId;
$q$);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadAllKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
       m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId;
$q$);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('GatewaysQueryKey', $q$
SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;
$q$);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteMembershipTableEntriesKey', $q$
DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
$q$);

-- Status 6 is Dead. Orleans 10.4.2 prefers the per-row query below when it is installed; the
-- bulk one stays required and only removes rows nobody has voted on.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = 6
  AND IAmAliveTime < @IAmAliveTime AND StartTime < @IAmAliveTime
  AND COALESCE(SuspectTimes, '') = '';
$q$);

-- Deletes one Dead row only if it is still exactly as Orleans read it.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntryKey', $q$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = 6
  AND Address = @Address AND Port = @Port AND Generation = @Generation
  AND StartTime = @StartTime AND IAmAliveTime = @IAmAliveTime
  AND COALESCE(SuspectTimes, '') = COALESCE(@SuspectTimes, '');
$q$);

-- The services run as a role that reads and writes data but cannot change the schema.
--
-- widgets_runtime is a group role (NOLOGIN): an operator creates the login the silos and gateways use and makes it
-- a member, e.g.  CREATE ROLE widgets_app LOGIN PASSWORD '…' IN ROLE widgets_runtime;  (deploy/README.md).
-- Migrations run as the schema's owner (ConnectionStrings:PostgresMigrations), which needs CREATEROLE for the first
-- statement below; every object it creates later is granted to widgets_runtime by the default privileges.

DO $$
BEGIN
    CREATE ROLE widgets_runtime NOLOGIN;
EXCEPTION
    -- Roles are per server, not per database: another database on the server may have created it already.
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

GRANT USAGE ON SCHEMA public TO widgets_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO widgets_runtime;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO widgets_runtime;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO widgets_runtime;

-- The migration journal is the migrator's alone.
REVOKE INSERT, UPDATE, DELETE ON public.schemaversions FROM widgets_runtime;

ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO widgets_runtime;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO widgets_runtime;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO widgets_runtime;

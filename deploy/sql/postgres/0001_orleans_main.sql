-- Orleans ADO.NET on PostgreSQL (Orleans 10.4.2, invariant "Npgsql").
--
-- Orleans reads its SQL from OrleansQuery when a provider starts; each provider refuses to
-- start when one of its keys is missing. Parameter names (@...) and result column names are the
-- providers' contract; tables, functions and indexes are ours. Unquoted identifiers fold to
-- lower case, which is fine: the providers look result columns up case-insensitively.

CREATE TABLE OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,

    CONSTRAINT PK_OrleansQuery PRIMARY KEY (QueryKey)
);

-- Accounts, roles and an audit trail; settings with guarded, re-runnable DDL.
CREATE TABLE dbo.roles (
  id int IDENTITY(1,1) NOT NULL PRIMARY KEY,
  name nvarchar(50) NOT NULL CONSTRAINT uq_roles_name UNIQUE
);
CREATE TABLE dbo.permissions (
  id int IDENTITY(1,1) NOT NULL PRIMARY KEY,
  code nvarchar(80) NOT NULL CONSTRAINT uq_permissions_code UNIQUE,
  description nvarchar(200) NULL
);
CREATE TABLE dbo.role_permissions (
  role_id int NOT NULL REFERENCES dbo.roles (id),
  permission_id int NOT NULL REFERENCES dbo.permissions (id),
  CONSTRAINT pk_role_permissions PRIMARY KEY (role_id, permission_id)
);
CREATE INDEX ix_role_permissions_permission ON dbo.role_permissions (permission_id);
CREATE TABLE dbo.audit_events (
  id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  actor_id bigint NULL,
  action nvarchar(100) NOT NULL,
  subject nvarchar(200) NULL,
  at datetime2(3) NOT NULL DEFAULT SYSUTCDATETIME()
);
CREATE INDEX ix_audit_events_at ON dbo.audit_events (at) INCLUDE (action);
CREATE INDEX ix_audit_events_actor ON dbo.audit_events (actor_id, at);
GO
INSERT INTO dbo.roles (name) VALUES (N'admin');
INSERT INTO dbo.roles (name) VALUES (N'editor');
INSERT INTO dbo.roles (name) VALUES (N'viewer');
INSERT INTO dbo.permissions (code, description) VALUES (N'orders.read', N'See orders');
INSERT INTO dbo.permissions (code, description) VALUES (N'orders.write', N'Change orders');
INSERT INTO dbo.permissions (code, description) VALUES (N'products.write', N'Change the catalogue');
INSERT INTO dbo.role_permissions (role_id, permission_id) SELECT r.id, p.id FROM dbo.roles AS r JOIN dbo.permissions AS p ON p.code LIKE N'orders.%' WHERE r.name = N'admin';
GO
IF COL_LENGTH(N'dbo.customers', N'locale') IS NULL
  ALTER TABLE dbo.customers ADD locale nvarchar(10) NOT NULL CONSTRAINT df_customers_locale DEFAULT N'en';
GO
CREATE OR ALTER VIEW dbo.v_role_permissions AS
SELECT r.name AS role_name, p.code FROM dbo.role_permissions AS rp
JOIN dbo.roles AS r ON r.id = rp.role_id
JOIN dbo.permissions AS p ON p.id = rp.permission_id;
GO
GRANT SELECT ON dbo.v_role_permissions TO reporting;
GO

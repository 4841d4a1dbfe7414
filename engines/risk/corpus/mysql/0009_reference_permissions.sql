-- Reference data: permissions and the built-in roles.
SET SESSION lock_wait_timeout = 5;
SET SESSION max_statement_time = 60;

CREATE TABLE IF NOT EXISTS permissions (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  UNIQUE KEY ux_permissions_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS roles (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  UNIQUE KEY ux_roles_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS role_permissions (
  role_id BIGINT UNSIGNED NOT NULL,
  permission_id BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (role_id, permission_id),
  KEY ix_role_permissions_permission (permission_id),
  CONSTRAINT fk_role_permissions_role FOREIGN KEY (role_id) REFERENCES roles (id),
  CONSTRAINT fk_role_permissions_permission FOREIGN KEY (permission_id) REFERENCES permissions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO permissions (name) VALUES ('organization.read');
INSERT INTO permissions (name) VALUES ('organization.create');
INSERT INTO permissions (name) VALUES ('organization.update');
INSERT INTO permissions (name) VALUES ('organization.delete');
INSERT INTO permissions (name) VALUES ('user.read');
INSERT INTO permissions (name) VALUES ('user.create');
INSERT INTO permissions (name) VALUES ('user.update');
INSERT INTO permissions (name) VALUES ('user.delete');
INSERT INTO permissions (name) VALUES ('product.read');
INSERT INTO permissions (name) VALUES ('product.create');
INSERT INTO permissions (name) VALUES ('product.update');
INSERT INTO permissions (name) VALUES ('product.delete');
INSERT INTO permissions (name) VALUES ('order.read');
INSERT INTO permissions (name) VALUES ('order.create');
INSERT INTO permissions (name) VALUES ('order.update');
INSERT INTO permissions (name) VALUES ('order.delete');
INSERT INTO permissions (name) VALUES ('review.read');
INSERT INTO permissions (name) VALUES ('review.create');
INSERT INTO permissions (name) VALUES ('review.update');
INSERT INTO permissions (name) VALUES ('review.delete');
INSERT INTO permissions (name) VALUES ('wishlist.read');
INSERT INTO permissions (name) VALUES ('wishlist.create');
INSERT INTO permissions (name) VALUES ('wishlist.update');
INSERT INTO permissions (name) VALUES ('wishlist.delete');
INSERT INTO permissions (name) VALUES ('report.read');
INSERT INTO permissions (name) VALUES ('report.create');
INSERT INTO permissions (name) VALUES ('report.update');
INSERT INTO permissions (name) VALUES ('report.delete');
INSERT INTO permissions (name) VALUES ('invoice.read');
INSERT INTO permissions (name) VALUES ('invoice.create');
INSERT INTO permissions (name) VALUES ('invoice.update');
INSERT INTO permissions (name) VALUES ('invoice.delete');
INSERT INTO permissions (name) VALUES ('webhook.read');
INSERT INTO permissions (name) VALUES ('webhook.create');
INSERT INTO permissions (name) VALUES ('webhook.update');
INSERT INTO permissions (name) VALUES ('webhook.delete');
INSERT INTO permissions (name) VALUES ('api_key.read');
INSERT INTO permissions (name) VALUES ('api_key.create');
INSERT INTO permissions (name) VALUES ('api_key.update');
INSERT INTO permissions (name) VALUES ('api_key.delete');
INSERT INTO permissions (name) VALUES ('audit_log.read');
INSERT INTO permissions (name) VALUES ('audit_log.create');
INSERT INTO permissions (name) VALUES ('audit_log.update');
INSERT INTO permissions (name) VALUES ('audit_log.delete');
INSERT INTO permissions (name) VALUES ('setting.read');
INSERT INTO permissions (name) VALUES ('setting.create');
INSERT INTO permissions (name) VALUES ('setting.update');
INSERT INTO permissions (name) VALUES ('setting.delete');
INSERT INTO roles (name) VALUES ('owner');
INSERT INTO roles (name) VALUES ('admin');
INSERT INTO roles (name) VALUES ('editor');
INSERT INTO roles (name) VALUES ('viewer');
INSERT INTO role_permissions (role_id, permission_id)
  SELECT r.id, p.id FROM roles r JOIN permissions p ON p.name LIKE 'report.%' WHERE r.name = 'viewer';
INSERT INTO role_permissions (role_id, permission_id)
  SELECT r.id, p.id FROM roles r JOIN permissions p ON p.name LIKE '%.read' AND p.name NOT LIKE 'report.%' WHERE r.name = 'viewer';

SET lock_timeout = '5s';
SET statement_timeout = '60s';

CREATE TABLE permissions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  description text NOT NULL
);
INSERT INTO permissions (name, description) VALUES ('project.read', 'May read projects');
INSERT INTO permissions (name, description) VALUES ('project.create', 'May create projects');
INSERT INTO permissions (name, description) VALUES ('project.update', 'May update projects');
INSERT INTO permissions (name, description) VALUES ('project.delete', 'May delete projects');
INSERT INTO permissions (name, description) VALUES ('project.admin', 'May admin projects');
INSERT INTO permissions (name, description) VALUES ('task.read', 'May read tasks');
INSERT INTO permissions (name, description) VALUES ('task.create', 'May create tasks');
INSERT INTO permissions (name, description) VALUES ('task.update', 'May update tasks');
INSERT INTO permissions (name, description) VALUES ('task.delete', 'May delete tasks');
INSERT INTO permissions (name, description) VALUES ('task.admin', 'May admin tasks');
INSERT INTO permissions (name, description) VALUES ('comment.read', 'May read comments');
INSERT INTO permissions (name, description) VALUES ('comment.create', 'May create comments');
INSERT INTO permissions (name, description) VALUES ('comment.update', 'May update comments');
INSERT INTO permissions (name, description) VALUES ('comment.delete', 'May delete comments');
INSERT INTO permissions (name, description) VALUES ('comment.admin', 'May admin comments');
INSERT INTO permissions (name, description) VALUES ('label.read', 'May read labels');
INSERT INTO permissions (name, description) VALUES ('label.create', 'May create labels');
INSERT INTO permissions (name, description) VALUES ('label.update', 'May update labels');
INSERT INTO permissions (name, description) VALUES ('label.delete', 'May delete labels');
INSERT INTO permissions (name, description) VALUES ('label.admin', 'May admin labels');
INSERT INTO permissions (name, description) VALUES ('invoice.read', 'May read invoices');
INSERT INTO permissions (name, description) VALUES ('invoice.create', 'May create invoices');
INSERT INTO permissions (name, description) VALUES ('invoice.update', 'May update invoices');
INSERT INTO permissions (name, description) VALUES ('invoice.delete', 'May delete invoices');
INSERT INTO permissions (name, description) VALUES ('invoice.admin', 'May admin invoices');
INSERT INTO permissions (name, description) VALUES ('webhook.read', 'May read webhooks');
INSERT INTO permissions (name, description) VALUES ('webhook.create', 'May create webhooks');
INSERT INTO permissions (name, description) VALUES ('webhook.update', 'May update webhooks');
INSERT INTO permissions (name, description) VALUES ('webhook.delete', 'May delete webhooks');
INSERT INTO permissions (name, description) VALUES ('webhook.admin', 'May admin webhooks');
INSERT INTO permissions (name, description) VALUES ('api_key.read', 'May read api keys');
INSERT INTO permissions (name, description) VALUES ('api_key.create', 'May create api keys');
INSERT INTO permissions (name, description) VALUES ('api_key.update', 'May update api keys');
INSERT INTO permissions (name, description) VALUES ('api_key.delete', 'May delete api keys');
INSERT INTO permissions (name, description) VALUES ('api_key.admin', 'May admin api keys');
INSERT INTO permissions (name, description) VALUES ('user.read', 'May read users');
INSERT INTO permissions (name, description) VALUES ('user.create', 'May create users');
INSERT INTO permissions (name, description) VALUES ('user.update', 'May update users');
INSERT INTO permissions (name, description) VALUES ('user.delete', 'May delete users');
INSERT INTO permissions (name, description) VALUES ('user.admin', 'May admin users');
INSERT INTO permissions (name, description) VALUES ('account.read', 'May read accounts');
INSERT INTO permissions (name, description) VALUES ('account.create', 'May create accounts');
INSERT INTO permissions (name, description) VALUES ('account.update', 'May update accounts');
INSERT INTO permissions (name, description) VALUES ('account.delete', 'May delete accounts');
INSERT INTO permissions (name, description) VALUES ('account.admin', 'May admin accounts');
INSERT INTO permissions (name, description) VALUES ('report.read', 'May read reports');
INSERT INTO permissions (name, description) VALUES ('report.create', 'May create reports');
INSERT INTO permissions (name, description) VALUES ('report.update', 'May update reports');
INSERT INTO permissions (name, description) VALUES ('report.delete', 'May delete reports');
INSERT INTO permissions (name, description) VALUES ('report.admin', 'May admin reports');

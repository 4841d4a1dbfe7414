-- Shipping: carriers, the services they offer, shipments per order and their tracking events.
CREATE TABLE carriers (
  id NUMBER(10) GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code VARCHAR2(20 CHAR) NOT NULL CONSTRAINT uq_carriers_code UNIQUE,
  name VARCHAR2(100 CHAR) NOT NULL,
  tracking_url VARCHAR2(400 CHAR)
);
CREATE TABLE carrier_services (
  carrier_id NUMBER(10) NOT NULL REFERENCES carriers (id),
  code VARCHAR2(30 CHAR) NOT NULL,
  label VARCHAR2(100 CHAR) NOT NULL,
  transit_days NUMBER(3) NOT NULL,
  CONSTRAINT pk_carrier_services PRIMARY KEY (carrier_id, code)
);
CREATE TABLE shipments (
  id NUMBER(19) GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id NUMBER(19) NOT NULL REFERENCES orders (id),
  carrier_id NUMBER(10) NOT NULL REFERENCES carriers (id),
  service_code VARCHAR2(30 CHAR) NOT NULL,
  tracking_no VARCHAR2(60 CHAR),
  shipped_at TIMESTAMP WITH TIME ZONE,
  delivered_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX ix_shipments_order ON shipments (order_id);
CREATE INDEX ix_shipments_carrier ON shipments (carrier_id, shipped_at);
CREATE TABLE shipment_events (
  shipment_id NUMBER(19) NOT NULL REFERENCES shipments (id),
  at TIMESTAMP WITH TIME ZONE NOT NULL,
  status VARCHAR2(30 CHAR) NOT NULL,
  location VARCHAR2(100 CHAR),
  CONSTRAINT pk_shipment_events PRIMARY KEY (shipment_id, at)
);
INSERT INTO carriers (code, name, tracking_url) VALUES ('DHL', 'DHL Express', 'https://www.dhl.com/track?id={no}');
INSERT INTO carriers (code, name, tracking_url) VALUES ('UPS', 'UPS', 'https://www.ups.com/track?tracknum={no}');
INSERT INTO carriers (code, name, tracking_url) VALUES ('POSTNL', 'PostNL', 'https://jouw.postnl.nl/track-and-trace/{no}');
INSERT INTO carrier_services (carrier_id, code, label, transit_days) SELECT id, 'EXPRESS', 'Express worldwide', 2 FROM carriers WHERE code = 'DHL';
INSERT INTO carrier_services (carrier_id, code, label, transit_days) SELECT id, 'STANDARD', 'Standard', 4 FROM carriers WHERE code = 'UPS';
INSERT INTO carrier_services (carrier_id, code, label, transit_days) SELECT id, 'PARCEL', 'Parcel', 2 FROM carriers WHERE code = 'POSTNL';
ALTER TABLE orders ADD (shipping_service VARCHAR2(30 CHAR));
CREATE INDEX ix_orders_shipping_service ON orders (shipping_service) ONLINE;
CREATE OR REPLACE VIEW v_shipments_in_transit AS
SELECT s.id, s.order_id, c.code AS carrier, s.tracking_no, s.shipped_at
FROM shipments s
JOIN carriers c ON c.id = s.carrier_id
WHERE s.shipped_at IS NOT NULL AND s.delivered_at IS NULL;
GRANT SELECT ON v_shipments_in_transit TO support_app;
COMMENT ON TABLE shipment_events IS 'Tracking events as the carrier reports them';
SELECT c.code, COUNT(*) FROM shipments s JOIN carriers c ON c.id = s.carrier_id WHERE s.delivered_at IS NULL GROUP BY c.code;

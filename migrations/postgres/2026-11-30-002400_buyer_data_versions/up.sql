-- The data version each buyer's figures were last changed at: a write stamps the buyers it
-- touches with the new value of data_version, so that figures kept for other buyers stay
-- valid (an import for one buyer leaves the others' dashboards warm). Row 0 stands for every
-- buyer, stamped by writes that change shared records. A scope's version is the greatest stamp
-- among its buyers and row 0.
CREATE TABLE buyer_data_versions (
    buyer_id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO buyer_data_versions (buyer_id, version) SELECT 0, version FROM data_version;

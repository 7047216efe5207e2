DROP TABLE buyer_data_versions;

ALTER TABLE buyers DROP COLUMN buyer_type;

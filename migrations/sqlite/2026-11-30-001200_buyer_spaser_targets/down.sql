ALTER TABLE buyers DROP COLUMN environmental_target_bp;
ALTER TABLE buyers DROP COLUMN social_target_bp;

-- 0007: evaluation snapshots keep the probability of meeting the target and the reason key.
ALTER TABLE tracking_snapshot ADD COLUMN p_meet DOUBLE;
ALTER TABLE tracking_snapshot ADD COLUMN reason_key VARCHAR;

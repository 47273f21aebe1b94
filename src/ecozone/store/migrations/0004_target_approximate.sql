-- 0004: targets the plans state as "about" (左右 / 约).
ALTER TABLE target ADD COLUMN approximate BOOLEAN NOT NULL DEFAULT FALSE;

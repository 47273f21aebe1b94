-- 0011 (issue 13): station hours as scaled integers, so that sums and GB/T 8170 rounding are exact.
-- pm25, pm10 in 0.1 µg/m³; so2, no2, o3 in 0.0001 µg/m³; co in 0.001 mg/m³ (ecozone.air.units.SCALE).  Values
-- stored before (float32) are converted by rounding to the step: exact for PM and CO and for
-- gases published as integers; a four-decimal gas value (PRSA) already lost digits in float32,
-- so re-import such files (the import of an identical file is then refused as a conflict only
-- where a value differs: delete the store and import again).
-- The table is rebuilt sorted by (station_id, hour), the order the engine reads, and without
-- the primary-key index: (station_id, hour) stays unique because the import checks every file
-- for duplicates and anti-joins against the store (ecozone.air.service), and an ART index over a
-- national decade costs more memory than the data.  SELECT * REPLACE keeps any column another
-- migration added.
CREATE TABLE air_station_hour_exact AS
SELECT * REPLACE (
    CAST(round(pm25 * 10) AS INTEGER) AS pm25,
    CAST(round(pm10 * 10) AS INTEGER) AS pm10,
    CAST(round(so2 * 10000) AS INTEGER) AS so2,
    CAST(round(no2 * 10000) AS INTEGER) AS no2,
    CAST(round(co * 1000) AS INTEGER) AS co,
    CAST(round(o3 * 10000) AS INTEGER) AS o3)
FROM air_station_hour ORDER BY station_id, hour;
DROP TABLE air_station_hour;
ALTER TABLE air_station_hour_exact RENAME TO air_station_hour;
ALTER TABLE air_station_hour ALTER COLUMN station_id SET NOT NULL;
ALTER TABLE air_station_hour ALTER COLUMN hour SET NOT NULL;
ALTER TABLE air_station_hour ALTER COLUMN batch_id SET NOT NULL;
ALTER TABLE air_station_hour ALTER COLUMN source_row SET NOT NULL;

-- 0005 (issue 7): idempotent imports.  An import is identified by the content hash of the file's
-- bytes (air_import_batch.file_sha256, import_batch.sha256) and, for mapped files, of the
-- column mapping it was read with: the same content read the same way again records nothing.
-- (No index: DuckDB refuses ALTER TABLE on indexed tables, and these tables stay small.)
ALTER TABLE air_import_batch ADD COLUMN mapping_sha256 VARCHAR;

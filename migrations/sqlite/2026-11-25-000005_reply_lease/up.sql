-- A pending reply belongs to the run that claimed it (`run_id`) only while
-- that run keeps renewing its lease. A run whose server died stops renewing;
-- the first reader to see the lapsed lease marks the reply failed, so the
-- user can retry it from any replica. A run that lost its claim (its lease
-- lapsed and a retry took over) can no longer write to the row.
ALTER TABLE "message" ADD COLUMN lease_until TIMESTAMP;
ALTER TABLE "message" ADD COLUMN run_id TEXT;

ALTER TABLE "message" DROP COLUMN run_id;
ALTER TABLE "message" DROP COLUMN lease_until;

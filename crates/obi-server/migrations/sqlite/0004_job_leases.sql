-- Job leases: several instances on one database claim a bulk job before working on it. The
-- claimer's instance id and the lease's end (milliseconds since the Unix epoch, renewed while
-- it works); another instance takes the job over only after lease_until has passed. Jobs
-- from before this migration have no lease (0) and are claimable at once.
ALTER TABLE award_jobs ADD COLUMN lease_owner TEXT;
ALTER TABLE award_jobs ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
